import {
  AclOperations,
  AclPermissionTypes,
  type Admin,
  ResourcePatternTypes,
  ResourceTypes,
} from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupPrefix, eventually, rawAdmin } from '../../../scripts/services/kafka-broker.ts';
import { writeFiles } from '../../support/builders.ts';
import { type CliWorkspace, cliWorkspace } from '../../support/cli/landscape-cli.ts';
import { testEnvironmentYaml, uniquePrefix } from '../../support/kafka.ts';

/**
 * Access by intent against the real broker (ADR 0043): the bindings an Access generates are ordinary ACLs, so
 * apply creates them, a second plan has nothing to do, removing a role prunes exactly its bindings, and a
 * generated binding deleted out of band is drift. Topics from TopicDefaults (with the broker's default
 * replication factor) plan to no changes once applied.
 */
const prefix = uniquePrefix('it-access');
const principal = `User:${prefix}app`;
let admin: Admin;
let workspace: CliWorkspace;

const access = (roles: string) => `apiVersion: landscape.dev/v1
kind: Access
metadata: { name: orders-service }
spec:
  principals: ["${principal}"]
${roles}`;

const CONSUMER_AND_PRODUCER = `  consumer:
    - { topics: [${prefix}orders], group: ${prefix}orders-app }
  producer:
    - { topics: [${prefix}enriched], transactionalIds: [${prefix}tx] }
`;
const STREAMS = `  streams:
    - { applicationId: ${prefix}enricher, inputs: [${prefix}orders], outputs: [${prefix}enriched], exactlyOnce: true }
`;

/** Every live binding of the test principal, as `operation resourceType:name[*]`, sorted. */
async function liveBindings(): Promise<string[]> {
  const resources = await admin.describeAcls({
    filter: {
      resourceType: ResourceTypes.ANY,
      resourceName: null,
      resourcePatternType: ResourcePatternTypes.ANY,
      principal,
      host: '*',
      operation: AclOperations.ANY,
      permissionType: AclPermissionTypes.ANY,
    },
  });
  const operationName = (op: number) =>
    Object.entries(AclOperations).find(([, value]) => value === op)?.[0] ?? String(op);
  const typeName = (type: number) =>
    Object.entries(ResourceTypes).find(([, value]) => value === type)?.[0] ?? String(type);
  return resources
    .flatMap((r) =>
      r.acls.map(
        (a) =>
          `${operationName(a.operation)} ${typeName(r.resourceType)}:${r.resourceName}${r.resourcePatternType === ResourcePatternTypes.PREFIXED ? '*' : ''}`,
      ),
    )
    .sort();
}

beforeAll(async () => {
  admin = rawAdmin('it-access');
  workspace = await cliWorkspace('access');
  await writeFiles(workspace.dir, {
    'env.yaml': testEnvironmentYaml('it', { prune: ['Topic', 'Acl'], requireApprovalFor: 'none' }),
  });
});

afterAll(async () => {
  await cleanupPrefix(prefix);
  await admin.close();
});

describe('Access applied with landscape apply', () => {
  it('creates the generated bindings, then plans no changes', async () => {
    // Prepare
    await writeFiles(workspace.dir, { 'access.yaml': access(CONSUMER_AND_PRODUCER + STREAMS) });

    // Act
    const applied = await workspace.cli('apply', '.', '--env', 'it', '--auto-approve');
    const replanned = await workspace.cli('plan', '.', '--env', 'it');

    // Assess
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('Access "orders-service":');
    expect(replanned.code, replanned.stdout).toBe(0);
    expect(replanned.stdout).toContain('No changes.');
    expect(await liveBindings()).toEqual(
      [
        'IDEMPOTENT_WRITE CLUSTER:kafka-cluster',
        `READ GROUP:${prefix}enricher`,
        `READ GROUP:${prefix}orders-app`,
        `DESCRIBE TOPIC:${prefix}enriched`,
        `WRITE TOPIC:${prefix}enriched`,
        `CREATE TOPIC:${prefix}enricher-*`,
        `DELETE TOPIC:${prefix}enricher-*`,
        `DESCRIBE TOPIC:${prefix}enricher-*`,
        `DESCRIBE_CONFIGS TOPIC:${prefix}enricher-*`,
        `READ TOPIC:${prefix}enricher-*`,
        `WRITE TOPIC:${prefix}enricher-*`,
        `DESCRIBE TOPIC:${prefix}orders`,
        `READ TOPIC:${prefix}orders`,
        `DESCRIBE TRANSACTIONAL_ID:${prefix}enricher-*`,
        `WRITE TRANSACTIONAL_ID:${prefix}enricher-*`,
        `DESCRIBE TRANSACTIONAL_ID:${prefix}tx`,
        `WRITE TRANSACTIONAL_ID:${prefix}tx`,
      ].sort(),
    );
  });

  it('shows a generated binding deleted out of band as drift, under its Access', async () => {
    // Prepare: someone removes the consumer group grant by hand.
    await admin.deleteAcls({
      filters: [
        {
          resourceType: ResourceTypes.GROUP,
          resourceName: `${prefix}orders-app`,
          resourcePatternType: ResourcePatternTypes.LITERAL,
          principal,
          host: '*',
          operation: AclOperations.READ,
          permissionType: AclPermissionTypes.ALLOW,
        },
      ],
    });
    const gone = `READ GROUP:${prefix}orders-app`;
    expect(await eventually(async () => !(await liveBindings()).includes(gone), 30_000)).toBe(true);

    // Act
    const drift = await workspace.cli('drift', '.', '--env', 'it');
    const plan = await workspace.cli('plan', '.', '--env', 'it');

    // Assess
    expect(drift.code, drift.stderr).toBe(2);
    expect(drift.stdout).toContain(
      `missing  Acl ${principal} read group:${prefix}orders-app: in git, not on the platform`,
    );
    expect(plan.stdout).toMatch(
      new RegExp(
        `  Access "orders-service":\\n    \\+ create Acl ${principal} read group:${prefix}orders-app  \\(access\\.yaml:7\\)`,
      ),
    );
    expect(plan.stdout).toContain('Summary: 1 to create, 0 to update, 0 to delete');
    expect((await workspace.cli('apply', '.', '--env', 'it', '--auto-approve')).code).toBe(0);
  });

  it('prunes exactly the bindings of a removed role', async () => {
    // Prepare
    const before = await liveBindings();
    await writeFiles(workspace.dir, { 'access.yaml': access(CONSUMER_AND_PRODUCER) });

    // Act
    const plan = await workspace.cli('plan', '.', '--env', 'it');
    const applied = await workspace.cli('apply', '.', '--env', 'it', '--auto-approve');

    // Assess: the streams role's own bindings go; what the consumer and producer also grant stays (the input
    // topic's READ, the output's WRITE, IDEMPOTENT_WRITE).
    const removed = [
      `READ GROUP:${prefix}enricher`,
      `CREATE TOPIC:${prefix}enricher-*`,
      `DELETE TOPIC:${prefix}enricher-*`,
      `DESCRIBE TOPIC:${prefix}enricher-*`,
      `DESCRIBE_CONFIGS TOPIC:${prefix}enricher-*`,
      `READ TOPIC:${prefix}enricher-*`,
      `WRITE TOPIC:${prefix}enricher-*`,
      `DESCRIBE TRANSACTIONAL_ID:${prefix}enricher-*`,
      `WRITE TRANSACTIONAL_ID:${prefix}enricher-*`,
    ];
    expect(plan.stdout).toContain(`Summary: 0 to create, 0 to update, ${removed.length} to delete`);
    expect(applied.code, applied.stderr).toBe(0);
    expect(await liveBindings()).toEqual(before.filter((b) => !removed.includes(b)));
    expect((await workspace.cli('plan', '.', '--env', 'it')).stdout).toContain('No changes.');
  });
});

describe('TopicDefaults applied with landscape apply', () => {
  it("creates topics from their defaults, the broker's default replication factor included, then plans no changes", async () => {
    // Prepare
    await writeFiles(workspace.dir, {
      'topics.yaml': `apiVersion: landscape.dev/v1
kind: TopicDefaults
metadata: { name: team }
spec:
  match: { namePattern: "^${prefix.replaceAll('.', '\\\\.')}team\\\\." }
  partitions: 2
  replicationFactor: default
  config: { retention.ms: "3600000" }
---
apiVersion: landscape.dev/v1
kind: Topic
metadata: { name: ${prefix}team.events }
spec: {}
`,
    });

    // Act
    const applied = await workspace.cli('apply', '.', '--env', 'it', '--auto-approve');
    const replanned = await workspace.cli('plan', '.', '--env', 'it');

    // Assess
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain("created with 2 partitions, the broker's default replication factor");
    expect(replanned.stdout).toContain('No changes.');
    const metadata = await admin.metadata({ topics: [`${prefix}team.events`], forceUpdate: true });
    expect(metadata.topics.get(`${prefix}team.events`)?.partitionsCount).toBe(2);
  });
});
