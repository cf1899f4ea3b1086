import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../lib/config/load-config.ts';
import { renderAndCheck } from '../../../../lib/engine/plan-environment.ts';
import { formatProblem } from '../../../../lib/errors.ts';
import { configDir } from '../../../support/builders.ts';

function environment(name: string, sasl: string): string {
  return `apiVersion: landscape.dev/v1
kind: Environment
metadata: { name: ${name} }
spec:
  kafka:
    bootstrapServers: ["broker:9098"]
    sasl: ${sasl}
  kubernetes: { server: "https://127.0.0.1:6443" }
`;
}

const ACL = `apiVersion: landscape.dev/v1
kind: Topic
metadata: { name: orders }
spec: { partitions: 1, replicationFactor: 1 }
---
apiVersion: landscape.dev/v1
kind: Acl
metadata: { name: orders-readers }
spec:
  principal: User:reporting
  resource: { type: topic, name: orders }
  operations: [read, describe]
`;

const APP = `apiVersion: landscape.dev/v1
kind: App
metadata: { name: reader }
spec:
  principal: User:reader
  consumes: [orders]
  runtime: { type: container, image: "ghcr.io/acme/reader:1" }
`;

async function problemsOf(env: string, files: Record<string, string>) {
  const dir = await configDir({
    'envs.yaml': `${environment('prod', '{ mechanism: aws-msk-iam }')}---\n${environment('dev', '{ mechanism: plain, username: u, password: { secretRef: { provider: env, name: P } } }')}`,
    ...files,
  });
  const { problems } = renderAndCheck(await loadConfig(dir, env));
  return problems.map((p) => formatProblem(p).replace(`${dir}/`, ''));
}

describe('checkAclsOnIam', () => {
  it('refuses a hand-written Acl on an aws-msk-iam Environment at its file:line, saying why and what to use', async () => {
    // Act
    const problems = await problemsOf('prod', { 'access.yaml': ACL });

    // Assess
    expect(problems).toEqual([
      'access.yaml:6:1: Acl "orders-readers": Kafka ACLs are not enforced on Environment "prod": it authenticates with aws-msk-iam, where IAM policies decide access, so this Acl would grant or deny nothing (use the IAM policy rendered from it, `landscape access-policy DIR --env prod --principal User:reporting`, attached to that principal\'s IAM role; then restrict this Acl to the environments that enforce ACLs (metadata.environments) or remove it)',
    ]);
  });

  it('accepts the same Acl where ACLs are enforced, and Apps on IAM (their access is planned as IAM policies)', async () => {
    expect(await problemsOf('dev', { 'access.yaml': ACL })).toEqual([]);
    expect(await problemsOf('prod', { 'app.yaml': `${APP}---\n${ACL.split('---\n')[0]}` })).toEqual([]);
  });

  it('follows metadata.environments: an Acl restricted to the ACL environments passes on the IAM one', async () => {
    const scoped = ACL.replace(
      'metadata: { name: orders-readers }',
      'metadata: { name: orders-readers, environments: [dev] }',
    );
    expect(await problemsOf('prod', { 'access.yaml': scoped })).toEqual([]);
  });
});
