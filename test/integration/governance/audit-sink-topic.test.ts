import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTopicSampler } from '../../../lib/adapters/kafka/monitoring.ts';
import { LocalSecretResolver } from '../../../lib/adapters/secrets/env-secret-resolver.ts';
import { FileStateStore } from '../../../lib/adapters/store/file-state-store.ts';
import type { AuditRecord } from '../../../lib/ports/state-store.ts';
import { type RunningServer, startServer } from '../../../lib/serve/server.ts';
import { cleanupPrefix, kafkaTestEnv, testKafkaConnection } from '../../../scripts/services/kafka-broker.ts';
import { configDir, topicYaml } from '../../support/builders.ts';
import { landscapeCli } from '../../support/cli/landscape-cli.ts';
import { GitServer } from '../../support/git.ts';
import { githubHeaders, pushPayload } from '../../support/github.ts';
import { envSecretResolver, testEnvironmentYaml, uniquePrefix } from '../../support/kafka.ts';
import { freePort } from '../../support/net.ts';

/**
 * An AuditSink whose Kafka topic is declared in the same config: the topic does not exist until the apply
 * creates it, yet no audit record addressed to it is lost (the shared broker has auto-create off).
 */
const prefix = uniquePrefix('it-audit-topic');
const SECRET = 'audit-topic-webhook-secret-0123';
const REPO = 'acme/audit-topic';

let work: string;
let git: GitServer | undefined;
let server: RunningServer | undefined;

function files(environment: string, auditTopic: string): Record<string, string> {
  return {
    'env.yaml': testEnvironmentYaml(environment),
    'topics.yaml': topicYaml(auditTopic),
    'audit.yaml': `apiVersion: landscape.dev/v1
kind: AuditSink
metadata: { name: audit-topic }
spec: { type: kafka, topic: ${auditTopic} }
`,
  };
}

/** The audit records on a topic, one per record id (receivers dedupe by id: a retried send may repeat one). */
async function recordsIn(topic: string): Promise<AuditRecord[]> {
  const sampler = await openTopicSampler({ kafka: testKafkaConnection() }, envSecretResolver());
  try {
    const records = (await sampler.recent(topic, 50)).map(
      (r) => JSON.parse(r.value?.toString() ?? '{}') as AuditRecord,
    );
    return [...new Map(records.map((r) => [r.id, r])).values()];
  } finally {
    await sampler.close();
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'landscape-audit-topic-'));
});

afterAll(async () => {
  await server?.close();
  await git?.stop();
  await cleanupPrefix(prefix);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('a Kafka AuditSink whose topic the same apply creates', () => {
  it('receives the plan and apply records of the push that creates it (landscape serve)', async () => {
    // Prepare
    const environment = `${prefix}serve`;
    const topic = `${prefix}serve-audit`;
    git = new GitServer(work, await freePort());
    await git.start();
    const sha = await git.commit(REPO, files(environment, topic));
    server = await startServer({
      stateDir: join(work, 'state'),
      webhookSecret: SECRET,
      apiToken: 'audit-topic-api-token-0123456789',
      repositories: [REPO],
      git: { baseUrl: git.url },
      secrets: new LocalSecretResolver({ env: { KAFKA_PASSWORD: kafkaTestEnv.password } }),
      catchUpIntervalSeconds: 0,
      logLevel: 'SILENT',
    });

    // Act
    const body = await pushPayload(REPO, sha);
    const response = await fetch(`${server.url}/webhooks/github`, {
      method: 'POST',
      headers: await githubHeaders(SECRET, 'push', body, `delivery-${prefix}`),
      body,
    });
    await server.idle();

    // Assess: every record the store holds for the environment reached the topic, the first one included.
    expect(response.status).toBe(202);
    const stored = await server.deps.store.listAudit(environment);
    expect(stored.map((r) => `${r.type} ${r.outcome}`)).toEqual(
      expect.arrayContaining(['plan Planned', 'apply Succeeded']),
    );
    const delivered = await recordsIn(topic);
    expect(delivered.map((r) => r.id).sort()).toEqual(stored.map((r) => r.id).sort());
  });

  it('receives the apply record of `landscape apply` that creates it', async () => {
    // Prepare
    const environment = `${prefix}cli`;
    const topic = `${prefix}cli-audit`;
    const dir = await configDir(files(environment, topic));
    const state = join(work, 'cli-state');

    // Act
    const applied = await landscapeCli(['apply', '.', '--env', environment, '--auto-approve'], { cwd: dir, state });

    // Assess: every record of the apply reached the topic, the one written before the apply created it too
    // (the plan before it is older than the published sinks: nothing to send it to yet).
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Apply Succeeded');
    const stored = (await new FileStateStore(state).listAudit(environment)).filter((r) => r.type === 'apply');
    expect(stored.map((r) => r.outcome).sort()).toEqual(['Started', 'Succeeded']);
    const delivered = (await recordsIn(topic)).map((r) => r.id);
    expect(delivered).toEqual(expect.arrayContaining(stored.map((r) => r.id)));
  });
});
