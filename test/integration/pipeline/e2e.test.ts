import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigResourceTypes } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, verifySignature } from '../../../lib/adapters/common/webhook-signature.ts';
import { LocalSecretResolver } from '../../../lib/adapters/secrets/env-secret-resolver.ts';
import type { AuditRecord, StoredPlan } from '../../../lib/ports/state-store.ts';
import { type RunningServer, startServer } from '../../../lib/serve/server.ts';
import { cleanupPrefix, kafkaTestEnv, rawAdmin } from '../../../scripts/services/kafka-broker.ts';
import { topicDocument } from '../../support/builders.ts';
import { GitServer } from '../../support/git.ts';
import { githubHeaders, pushPayload } from '../../support/github.ts';
import { startReceiver } from '../../support/http-receiver.ts';
import { testEnvironmentYaml, uniquePrefix } from '../../support/kafka.ts';
import { freePort } from '../../support/net.ts';

/**
 * End to end on real services: a config repository on the local git smart-HTTP server, `landscape serve`
 * (the webhook and API handlers, file store, in-process apply) and the shared Kafka broker.
 */
const SECRET = 'e2e-webhook-secret-0123456789';
const TOKEN = 'e2e-api-token-0123456789abcdef';
const REPO = 'acme/e2e-config';
const E2E_AUDIT_SECRET = 'e2e-audit-signing-secret-5b7d';

const prefix = uniquePrefix('e2e');
const environment = prefix.slice(0, -1);

function environmentYaml(): string {
  return testEnvironmentYaml(environment, { branch: 'main', passwordVariable: 'E2E_KAFKA_PASSWORD' });
}

function topics(list: { name: string; partitions: number; retention: string }[]): string {
  return list.map((t) => topicDocument(`${prefix}${t.name}`, t.partitions, t.retention)).join('');
}

let work: string;
let git: GitServer;
let server: RunningServer;
const admin = rawAdmin('landscape-e2e-check');

async function send(body: string, headers: Record<string, string>): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${server.url}/webhooks/github`, { method: 'POST', headers, body });
  return { status: response.status, json: await response.json() };
}

async function push(commit: string, delivery: string = randomUUID()) {
  const body = await pushPayload(REPO, commit);
  return send(body, await githubHeaders(SECRET, 'push', body, delivery));
}

async function liveTopics(): Promise<Map<string, { partitions: number; retention?: string }>> {
  const names = (await admin.listTopics()).filter((t) => t.startsWith(prefix)).sort();
  const result = new Map<string, { partitions: number; retention?: string }>();
  if (names.length === 0) return result;
  const metadata = await admin.metadata({ topics: names, forceUpdate: true });
  const configs = await admin.describeConfigs({
    resources: names.map((name) => ({
      resourceType: ConfigResourceTypes.TOPIC,
      resourceName: name,
      configurationKeys: ['retention.ms'],
    })),
  });
  for (const name of names) {
    const retention = configs.find((c) => c.resourceName === name)?.configs.find((c) => c.name === 'retention.ms');
    result.set(name, {
      partitions: metadata.topics.get(name)?.partitionsCount ?? 0,
      ...(retention?.value ? { retention: retention.value } : {}),
    });
  }
  return result;
}

async function plans(): Promise<StoredPlan[]> {
  return server.deps.store.listPlans(environment);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'landscape-e2e-'));
  git = new GitServer(work, await freePort());
  await git.start();
  server = await startServer({
    stateDir: join(work, 'state'),
    webhookSecret: SECRET,
    apiToken: TOKEN,
    repositories: [REPO],
    git: { baseUrl: git.url },
    secrets: new LocalSecretResolver({ env: { E2E_KAFKA_PASSWORD: kafkaTestEnv.password, E2E_AUDIT_SECRET } }),
    settings: { lockWaitMs: 30_000 },
    // The steps below count plans per push; the catch-up has its own test (test/integration/serve).
    catchUpIntervalSeconds: 0,
    logLevel: (process.env.E2E_LOG_LEVEL as 'INFO' | undefined) ?? 'WARN',
  });
});

afterAll(async () => {
  await server?.close();
  await git?.stop();
  await admin.close().catch(() => undefined);
  await cleanupPrefix(prefix);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('landscape serve, end to end', () => {
  let first: string;
  let second: string;

  it('a signed push ends with the topics on the broker', async () => {
    first = await git.commit(REPO, {
      'environments.yaml': environmentYaml(),
      'topics/payments.yaml': topics([
        { name: 'orders', partitions: 3, retention: '86400000' },
        { name: 'refunds', partitions: 1, retention: '86400000' },
      ]),
    });
    const response = await push(first);
    expect(response.status).toBe(202);
    expect(response.json).toMatchObject({ status: 'accepted', type: 'plan-push' });
    await server.idle();

    const live = await liveTopics();
    expect(live.get(`${prefix}orders`)).toEqual({ partitions: 3, retention: '86400000' });
    expect(live.get(`${prefix}refunds`)).toEqual({ partitions: 1, retention: '86400000' });
    expect(await server.deps.store.getApplied(environment)).toMatchObject({ commit: first });
    expect((await plans()).map((p) => p.status)).toEqual(['Applied']);
  });

  it('a second push that changes a topic applies the change', async () => {
    second = await git.commit(REPO, {
      'environments.yaml': environmentYaml(),
      'topics/payments.yaml': topics([
        { name: 'orders', partitions: 6, retention: '172800000' },
        { name: 'refunds', partitions: 1, retention: '86400000' },
      ]),
    });
    expect((await push(second, 'delivery-second')).status).toBe(202);
    await server.idle();

    const live = await liveTopics();
    expect(live.get(`${prefix}orders`)).toEqual({ partitions: 6, retention: '172800000' });
    const latest = (await plans())[0];
    expect(latest).toMatchObject({ status: 'Applied', trigger: 'push' });
    expect(latest?.plan.changes.map((c) => `${c.action} ${c.name}`)).toEqual([`Update ${prefix}orders`]);
    expect(await server.deps.store.getApplied(environment)).toMatchObject({ commit: second });
  });

  it('an unsigned or forged request gets 401 and changes nothing', async () => {
    const third = await git.commit(REPO, {
      'environments.yaml': environmentYaml(),
      'topics/payments.yaml': topics([
        { name: 'orders', partitions: 6, retention: '172800000' },
        { name: 'refunds', partitions: 1, retention: '86400000' },
        { name: 'forged', partitions: 1, retention: '1000' },
      ]),
    });
    const body = await pushPayload(REPO, third);
    const headers = await githubHeaders(SECRET, 'push', body, randomUUID());
    const { 'x-hub-signature-256': _signature, ...unsigned } = headers;
    expect((await send(body, unsigned)).status).toBe(401);
    const otherSecret = await githubHeaders('not-the-webhook-secret-012345', 'push', body, randomUUID());
    expect((await send(body, otherSecret)).status).toBe(401);
    // A genuine signature of another body, replayed with this body.
    const genuine = await pushPayload(REPO, second);
    const stolen = await githubHeaders(SECRET, 'push', genuine, randomUUID());
    expect((await send(body, stolen)).status).toBe(401);
    await server.idle();

    expect((await liveTopics()).has(`${prefix}forged`)).toBe(false);
    expect(await plans()).toHaveLength(2);
    expect(await server.deps.store.getApplied(environment)).toMatchObject({ commit: second });
  });

  it('replaying the same delivery does nothing', async () => {
    const body = await pushPayload(REPO, second);
    const headers = await githubHeaders(SECRET, 'push', body, 'delivery-second');
    const replay = await send(body, headers);
    expect(replay.status).toBe(200);
    expect(replay.json).toMatchObject({ status: 'duplicate' });
    await server.idle();
    expect(await plans()).toHaveLength(2);
  });

  it('two pushes in quick succession apply only the newer commit', async () => {
    const base = [
      { name: 'orders', partitions: 6, retention: '172800000' },
      { name: 'refunds', partitions: 1, retention: '86400000' },
    ];
    const older = await git.commit(REPO, {
      'environments.yaml': environmentYaml(),
      'topics/payments.yaml': topics([...base, { name: 'older', partitions: 1, retention: '1000' }]),
    });
    const newer = await git.commit(REPO, {
      'environments.yaml': environmentYaml(),
      'topics/payments.yaml': topics([...base, { name: 'newer', partitions: 2, retention: '2000' }]),
    });
    const [a, b] = await Promise.all([push(older), push(newer)]);
    expect([a.status, b.status]).toEqual([202, 202]);
    await server.idle();

    const live = await liveTopics();
    expect(live.has(`${prefix}older`)).toBe(false);
    expect(live.get(`${prefix}newer`)).toEqual({ partitions: 2, retention: '2000' });
    expect(await server.deps.store.getApplied(environment)).toMatchObject({ commit: newer });
    const byCommit = new Map((await plans()).map((p) => [p.plan.source.commit, p.status]));
    expect(byCommit.get(newer)).toBe('Applied');
    expect(['Superseded', undefined]).toContain(byCommit.get(older));
  });

  it('serves the operator API behind the bearer token', async () => {
    expect((await fetch(`${server.url}/api/status`)).status).toBe(401);
    const response = await fetch(`${server.url}/api/status?environment=${environment}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(200);
    const status = (await response.json()) as { environments: { applied?: { commit: string } }[] };
    expect(status.environments[0]?.applied?.commit).toBe(await server.deps.git.resolveBranch(REPO, 'main'));

    // Drift: live matches the applied commit.
    expect(await server.checkDrift([environment])).toMatchObject([{ status: 'in-sync' }]);
  });

  it("a merged AuditSink receives that push's plan and apply records and later drift results, signed", async () => {
    const receiver = await startReceiver(() => 200);
    try {
      const audited = await git.commit(REPO, {
        'environments.yaml': environmentYaml(),
        'topics/payments.yaml': topics([
          { name: 'orders', partitions: 6, retention: '172800000' },
          { name: 'refunds', partitions: 1, retention: '86400000' },
          { name: 'newer', partitions: 2, retention: '2000' },
          { name: 'audited', partitions: 1, retention: '3000' },
        ]),
        'governance/audit.yaml': `apiVersion: landscape.dev/v1
kind: AuditSink
metadata: { name: siem }
spec: { type: webhook, url: "${receiver.url}/audit", secret: { secretRef: { provider: env, name: E2E_AUDIT_SECRET } } }
`,
      });
      expect((await push(audited)).status).toBe(202);
      await server.idle();
      expect(await server.checkDrift([environment])).toMatchObject([{ status: 'in-sync' }]);

      const hooks = receiver.take('/audit');
      const records = hooks.map((h) => JSON.parse(h.body) as AuditRecord);
      expect(records.filter((r) => r.commit === audited).map((r) => [r.type, r.outcome])).toEqual([
        ['plan', 'Planned'],
        ['apply', 'Started'],
        ['apply', 'Succeeded'],
        ['drift', 'InSync'],
      ]);
      for (const hook of hooks) {
        expect(verifySignature(E2E_AUDIT_SECRET, hook.body, hook.headers[SIGNATURE_HEADER] as string)).toBe(true);
      }
      expect(JSON.stringify(hooks)).not.toContain(E2E_AUDIT_SECRET);
    } finally {
      await receiver.close();
    }
  });
});
