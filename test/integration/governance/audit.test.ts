import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3AuditSink } from '../../../lib/adapters/aws/s3-audit-sink.ts';
import { SIGNATURE_HEADER, verifySignature } from '../../../lib/adapters/common/webhook-signature.ts';
import { openTopicSampler } from '../../../lib/adapters/kafka/monitoring.ts';
import { LocalSecretResolver } from '../../../lib/adapters/secrets/env-secret-resolver.ts';
import { FileStateStore } from '../../../lib/adapters/store/file-state-store.ts';
import type { ApplyAuditRecord, AuditRecord } from '../../../lib/model/audit.ts';
import { withAuditFanout } from '../../../lib/report/audit-fanout.ts';
import { createAuditFanout } from '../../../lib/wiring/audit-sinks.ts';
import { cleanupPrefix, kafkaTestEnv, testKafkaConnection } from '../../../scripts/services/kafka-broker.ts';
import { configDir, topicYaml } from '../../support/builders.ts';
import { landscapeCli } from '../../support/cli/landscape-cli.ts';
import { startReceiver } from '../../support/http-receiver.ts';
import { createTopicsAndWait, envSecretResolver, testEnvironmentYaml, uniquePrefix } from '../../support/kafka.ts';

const prefix = uniquePrefix('it-gov-audit');
const auditTopic = `${prefix}audit`;
const cliAuditTopic = `${prefix}cli-audit`;
const AUDIT_SECRET = 'audit-hmac-secret-it-9c2e';
const MOTO = process.env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:5000';

let receiver: Awaited<ReturnType<typeof startReceiver>>;

function record(id: string, overrides: Partial<ApplyAuditRecord> = {}): AuditRecord {
  return {
    id,
    at: '2026-03-04T05:06:07.000Z',
    type: 'apply',
    environment: 'it',
    actor: 'ci@landscape',
    commit: 'a'.repeat(40),
    planHash: 'b'.repeat(64),
    outcome: 'Succeeded',
    summary: { create: 1, update: 0, delete: 0 },
    changes: [{ key: 'kafka/user/payments-app', action: 'Create', outcome: 'Succeeded' }],
    ...overrides,
  };
}

beforeAll(async () => {
  receiver = await startReceiver((path) => (path === '/broken' ? 500 : 200));
  await createTopicsAndWait([auditTopic, cliAuditTopic], 1);
});

afterAll(async () => {
  await receiver?.close();
  await cleanupPrefix(prefix);
});

const secrets = new LocalSecretResolver({ env: { AUDIT_SECRET } });

describe('audit fan-out', () => {
  it('delivers a record to a signed webhook and a Kafka topic', async () => {
    // Prepare
    const fanout = createAuditFanout(
      [
        {
          name: 'hook',
          spec: {
            type: 'webhook',
            url: `${receiver.url}/audit`,
            secret: { secretRef: { provider: 'env', name: 'AUDIT_SECRET' } },
          },
        },
        { name: 'topic', spec: { type: 'kafka', topic: auditTopic } },
      ],
      {
        secrets: new LocalSecretResolver({ env: { AUDIT_SECRET, KAFKA_PASSWORD: 'admin-secret' } }),
        kafka: testKafkaConnection(),
      },
    );
    const rec = record('rec-1');

    // Act
    try {
      await fanout(rec);
    } finally {
      await fanout.close();
    }

    // Assess
    const [hook] = receiver.take('/audit');
    expect(JSON.parse(hook?.body ?? '{}')).toEqual(rec);
    expect(hook?.headers['x-landscape-delivery']).toBe('rec-1');
    expect(verifySignature(AUDIT_SECRET, hook?.body ?? '', hook?.headers[SIGNATURE_HEADER] as string)).toBe(true);
    expect(hook?.body).not.toContain(AUDIT_SECRET);
    const sampler = await openTopicSampler({ kafka: testKafkaConnection() }, envSecretResolver());
    try {
      const [produced] = await sampler.recent(auditTopic, 5);
      expect(produced?.key?.toString()).toBe('it');
      expect(JSON.parse(produced?.value?.toString() ?? '{}')).toEqual(rec);
    } finally {
      await sampler.close();
    }
  });

  it('stores first and reports a failing sink without failing the audited operation', async () => {
    // Prepare
    const store = new FileStateStore(await mkdtemp(join(tmpdir(), 'landscape-audit-')));
    const fanout = createAuditFanout(
      [
        { name: 'good', spec: { type: 'webhook', url: `${receiver.url}/good` } },
        { name: 'bad', spec: { type: 'webhook', url: `${receiver.url}/broken` } },
      ],
      { secrets },
    );
    const errors: string[] = [];
    const wrapped = withAuditFanout(store, fanout, { onError: (e) => errors.push(e.message) });

    // Act
    await wrapped.appendAudit(record('rec-2'));

    // Assess
    expect((await store.listAudit('it')).map((r) => r.id)).toEqual(['rec-2']);
    expect(receiver.take('/good')).toHaveLength(1);
    expect(receiver.take('/broken')).toHaveLength(1);
    expect(errors).toEqual([
      'delivering audit record "rec-2": 1 of 2 sink(s) failed: sending audit record "rec-2" to AuditSink "bad" (webhook): HTTP 500',
    ]);
    await expect(fanout(record('rec-3'))).rejects.toBeInstanceOf(AggregateError);
  });

  it('puts one object per record under the S3 prefix (moto)', async (ctx) => {
    const up = await fetch(MOTO, { signal: AbortSignal.timeout(2000) }).then(
      () => true,
      () => false,
    );
    if (!up) {
      ctx.skip(`moto is not running at ${MOTO} (start it with scripts/services/aws.sh start-moto)`);
      return;
    }
    // Prepare
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: MOTO,
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const bucket = `${prefix}bucket`.toLowerCase();
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const fanout = createAuditFanout([{ name: 'archive', spec: { type: 's3', bucket, prefix: 'audit/' } }], {
      secrets,
      s3,
    });
    const rec = record('rec/4');

    // Act
    await fanout(rec);

    // Assess
    const key = S3AuditSink.keyOf('audit/', rec);
    expect(key).toBe('audit/it/2026/03/04/2026-03-04T05_06_07.000Z-rec_4.json');
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(object.ContentType).toBe('application/json');
    expect(JSON.parse((await object.Body?.transformToString()) ?? '{}')).toEqual(rec);
  });
});

describe('audit records of the CLI', () => {
  it('`landscape apply DIR` publishes its AuditSinks: that apply and later records reach a signed webhook and a Kafka topic', async () => {
    // Prepare
    const dir = await configDir({
      'env.yaml': testEnvironmentYaml('it-audit'),
      'topics.yaml': topicYaml(`${prefix}orders`),
      'audit.yaml': `apiVersion: landscape.dev/v1
kind: AuditSink
metadata: { name: siem }
spec: { type: webhook, url: "${receiver.url}/cli", secret: { secretRef: { provider: env, name: AUDIT_SECRET } } }
---
apiVersion: landscape.dev/v1
kind: AuditSink
metadata: { name: audit-topic }
spec: { type: kafka, topic: ${cliAuditTopic} }
`,
    });
    const state = await mkdtemp(join(tmpdir(), 'landscape-audit-state-'));
    const landscape = (...args: string[]) =>
      landscapeCli(args, { cwd: dir, state, env: { AUDIT_SECRET, LANDSCAPE_ACTOR: 'ann@cli' } });

    // Act
    const applied = await landscape('apply', '.', '--env', 'it-audit', '--auto-approve');
    const drift = await landscape('drift', '.', '--env', 'it-audit');
    const listed = await landscape('audit', '--env', 'it-audit', '--limit', '10');

    // Assess
    expect([applied.code, drift.code, listed.code]).toEqual([0, 0, 0]);
    expect(applied.stdout).toContain('Apply Succeeded: 1 succeeded');
    expect(applied.stderr).not.toContain('not delivered');
    expect(drift.stdout).toContain('No drift');
    // `landscape audit` lists what the sinks received, and the plan before the first apply too.
    const lines = listed.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/).slice(1, 3).join(' '))).toEqual([
      'drift InSync',
      'plan NoChanges',
      'apply Succeeded',
      'apply Started',
      'plan Changes',
    ]);
    expect(lines[2]).toContain('by ann@cli');
    const hooks = receiver.take('/cli');
    const delivered = hooks.map((h) => JSON.parse(h.body) as AuditRecord);
    // The first plan record precedes the publish (nothing was applied yet); the apply and drift records follow it.
    expect(delivered.map((r) => [r.type, r.outcome, r.actor])).toEqual([
      ['apply', 'Started', 'ann@cli'],
      ['apply', 'Succeeded', 'ann@cli'],
      ['plan', 'NoChanges', 'ann@cli'],
      ['drift', 'InSync', 'ann@cli'],
    ]);
    for (const hook of hooks) {
      expect(verifySignature(AUDIT_SECRET, hook.body, hook.headers[SIGNATURE_HEADER] as string)).toBe(true);
    }
    const sampler = await openTopicSampler({ kafka: testKafkaConnection() }, envSecretResolver());
    try {
      const produced = await sampler.recent(cliAuditTopic, 10);
      // The sink's producer is not idempotent (that needs a cluster ACL): a retried send can repeat a record,
      // and receivers dedupe by record id. So do we.
      const ids = new Set(produced.map((r) => (JSON.parse(r.value?.toString() ?? '{}') as AuditRecord).id));
      expect([...ids].sort()).toEqual(delivered.map((r) => r.id).sort());
      expect(produced.every((r) => r.key?.toString() === 'it-audit')).toBe(true);
    } finally {
      await sampler.close();
    }
    const all = JSON.stringify(hooks) + JSON.stringify(delivered);
    expect(all).not.toContain(AUDIT_SECRET);
    expect(all).not.toContain(kafkaTestEnv.password);
  });
});
