import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AclOperations, AclPermissionTypes, ResourcePatternTypes, ResourceTypes } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaProvider } from '../../../lib/adapters/kafka/kafka-provider.ts';
import type { DoctorReport } from '../../../lib/model/doctor.ts';
import { cleanupPrefix, kafkaTestEnv, rawAdmin, testKafkaConnection } from '../../../scripts/services/kafka-broker.ts';
import { scramUserChange } from '../../../scripts/services/kafka-changes.ts';
import { writeFiles } from '../../support/builders.ts';
import { type CliResult, landscapeCli } from '../../support/cli/landscape-cli.ts';
import { availableCluster } from '../../support/k8s.ts';
import { createTopicsAndWait, envSecretResolver } from '../../support/kafka.ts';
import { registerTestSecret } from '../../support/scan/suite-secrets.ts';
import { uniqueName } from '../../support/unique-name.ts';

/**
 * `landscape doctor` against the real services on loopback: the shared broker (SCRAM, ACL authorizer), the
 * schema registry and Connect (behind a Basic-auth front, since the shared ones take no credentials), and the
 * test kube-apiserver. Each failure names what is wrong and the fix; no secret value appears in any output.
 */
const cluster = await availableCluster();
const registryUrl = process.env.SCHEMA_REGISTRY_URL ?? '';
const connectUrl = process.env.KAFKA_CONNECT_URL ?? '';
const up = Boolean(registryUrl && connectUrl && cluster);

const secret = (name: string) => registerTestSecret(name, `pw-${randomBytes(9).toString('base64url')}`);
const HTTP_PASSWORD = secret('DOCTOR_HTTP_PASSWORD');
const WRONG_PASSWORD = secret('DOCTOR_WRONG_PASSWORD');
const USER_PASSWORD = secret('DOCTOR_USER_PASSWORD');

/** Answers 401 unless the request carries Basic doctor:HTTP_PASSWORD, then forwards it to `upstream`. */
function basicAuthFront(upstream: string): Promise<{ url: string; close(): void }> {
  const target = new URL(upstream);
  const expected = `Basic ${Buffer.from(`doctor:${HTTP_PASSWORD}`).toString('base64')}`;
  const server = http.createServer((req, res) => {
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error_code: 401, message: 'Unauthorized' }));
      return;
    }
    const headers = { ...req.headers, host: target.host };
    delete headers.authorization;
    const upstreamRequest = http.request(
      new URL(req.url ?? '/', target.origin),
      { method: req.method, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstreamRequest.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstreamRequest);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${target.pathname.replace(/\/$/, '')}`,
        close: () => server.close(),
      }),
    ),
  );
}

const indent = (text: string, spaces: number) =>
  text
    .trim()
    .split('\n')
    .map((line) => `${' '.repeat(spaces)}${line}`)
    .join('\n');

describe.runIf(up)('landscape doctor', { timeout: 180_000 }, () => {
  const c = cluster as NonNullable<typeof cluster>;
  const name = uniqueName('it-doctor');
  const user = `${name}-user`;
  let work = '';
  let registry: { url: string; close(): void };
  let connect: { url: string; close(): void };
  let silent: net.Server;
  const sockets = new Set<net.Socket>();
  const outputs: CliResult[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'landscape-doctor-'));
    registry = await basicAuthFront(registryUrl);
    connect = await basicAuthFront(connectUrl);
    // Accepts connections and never answers: a host that "hangs" rather than refuses.
    silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    // A SCRAM user with no ACL at all: it authenticates, and the authorizer refuses it everything.
    const secrets = envSecretResolver({ DOCTOR_USER_PASSWORD: USER_PASSWORD });
    const kafka = await createKafkaProvider(testKafkaConnection(), secrets);
    try {
      const [result] = await kafka.apply(
        [scramUserChange('Create', user, [{ mechanism: 'SCRAM-SHA-512', passwordEnvName: 'DOCTOR_USER_PASSWORD' }])],
        { secrets },
      );
      expect(result?.outcome).toBe('Succeeded');
    } finally {
      await kafka.close();
    }
    // The declared topic exists, and the user may only DESCRIBE it: the other topic permissions are missing.
    await createTopicsAndWait([`${name}.orders`], 1);
    const admin = rawAdmin('landscape-it-doctor');
    try {
      await admin.createAcls({
        creations: [
          {
            resourceType: ResourceTypes.TOPIC,
            resourceName: `${name}.orders`,
            resourcePatternType: ResourcePatternTypes.LITERAL,
            principal: `User:${user}`,
            host: '*',
            operation: AclOperations.DESCRIBE,
            permissionType: AclPermissionTypes.ALLOW,
          },
        ],
      });
    } finally {
      await admin.close();
    }
  });

  afterAll(async () => {
    registry?.close();
    connect?.close();
    for (const socket of sockets) socket.destroy();
    silent?.close();
    await cleanupPrefix(name);
    if (work) await rm(work, { recursive: true, force: true });
  });

  interface Setup {
    kafkaUser?: string;
    kafkaPasswordVariable?: string;
    bootstrap?: string;
    httpPasswordVariable?: string;
    k8sTokenVariable?: string;
  }

  async function doctor(
    setup: Setup,
    extraArgs: string[] = [],
  ): Promise<{ result: CliResult; report: DoctorReport; dir: string }> {
    const dir = await mkdtemp(join(work, 'cfg-'));
    await writeFiles(dir, {
      'env.yaml': `apiVersion: landscape.dev/v1
kind: Environment
metadata: { name: ${name} }
spec:
  kafka:
    bootstrapServers: ["${setup.bootstrap ?? kafkaTestEnv.bootstrap}"]
    sasl:
      mechanism: scram-sha-512
      username: ${setup.kafkaUser ?? kafkaTestEnv.username}
      password: { secretRef: { provider: env, name: ${setup.kafkaPasswordVariable ?? 'KAFKA_PASSWORD'} } }
  schemaRegistry:
    url: ${registry.url}
    username: doctor
    password: { secretRef: { provider: env, name: ${setup.httpPasswordVariable ?? 'DOCTOR_HTTP'} } }
  connect:
    default:
      url: ${connect.url}
      username: doctor
      password: { secretRef: { provider: env, name: ${setup.httpPasswordVariable ?? 'DOCTOR_HTTP'} } }
  kubernetes:
    server: ${c.server}
    namespace: default
    token: { secretRef: { provider: env, name: ${setup.k8sTokenVariable ?? 'DOCTOR_K8S_ADMIN'} } }
    ca: |
${indent(c.ca, 6)}
`,
      'resources.yaml': `apiVersion: landscape.dev/v1
kind: Topic
metadata: { name: ${name}.orders }
spec: { partitions: 1, replicationFactor: 1 }
---
apiVersion: landscape.dev/v1
kind: KubernetesManifest
metadata: { name: ${name}-settings }
spec:
  manifest: { apiVersion: v1, kind: ConfigMap, metadata: { name: ${name}-settings }, data: { mode: fast } }
`,
    });
    const result = await landscapeCli(['doctor', dir, '--env', name, '--json', ...extraArgs], {
      state: join(dir, '.state'),
      env: {
        DOCTOR_HTTP: HTTP_PASSWORD,
        DOCTOR_HTTP_WRONG: WRONG_PASSWORD,
        DOCTOR_KAFKA_WRONG: WRONG_PASSWORD,
        DOCTOR_KAFKA_USER: USER_PASSWORD,
        DOCTOR_K8S_ADMIN: c.adminToken,
        DOCTOR_K8S_DEV: c.userToken,
        DOCTOR_K8S_WRONG: WRONG_PASSWORD,
      },
    });
    outputs.push(result);
    return { result, report: JSON.parse(result.stdout) as DoctorReport, dir };
  }

  const line = (report: DoctorReport, target: string, check: string) =>
    report.checks.find((c) => c.target === target && c.check === check);
  const failures = (report: DoctorReport) =>
    report.checks.filter((c) => c.status === 'failed').map((c) => `${c.target}: ${c.check}`);

  it('passes every check of a healthy environment, and prints one line per check', async () => {
    const { result, report, dir } = await doctor({});
    expect(failures(report)).toEqual([]);
    expect(result.code).toBe(0);
    expect(report.ok).toBe(true);
    expect(line(report, 'kafka', 'authentication')?.detail).toBe(
      `authenticated with SASL/SCRAM-SHA-512 as "${kafkaTestEnv.username}"`,
    );
    expect(line(report, 'kafka', 'describe topics')?.detail).toBe('1 declared topic readable, 0 not created yet');
    for (const check of ['topic permissions', 'read topic configs', 'alter topic configs', 'create topics']) {
      expect(line(report, 'kafka', check)).toMatchObject({ status: 'ok' });
    }
    expect(line(report, 'schema registry', 'list subjects')).toMatchObject({ status: 'ok' });
    expect(line(report, 'connect "default"', 'list plugins')).toMatchObject({ status: 'ok' });
    expect(line(report, 'kubernetes', 'ConfigMap in namespace "default"')).toMatchObject({
      status: 'ok',
      detail: 'get, list, create, patch configmaps allowed',
    });
    expect(line(report, 'github', 'token')).toMatchObject({ status: 'skipped' });
    expect(report.checks.filter((c) => c.target === 'secrets').map((c) => c.status)).toEqual(['ok', 'ok', 'ok', 'ok']);

    const text = await landscapeCli(['doctor', dir, '--env', name], {
      state: join(dir, '.state'),
      env: { DOCTOR_HTTP: HTTP_PASSWORD, DOCTOR_K8S_ADMIN: c.adminToken },
    });
    outputs.push(text);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      `✓ kafka: authentication: authenticated with SASL/SCRAM-SHA-512 as "${kafkaTestEnv.username}"`,
    );
    expect(text.stdout).toMatch(/all \d+ checks passed\n$/);
  });

  it('names a wrong Kafka password as an authentication failure, with the fix', async () => {
    const { result, report } = await doctor({ kafkaPasswordVariable: 'DOCTOR_KAFKA_WRONG' });
    expect(result.code).toBe(1);
    expect(line(report, 'kafka', 'reachable')).toMatchObject({ status: 'ok' });
    expect(line(report, 'kafka', 'authentication')).toMatchObject({
      status: 'failed',
      detail: expect.stringContaining('invalid credentials'),
      fix: expect.stringContaining('spec.kafka.sasl.username and the password secret'),
    });
  });

  it('names the permissions a SCRAM user without ACLs lacks', async () => {
    const { result, report } = await doctor({ kafkaUser: user, kafkaPasswordVariable: 'DOCTOR_KAFKA_USER' });
    expect(result.code).toBe(1);
    expect(line(report, 'kafka', 'authentication')).toMatchObject({ status: 'ok' });
    expect(line(report, 'kafka', 'cluster permissions')).toMatchObject({
      status: 'failed',
      detail: expect.stringContaining('DESCRIBE on the cluster is not granted'),
      fix: expect.stringContaining('--operation Describe --cluster'),
    });
    expect(line(report, 'kafka', 'read ACLs')).toMatchObject({
      status: 'failed',
      detail: expect.stringContaining('cluster authorization failed'),
    });
    expect(line(report, 'kafka', 'describe topics')).toMatchObject({ status: 'ok' });
    expect(line(report, 'kafka', 'topic permissions')).toMatchObject({
      status: 'failed',
      detail: `missing on 1 topic ("${name}.orders"): DESCRIBE_CONFIGS (reading topic configs), ALTER_CONFIGS (changing topic configs), ALTER (adding partitions)`,
    });
    expect(line(report, 'kafka', 'read topic configs')).toMatchObject({
      status: 'failed',
      detail: `DescribeConfigs denied on 1 topic: "${name}.orders"`,
    });
    expect(line(report, 'kafka', 'alter topic configs')).toMatchObject({
      status: 'failed',
      detail: `ALTER_CONFIGS denied on 1 topic: "${name}.orders" (IncrementalAlterConfigs, validateOnly)`,
    });
    expect(line(report, 'kafka', 'create topics')).toMatchObject({
      status: 'failed',
      detail: expect.stringContaining(`CREATE denied for 1 topic: "${name}.orders"`),
    });
  });

  it('reports an unreachable port and a host that never answers, each within its timeout', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = net.createServer();
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const refused = await doctor({ bootstrap: `127.0.0.1:${closed}` }, ['--timeout', '2']);
    expect(refused.result.code).toBe(1);
    expect(line(refused.report, 'kafka', 'reachable')).toMatchObject({
      status: 'failed',
      detail: expect.stringContaining('ECONNREFUSED'),
      fix: expect.stringContaining('spec.kafka.bootstrapServers'),
    });
    expect(line(refused.report, 'kafka', 'authentication')).toMatchObject({ status: 'skipped' });

    const started = Date.now();
    const silentPort = (silent.address() as AddressInfo).port;
    const hanging = await doctor({ bootstrap: `127.0.0.1:${silentPort}` }, ['--timeout', '1']);
    // Without the bounds the Kafka client would wait its own 30 s request timeout, three times over.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(hanging.result.code).toBe(1);
    expect(hanging.report.checks.find((c) => c.target === 'kafka')).toMatchObject({ status: 'failed' });
  });

  it('names wrong registry, Connect and Kubernetes credentials, and missing Kubernetes permissions', async () => {
    const wrong = await doctor({ httpPasswordVariable: 'DOCTOR_HTTP_WRONG', k8sTokenVariable: 'DOCTOR_K8S_WRONG' });
    expect(wrong.result.code).toBe(1);
    for (const target of ['schema registry', 'connect "default"']) {
      expect(line(wrong.report, target, 'reachable')).toMatchObject({ status: 'ok' });
      expect(line(wrong.report, target, 'authentication')).toMatchObject({
        status: 'failed',
        detail: expect.stringContaining('refused the credentials (auth: basic, HTTP 401'),
      });
    }
    expect(line(wrong.report, 'kubernetes', 'authentication')).toMatchObject({
      status: 'failed',
      detail: expect.stringContaining('refused the credentials (auth: token)'),
    });

    const dev = await doctor({ k8sTokenVariable: 'DOCTOR_K8S_DEV' });
    expect(dev.result.code).toBe(1);
    expect(line(dev.report, 'kubernetes', 'ConfigMap in namespace "default"')).toMatchObject({
      status: 'failed',
      detail: '"dev" may not get, list, create, patch configmaps in namespace "default"',
      fix: expect.stringContaining('Role and RoleBinding'),
    });
  });

  it('prints no secret value in any output', () => {
    const values = [HTTP_PASSWORD, WRONG_PASSWORD, USER_PASSWORD, kafkaTestEnv.password, c.adminToken, c.userToken];
    for (const output of outputs) {
      for (const value of values) {
        expect(output.stdout).not.toContain(value);
        expect(output.stderr).not.toContain(value);
      }
    }
  });
});
