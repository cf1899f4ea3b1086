import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { configDir } from '../../support/builders.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../../bin/landscape.ts');
const CLUSTER = 'arn:aws:kafka:eu-west-1:123456789012:cluster/main/0a1b2c3d-1';
const TOPIC_ARN = 'arn:aws:kafka:eu-west-1:123456789012:topic/main/0a1b2c3d-1';

/** Runs the real CLI as a user would; no broker is involved (the commands tested here read the config only). */
async function landscape(
  args: readonly string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const ENVIRONMENTS = `apiVersion: landscape.dev/v1
kind: Environment
metadata: { name: prod }
spec:
  kafka:
    bootstrapServers: ["b-1.main.kafka.eu-west-1.amazonaws.com:9098"]
    sasl: { mechanism: aws-msk-iam, clusterArn: "${CLUSTER}" }
  kubernetes: { server: "https://127.0.0.1:6443" }
---
apiVersion: landscape.dev/v1
kind: Environment
metadata: { name: dev }
spec:
  kafka:
    bootstrapServers: ["127.0.0.1:9092"]
    sasl: { mechanism: scram-sha-512, username: landscape, password: { secretRef: { provider: env, name: P } } }
  kubernetes: { server: "https://127.0.0.1:6443" }
`;

const APP = `apiVersion: landscape.dev/v1
kind: App
metadata: { name: writer }
spec:
  principal: User:writer
  produces: [orders]
  runtime: { type: container, image: "ghcr.io/acme/writer:1" }
`;

const ACL = `apiVersion: landscape.dev/v1
kind: Acl
metadata: { name: reporting }
spec:
  principal: User:reporting
  resource: { type: topic, name: orders., patternType: prefixed }
  operations: [read]
`;

describe('landscape access-policy', () => {
  it('writes the IAM policy of every principal, from Apps and Acl documents, without a broker', async () => {
    // Prepare
    const dir = await configDir({ 'envs.yaml': ENVIRONMENTS, 'app.yaml': APP, 'acl.yaml': ACL });
    // Act
    const result = await landscape(['access-policy', '.', '--env', 'prod', '--out', 'policies.json'], dir);
    // Assess
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: 'wrote 2 IAM policy documents to policies.json\n' });
    const policies = JSON.parse(await readFile(join(dir, 'policies.json'), 'utf8'));
    expect(Object.keys(policies)).toEqual(['User:reporting', 'User:writer']);
    expect(policies['User:reporting'].Statement).toEqual([
      {
        Sid: 'AllowCluster',
        Effect: 'Allow',
        Action: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster'],
        Resource: [CLUSTER],
      },
      {
        Sid: 'AllowTopics',
        Effect: 'Allow',
        Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
        Resource: [`${TOPIC_ARN}/orders.*`],
      },
    ]);
  });

  it("prints one principal's document as IAM takes it, to stdout", async () => {
    const dir = await configDir({ 'envs.yaml': ENVIRONMENTS, 'app.yaml': APP });
    const result = await landscape(['access-policy', '.', '--env', 'prod', '--principal', 'User:writer'], dir);
    expect(result.code).toBe(0);
    const policy = JSON.parse(result.stdout);
    expect(policy.Version).toBe('2012-10-17');
    expect(policy.Statement.map((s: { Sid: string; Action: string[] }) => [s.Sid, s.Action])).toEqual([
      [
        'AllowCluster',
        ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster', 'kafka-cluster:WriteDataIdempotently'],
      ],
      ['AllowTopics', ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData']],
    ]);
  });

  it('refuses an unknown principal, a non-IAM environment and an unknown environment, exit 1 with the reason', async () => {
    const dir = await configDir({ 'envs.yaml': ENVIRONMENTS, 'app.yaml': APP });

    const principal = await landscape(['access-policy', '.', '--env', 'prod', '--principal', 'User:writr'], dir);
    expect(principal).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'no access is declared for principal "User:writr" in Environment "prod" (did you mean "User:writer"?); principals with access: User:writer\n',
    });

    const scram = await landscape(['access-policy', '.', '--env', 'dev'], dir);
    expect(scram).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'Environment "dev" connects with SASL scram-sha-512: ACLs are enforced on this cluster; access-policy is for aws-msk-iam environments (on this environment `landscape plan` applies the ACLs)\n',
    });

    const unknown = await landscape(['access-policy', '.', '--env', 'prd'], dir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no Environment named "prd" (did you mean "prod"?)');

    const usage = await landscape(['access-policy', '.'], dir);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toMatch(
      /^landscape access-policy: missing --env ENV\n\nUsage: landscape access-policy DIR --env ENV/,
    );
  });
});

describe('landscape validate on an aws-msk-iam environment', () => {
  it('refuses a hand-written Acl at its file:line, and accepts it once restricted to the environment that enforces ACLs', async () => {
    // Prepare
    const dir = await configDir({ 'envs.yaml': ENVIRONMENTS, 'app.yaml': APP, 'acl.yaml': ACL });
    // Act
    const refused = await landscape(['validate', '.'], dir);
    // Assess
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'acl.yaml:1:1: Acl "reporting": Kafka ACLs are not enforced on Environment "prod": it authenticates with aws-msk-iam',
    );
    expect(refused.stderr).toContain('`landscape access-policy DIR --env prod --principal User:reporting`');

    // Act: the same Acl, only where ACLs are enforced
    const scoped = await configDir({
      'envs.yaml': ENVIRONMENTS,
      'app.yaml': APP,
      'acl.yaml': ACL.replace('metadata: { name: reporting }', 'metadata: { name: reporting, environments: [dev] }'),
    });
    const accepted = await landscape(['validate', '.'], scoped);
    // Assess
    expect(accepted).toMatchObject({ code: 0, stdout: 'configuration is valid (2 environments: prod, dev)\n' });
  });
});
