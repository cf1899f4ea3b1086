import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleHandler, localHandlerEnv } from '../../../bench/bundles.ts';
import { SIGNATURE_HEADER, verifySignature } from '../../../lib/adapters/common/webhook-signature.ts';
import { FileStateStore } from '../../../lib/adapters/store/file-state-store.ts';
import { loadConfig } from '../../../lib/config/load-config.ts';
import { publishMonitorConfig } from '../../../lib/config/published-config.ts';
import { keys } from '../../../lib/model/keys.ts';
import type { AuditRecord } from '../../../lib/ports/state-store.ts';
import { cleanupPrefix, kafkaTestEnv, rawAdmin, testProducer } from '../../../scripts/services/kafka-broker.ts';
import { configDir } from '../../support/builders.ts';
import { startReceiver } from '../../support/http-receiver.ts';
import { createTopicsAndWait, testEnvironmentYaml, uniquePrefix } from '../../support/kafka.ts';
import {
  invokeFunction,
  invokeHttpFunction,
  type RunningFunction,
  startFunction,
} from '../../support/lambda-runtime.ts';
import { ROOT } from '../../support/paths.ts';
import { SUITE_SECRETS } from '../../support/scan/suite-secrets.ts';

/**
 * The bundled api and monitor functions under the real Lambda runtime interface client, on the real broker,
 * reading only what a merged push published (no git): GET /topics/{name}/sample masks by the DataPolicies and
 * its audit record reaches the AuditSink, signed; the scheduled monitor evaluates a consumer-lag AlertRule from
 * real offsets and triggers PagerDuty. What runs is the esbuild bundle the CDK stack deploys.
 */
const _run = promisify(execFile);
const prefix = uniquePrefix('it-gov-lambda');
const topic = `${prefix}cards`;
const group = `${prefix}g`;
const AUDIT_SECRET = SUITE_SECRETS.LAMBDA_AUDIT_SECRET as string;
const PD_ROUTING_KEY = SUITE_SECRETS.LAMBDA_PD_ROUTING_KEY as string;

let work: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const runtimes: RunningFunction[] = [];
let api: LambdaClient;
let monitor: LambdaClient;

/** Bundles a handler and runs it under the Lambda runtime interface client. */
async function startBundled(name: 'api' | 'monitor', env: NodeJS.ProcessEnv): Promise<LambdaClient> {
  const fnDir = join(work, `fn-${name}`);
  const bundle = await bundleHandler(name, fnDir);
  expect(bundle.containsKafka).toBe(true);
  const running = await startFunction(fnDir, { name: `landscape-${name}`, runDir: join(work, `run-${name}`), env });
  runtimes.push(running);
  return running.client;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'landscape-lambda-gov-'));
  receiver = await startReceiver(() => 200);
  await createTopicsAndWait([topic], 1);
  // Idempotent: the lag below counts these two records, and a retried batch must not make them four.
  const producer = testProducer(`${prefix}p`);
  await producer.send({
    messages: [1, 2].map((id) => ({
      topic,
      value: Buffer.from(JSON.stringify({ id, card: { number: `41111111111111${10 + id}` }, owner: 'Ann' })),
    })),
  });
  await producer.close();
  // A consumer group that read nothing: lag 2 on the only partition.
  const admin = rawAdmin(`${prefix}a`);
  await admin.alterConsumerGroupOffsets({
    groupId: group,
    topics: [{ name: topic, partitionOffsets: [{ partition: 0, offset: 0n }] }],
  });
  await admin.close();

  // What a merged push publishes: the environment's connections, DataPolicies and AuditSinks.
  const dir = await configDir({
    'env.yaml': testEnvironmentYaml('it-lambda', { passwordVariable: 'LANDSCAPE_SECRET_KAFKA_PASSWORD' }),
    'governance.yaml': `apiVersion: landscape.dev/v1
kind: DataPolicy
metadata: { name: cards }
spec: { topics: ["${prefix}*"], fields: ["card.number"], redaction: { type: last-n, n: 4 } }
---
apiVersion: landscape.dev/v1
kind: AuditSink
metadata: { name: siem }
spec: { type: webhook, url: "${receiver.url}/audit", secret: { secretRef: { provider: env, name: LANDSCAPE_SECRET_AUDIT } } }
---
apiVersion: landscape.dev/v1
kind: Channel
metadata: { name: oncall }
spec: { type: pagerduty, url: "${receiver.url}/pd", routingKey: { secretRef: { provider: env, name: LANDSCAPE_SECRET_PD } } }
---
apiVersion: landscape.dev/v1
kind: AlertRule
metadata: { name: cards-lag }
spec:
  condition: { type: consumer-lag, group: ${group}, maxMessages: 1 }
  severity: critical
  channels: [oncall]
`,
  });
  const stateDir = join(work, 'state');
  const state = new FileStateStore(stateDir);
  await publishMonitorConfig(state, await loadConfig(dir, 'it-lambda'), { commit: 'a'.repeat(40) });
  await state.saveInventory('it-lambda', { [keys.topic(topic)]: { key: keys.topic(topic), kind: 'Topic' } });

  // In the functions, env references reach only LANDSCAPE_SECRET_* variables.
  const shared = {
    ...localHandlerEnv(stateDir),
    LANDSCAPE_SECRET_KAFKA_PASSWORD: kafkaTestEnv.password,
    POWERTOOLS_LOG_LEVEL: 'WARN',
  };
  api = await startBundled('api', { ...shared, LANDSCAPE_SECRET_AUDIT: AUDIT_SECRET });
  monitor = await startBundled('monitor', { ...shared, LANDSCAPE_SECRET_PD: PD_ROUTING_KEY });
}, 660_000);

afterAll(async () => {
  for (const running of runtimes) await running.stop();
  await receiver?.close();
  await cleanupPrefix(prefix);
  if (work) await rm(work, { recursive: true, force: true });
});

async function sampleRequest(name: string, query: string) {
  const text = (await readFile(join(ROOT, 'events/api/topic-sample.json'), 'utf8'))
    .split('TOPIC')
    .join(name)
    .replace('environment=ENVIRONMENT&count=COUNT', query);
  return invokeHttpFunction(api, 'landscape-api', text);
}

describe('bundled api function under the Lambda runtime interface client', () => {
  it('returns masked samples from the real broker and sends the audit record to the published sink', async () => {
    // Act
    const sampled = await sampleRequest(topic, 'environment=it-lambda&count=5');
    const missing = await sampleRequest(`${prefix}nope`, 'environment=it-lambda');

    // Assess
    expect(sampled.statusCode).toBe(200);
    expect(sampled.body).toMatchObject({ environment: 'it-lambda', policies: ['cards'] });
    const values = (sampled.body.records as { value: { id: number; card: { number: string }; owner: string } }[])
      .map((r) => r.value)
      .sort((a, b) => a.id - b.id);
    expect(values).toEqual([
      { id: 1, card: { number: '************1111' }, owner: 'Ann' },
      { id: 2, card: { number: '************1112' }, owner: 'Ann' },
    ]);
    expect(JSON.stringify(sampled.body)).not.toContain('4111111111111111');
    expect(missing.statusCode).toBe(404);
    const [hook] = receiver.take('/audit');
    const record = JSON.parse(hook?.body ?? '{}') as AuditRecord;
    expect(record).toMatchObject({
      type: 'sample',
      environment: 'it-lambda',
      actor: 'arn:aws:sts::123456789012:assumed-role/PlatformOperator/alice',
      outcome: 'Masked',
      summary: { records: 2 },
    });
    expect(verifySignature(AUDIT_SECRET, hook?.body ?? '', hook?.headers[SIGNATURE_HEADER] as string)).toBe(true);
  });

  it('evaluates a consumer-lag rule from real offsets on schedule and triggers PagerDuty once', async () => {
    // Act: two scheduled runs; the second must not repeat the trigger.
    const first = (await invokeFunction(
      monitor,
      'landscape-monitor',
      JSON.stringify({ environment: 'it-lambda' }),
    )) as {
      outcomes: { status: string; firing?: string[] }[];
    };
    await invokeFunction(monitor, 'landscape-monitor', JSON.stringify({ environment: 'it-lambda' }));

    // Assess
    expect(first.outcomes).toMatchObject([{ status: 'evaluated', firing: ['cards-lag'] }]);
    const events = receiver.take('/pd').map((r) => JSON.parse(r.body) as Record<string, unknown>);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      routing_key: PD_ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'landscape/it-lambda/alert/cards-lag',
    });
  });
});
