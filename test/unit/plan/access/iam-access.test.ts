import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../lib/config/load-config.ts';
import { sha256Hex } from '../../../../lib/engine/hash.ts';
import { renderAndCheck } from '../../../../lib/engine/plan-environment.ts';
import type { Inventory, ObservedResource } from '../../../../lib/model/resource.ts';
import { computePlan } from '../../../../lib/plan/compute-plan.ts';
import { renderPlanMarkdown, renderPlanText } from '../../../../lib/plan/render-plan.ts';
import { configDir } from '../../../support/builders.ts';

const CLUSTER = 'arn:aws:kafka:eu-west-1:123456789012:cluster/main/0a1b2c3d-1';

function environment(sasl: string): string {
  return `apiVersion: landscape.dev/v1
kind: Environment
metadata: { name: prod }
spec:
  kafka:
    bootstrapServers: ["b-1.main.kafka.eu-west-1.amazonaws.com:9098"]
    sasl: ${sasl}
  kubernetes: { server: "https://127.0.0.1:6443" }
  prune: { Acl: true }
`;
}
const IAM = `{ mechanism: aws-msk-iam, clusterArn: "${CLUSTER}" }`;
const SCRAM = '{ mechanism: scram-sha-512, username: landscape, password: { secretRef: { provider: env, name: P } } }';

const APP = `apiVersion: landscape.dev/v1
kind: App
metadata: { name: reader }
spec:
  principal: User:reader
  consumes: [orders]
  runtime: { type: container, image: "ghcr.io/acme/reader:1" }
`;

const oldAclKey = 'kafka/acl/User:old/topic/literal/orders/read/allow/*';
const observed: ObservedResource[] = [
  {
    key: oldAclKey,
    kind: 'Acl',
    name: 'User:old read topic:orders',
    spec: {
      principal: 'User:old',
      host: '*',
      resourceType: 'topic',
      resourceName: 'orders',
      patternType: 'literal',
      operation: 'read',
      permission: 'allow',
    },
  },
];
// Landscape created this ACL earlier (say, before the cluster moved to IAM) and prune is on for ACLs.
const inventory: Inventory = { [oldAclKey]: { key: oldAclKey, kind: 'Acl' } };

async function plan(sasl: string) {
  const dir = await configDir({ 'env.yaml': environment(sasl), 'app.yaml': APP });
  const config = await loadConfig(dir, 'prod');
  const { desired, problems, notes } = renderAndCheck(config);
  expect(problems).toEqual([]);
  return computePlan({
    environment: { name: 'prod', spec: config.environment.spec },
    desired,
    observed,
    inventory,
    observedKinds: ['Topic', 'Acl', 'Quota', 'User'],
    notes,
    source: {},
    toolVersion: 'test',
    hash: sha256Hex,
  });
}

describe('computePlan on an MSK IAM Environment', () => {
  it("plans no ACL: an App's access becomes its IAM policy, live ACLs are neither deleted nor listed", async () => {
    // Act
    const result = await plan(IAM);

    // Assess
    expect(result.changes.filter((c) => c.kind === 'Acl')).toEqual([]);
    expect(result.changes.map((c) => c.kind)).toEqual(['KubernetesObject', 'KubernetesObject', 'KubernetesObject']);
    expect(result.unmanaged).toEqual([]);
    expect(result.unmanagedGrants).toEqual([]);
    expect(result.inventory.some((entry) => entry.kind === 'Acl')).toBe(false);
    expect(Object.keys(result.basis).some((key) => key.startsWith('kafka/acl/'))).toBe(false);
    expect(result.accessPolicies?.map((p) => [p.principal, p.origins, p.policy.Statement.map((s) => s.Sid)])).toEqual([
      ['User:reader', ['App "reader"'], ['AllowCluster', 'AllowTopics', 'AllowGroups']],
    ]);
    const text = renderPlanText(result);
    expect(text).toContain('Access as IAM policies: Kafka ACLs are not enforced on this cluster (aws-msk-iam)');
    expect(text).toContain(
      '  User:reader  (App "reader")\n    Allow kafka-cluster:Connect, kafka-cluster:DescribeCluster\n',
    );
    expect(renderPlanMarkdown(result)).toContain('arn:aws:kafka:eu-west-1:123456789012:topic/main/0a1b2c3d-1/orders');
  });

  it('warns, in the plan, that policies without clusterArn name every cluster', async () => {
    // Act
    const result = await plan('{ mechanism: aws-msk-iam, region: eu-west-1 }');

    // Assess
    expect(result.notes).toEqual([
      {
        level: 'warning',
        message:
          'spec.kafka.sasl.clusterArn is not set on Environment "prod": the IAM policies name every MSK cluster (cluster/*/* in eu-west-1); set it to the cluster\'s ARN (arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID) to scope them to that cluster',
      },
    ]);
  });

  it('plans ACLs as before where the cluster enforces them (SCRAM): no policies, the ACL it created is pruned', async () => {
    // Act
    const result = await plan(SCRAM);

    // Assess
    expect(result.accessPolicies).toBeUndefined();
    expect('accessPolicies' in result).toBe(false);
    expect(result.changes.filter((c) => c.kind === 'Acl').map((c) => [c.action, c.name])).toEqual([
      ['Create', 'User:reader read group:reader'],
      ['Create', 'User:reader describe topic:orders'],
      ['Create', 'User:reader read topic:orders'],
      ['Delete', 'User:old read topic:orders'],
    ]);
  });
});
