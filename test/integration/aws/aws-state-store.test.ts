import { randomBytes } from 'node:crypto';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsStateStore } from '../../../lib/adapters/aws/index.ts';
import { auditObjectKey } from '../../../lib/adapters/aws/s3-audit-trail.ts';
import { ReconcilerError } from '../../../lib/errors.ts';
import { PLAN_API_VERSION, type Plan } from '../../../lib/model/plan.ts';
import type { Inventory } from '../../../lib/model/resource.ts';
import type { AuditRecord, StoredPlan } from '../../../lib/ports/state-store.ts';
import {
  clients,
  createAuditBucket,
  createBucket,
  createKmsKey,
  createStateTable,
  deleteStateTable,
  ensureAwsServices,
} from '../../support/aws.ts';
import { uniqueName } from '../../support/unique-name.ts';

const dynamo = clients.dynamo();
const s3 = clients.s3();
const table = uniqueName('state');
const bucket = uniqueName('plans');
let clock = new Date('2026-11-25T10:00:00Z');
let kmsKeyId = '';
let store: AwsStateStore;

/** The store treats a plan as an opaque JSON body, so the fixture only needs to be plan-shaped. */
function plan(environment: string, commit: string): Plan {
  const body = {
    apiVersion: PLAN_API_VERSION,
    environment,
    target: { kafka: { bootstrapServers: ['127.0.0.1:9092'] } },
    source: { repo: 'acme/platform', commit, ref: 'refs/heads/main' },
    toolVersion: '0.1.0',
    basis: { 'kafka/topic/orders': 'absent' },
    changes: [
      {
        key: 'kafka/topic/orders',
        kind: 'Topic',
        name: 'orders',
        action: 'Create',
        wave: 0,
        fields: [{ path: 'partitions', after: 12 }],
        desired: { partitions: 12 },
        destructive: false,
      },
    ],
    refused: [],
    notes: [],
    unmanaged: [],
    noop: [],
    inventory: [{ key: 'kafka/topic/orders', kind: 'Topic' }],
    summary: { create: 1, update: 0, delete: 0, noop: 0, refused: 0, unmanaged: 0 },
    desiredHash: `d-${commit}`,
    hash: `h-${commit}`,
  };
  return body as unknown as Plan;
}

function stored(id: string, environment: string, createdAt: string, status: StoredPlan['status'] = 'Planned') {
  return {
    id,
    plan: plan(environment, `c-${id}`),
    status,
    createdAt,
    trigger: 'push',
    actor: 'octocat',
  } satisfies StoredPlan;
}

/** The S3 key the plan record names for its body (a fresh key per save: a losing save never replaces one). */
async function planObjectOf(id: string): Promise<string> {
  const out = await dynamo.send(
    new GetItemCommand({ TableName: table, Key: { pk: { S: `PLAN#${id}` }, sk: { S: 'PLAN' } } }),
  );
  const key = out.Item?.planObject?.S;
  if (!key?.startsWith(`plans/${id}/plan-`)) throw new Error(`plan "${id}" names no plan object: ${String(key)}`);
  return key;
}

beforeAll(async () => {
  await ensureAwsServices();
  await createStateTable(dynamo, table);
  await createBucket(s3, bucket);
  kmsKeyId = await createKmsKey();
  store = new AwsStateStore({ bucket, table, s3, dynamo, kmsKeyId, now: () => clock });
});

afterAll(async () => {
  await deleteStateTable(dynamo, table);
});

describe('AwsStateStore plans', () => {
  it('saves a plan body to S3 with SSE-KMS and reads it back whole', async () => {
    // Prepare
    const p = stored('p-roundtrip', 'dev', '2026-11-25T10:00:00.000Z');
    // Act
    await store.savePlan(p);
    const back = await store.getPlan('p-roundtrip');
    // Assess
    expect(back).toEqual(p);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: await planObjectOf('p-roundtrip') }));
    expect(head.ServerSideEncryption).toBe('aws:kms');
    expect(head.SSEKMSKeyId).toBe(kmsKeyId);
  });

  it('sends no encryption header without a key id, leaving it to the bucket default (not aws/s3)', async () => {
    const plain = new AwsStateStore({ bucket, table, s3, dynamo });
    await plain.savePlan(stored('p-default-key', 'dev', '2026-11-25T10:00:30.000Z'));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: await planObjectOf('p-default-key') }));
    expect(head.SSEKMSKeyId).toBeUndefined();
    expect((await plain.getPlan('p-default-key'))?.id).toBe('p-default-key');
  });

  it('answers undefined for a plan that was never saved', async () => {
    expect(await store.getPlan('p-missing')).toBeUndefined();
  });

  it('moves the status only when the current status is one of `from` (compare-and-set)', async () => {
    await store.savePlan(stored('p-cas', 'dev', '2026-11-25T10:01:00.000Z'));
    const approval = { by: 'alice', at: '2026-11-25T10:02:00.000Z', planHash: 'h-c-p-cas' };

    expect(await store.updatePlanStatus('p-cas', ['Applied'], 'Applying')).toBe(false);
    expect(await store.updatePlanStatus('p-cas', ['Planned'], 'Approved', { approval })).toBe(true);
    expect(await store.updatePlanStatus('p-cas', ['Planned'], 'Approved')).toBe(false);

    const back = await store.getPlan('p-cas');
    expect(back?.status).toBe('Approved');
    expect(back?.approval).toEqual(approval);
  });

  it('lets exactly one of many concurrent claims win', async () => {
    await store.savePlan(stored('p-race', 'dev', '2026-11-25T10:03:00.000Z'));
    const results = await Promise.all(
      Array.from({ length: 8 }, () => store.updatePlanStatus('p-race', ['Planned', 'Approved'], 'Applying')),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('stores the report of a finished apply and drops the body written for a losing update', async () => {
    await store.savePlan(stored('p-report', 'dev', '2026-11-25T10:04:00.000Z', 'Applying'));
    const report = {
      planHash: 'h-c-p-report',
      environment: 'dev',
      startedAt: '2026-11-25T10:04:01.000Z',
      finishedAt: '2026-11-25T10:04:02.000Z',
      outcome: 'Succeeded' as const,
      results: [{ key: 'kafka/topic/orders', action: 'Create' as const, outcome: 'Succeeded' as const }],
    };
    expect(await store.updatePlanStatus('p-report', ['Applying'], 'Applied', { report })).toBe(true);
    expect(await store.updatePlanStatus('p-report', ['Applying'], 'Failed', { report })).toBe(false);

    const back = await store.getPlan('p-report');
    expect(back?.status).toBe('Applied');
    expect(back?.report).toEqual(report);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'plans/p-report/' }));
    expect(listed.Contents?.map((o) => o.Key).filter((k) => k?.includes('report-'))).toHaveLength(1);
  });

  it('refuses every transition from an empty `from` list and for unknown plans', async () => {
    expect(await store.updatePlanStatus('p-cas', [], 'Failed')).toBe(false);
    expect(await store.updatePlanStatus('p-nope', ['Planned'], 'Failed')).toBe(false);
  });

  it('lists an environment’s plans newest first, filtered by status and limited', async () => {
    const env = uniqueName('env');
    for (let i = 0; i < 5; i++) {
      await store.savePlan(stored(`${env}-p${i}`, env, `2026-11-25T11:0${i}:00.000Z`, i % 2 ? 'Planned' : 'Applied'));
    }
    await store.savePlan(stored(`${env}-other`, `${env}-x`, '2026-11-25T11:09:00.000Z'));

    const all = await store.listPlans(env);
    expect(all.map((p) => p.id)).toEqual([4, 3, 2, 1, 0].map((i) => `${env}-p${i}`));
    const planned = await store.listPlans(env, { status: ['Planned'] });
    expect(planned.map((p) => p.id)).toEqual([`${env}-p3`, `${env}-p1`]);
    const two = await store.listPlans(env, { limit: 2 });
    expect(two.map((p) => p.id)).toEqual([`${env}-p4`, `${env}-p3`]);
    expect(two[0]?.plan.source.commit).toBe(`c-${env}-p4`);
  });
});

describe('AwsStateStore inventory and applied pointer', () => {
  it('round-trips the inventory and starts empty', async () => {
    const env = uniqueName('env');
    expect(await store.getInventory(env)).toEqual({});
    const inventory: Inventory = {
      'kafka/topic/orders': { key: 'kafka/topic/orders', kind: 'Topic' },
      'kafka/user/app': { key: 'kafka/user/app', kind: 'User', secretDigest: 'sha256:abc' },
    } as Inventory;
    await store.saveInventory(env, inventory);
    expect(await store.getInventory(env)).toEqual(inventory);
  });

  it('keeps an inventory larger than one DynamoDB item in chunks and replaces it whole', async () => {
    const env = uniqueName('env');
    const big: Inventory = {};
    // Random suffixes defeat gzip, so this really spans several 300 KB chunks.
    for (let i = 0; i < 12_000; i++) {
      const key = `kafka/acl/User:app-${i}/TOPIC/LITERAL/${randomBytes(24).toString('hex')}`;
      big[key] = { key, kind: 'Acl' } as Inventory[string];
    }
    await store.saveInventory(env, big);
    const head = await dynamo.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: `ENV#${env}` }, sk: { S: 'INVENTORY' } } }),
    );
    expect(Number(head.Item?.chunks?.N)).toBeGreaterThan(1);
    expect(await store.getInventory(env)).toEqual(big);

    const small: Inventory = { 'kafka/topic/a': { key: 'kafka/topic/a', kind: 'Topic' } } as Inventory;
    await store.saveInventory(env, small);
    expect(await store.getInventory(env)).toEqual(small);
  });

  it('round-trips the applied pointer per environment', async () => {
    const env = uniqueName('env');
    expect(await store.getApplied(env)).toBeUndefined();
    const pointer = { environment: env, commit: 'abc123', planId: 'p-1', at: '2026-11-25T12:00:00.000Z' };
    await store.setApplied(pointer);
    await store.setApplied({ ...pointer, environment: `${env}-other`, commit: 'zzz' });
    expect(await store.getApplied(env)).toEqual(pointer);
  });
});

const auditBucket = uniqueName('audit');
/** The same table and plan bucket, with the audit trail in the Object Lock bucket (the deployed layout). */
let auditStore: AwsStateStore;
/** Every S3 request the audit store sends: its command and key or prefix. */
const s3Calls: string[] = [];

beforeAll(async () => {
  await createAuditBucket(s3, auditBucket);
  const auditS3 = clients.s3();
  auditS3.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Key?: string; Prefix?: string };
      s3Calls.push(`${context.commandName} ${input.Key ?? input.Prefix ?? ''}`);
      return next(args);
    },
    { step: 'initialize', name: 'recordS3Calls' },
  );
  auditStore = new AwsStateStore({ bucket, table, auditBucket, s3: auditS3, dynamo, now: () => clock });
});

const applyRecord = (environment: string, i: number, extra: Partial<AuditRecord> = {}): AuditRecord =>
  ({
    id: `a${i}`,
    at: `2026-11-25T12:0${i}:00.000Z`,
    type: 'apply',
    environment,
    actor: 'webhook',
    outcome: 'Succeeded',
    summary: { create: i },
    ...extra,
  }) as AuditRecord;

describe.each([
  ['in the table (no audit bucket)', () => store],
  ['in the Object Lock bucket', () => auditStore],
])('AwsStateStore audit %s', (_where, storeOf) => {
  it('lists audit records newest first, per environment, up to the limit', async () => {
    const env = uniqueName('env');
    const records = Array.from({ length: 5 }, (_, i) => applyRecord(env, i));
    for (const r of [...records].reverse()) await storeOf().appendAudit(r);
    await storeOf().appendAudit({ ...records[0], id: 'elsewhere', environment: `${env}-x` } as AuditRecord);

    expect((await storeOf().listAudit(env)).map((r) => r.id)).toEqual(['a4', 'a3', 'a2', 'a1', 'a0']);
    expect(await storeOf().listAudit(env, 2)).toEqual([records[4], records[3]]);
  });

  it('keeps the summary of a record too large to store whole and says what was dropped', async () => {
    const env = uniqueName('env');
    const changes = Array.from({ length: 40_000 }, () => ({
      key: `kafka/topic/${randomBytes(16).toString('hex')}`,
      action: 'Create' as const,
      outcome: 'Succeeded' as const,
    }));
    await storeOf().appendAudit({
      id: 'huge',
      at: '2026-11-25T13:00:00.000Z',
      type: 'apply',
      environment: env,
      actor: 'apply',
      outcome: 'Succeeded',
      changes,
    });
    const [back] = await storeOf().listAudit(env);
    expect(back?.changes).toBeUndefined();
    expect(back?.message).toBe('40000 changes not stored');
  });
});

describe('AwsStateStore audit trail in the Object Lock bucket', () => {
  it('writes one object per record under audit/<environment>/ and nothing to the table', async () => {
    const env = uniqueName('env');
    const record = applyRecord(env, 1);
    await auditStore.appendAudit(record);

    const listed = await s3.send(new ListObjectsV2Command({ Bucket: auditBucket, Prefix: `audit/${env}/` }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual([auditObjectKey(record)]);
    expect(auditObjectKey(record)).toBe(`audit/${env}/${String(9_999_999_999_999 - Date.parse(record.at))}-a1.json`);
    const body = await s3.send(new GetObjectCommand({ Bucket: auditBucket, Key: auditObjectKey(record) }));
    expect(JSON.parse((await body.Body?.transformToString()) ?? '')).toEqual(record);
    expect(await store.listAudit(env)).toEqual([]);
  });

  it('refuses a second write of the same record id, and the first stays as written', async () => {
    // Prepare: the record of a failed apply.
    const env = uniqueName('env');
    const first = applyRecord(env, 2, { outcome: 'Failed', message: 'broker refused the change' });
    await auditStore.appendAudit(first);

    // Act: someone with PutObject writes a record with the same id and time that says all went well.
    const forged = applyRecord(env, 2, { outcome: 'Succeeded' });
    const error = await auditStore.appendAudit(forged).catch((e: unknown) => e);

    // Assess: a Conflict naming the object; the bucket holds one version, the first record's.
    expect(error).toBeInstanceOf(ReconcilerError);
    expect(error).toMatchObject({ code: 'Conflict' });
    expect((error as Error).message).toContain(`s3://${auditBucket}/${auditObjectKey(first)}`);
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: auditBucket, Prefix: `audit/${env}/` }));
    expect(versions.Versions).toHaveLength(1);
    expect(await auditStore.listAudit(env)).toEqual([first]);
  });

  it('reads only the newest `limit` objects, however many the environment has', async () => {
    const env = uniqueName('env');
    for (let i = 0; i < 8; i++) await auditStore.appendAudit(applyRecord(env, i));
    s3Calls.length = 0;

    const newest = await auditStore.listAudit(env, 3);

    expect(newest.map((r) => r.id)).toEqual(['a7', 'a6', 'a5']);
    expect(s3Calls.filter((c) => c.startsWith('GetObjectCommand'))).toHaveLength(3);
    expect(s3Calls.filter((c) => c.startsWith('ListObjectsV2Command'))).toEqual([`ListObjectsV2Command audit/${env}/`]);
  });

  it('still lists the records an older version kept in the table, merged newest first', async () => {
    // Prepare: records 0 and 2 written before the audit bucket existed, 1 and 3 after.
    const env = uniqueName('env');
    await store.appendAudit(applyRecord(env, 0));
    await store.appendAudit(applyRecord(env, 2));
    await auditStore.appendAudit(applyRecord(env, 1));
    await auditStore.appendAudit(applyRecord(env, 3));

    // Act + Assess
    expect((await auditStore.listAudit(env)).map((r) => r.id)).toEqual(['a3', 'a2', 'a1', 'a0']);
    expect((await auditStore.listAudit(env, 2)).map((r) => r.id)).toEqual(['a3', 'a2']);
  });

  it('reports an object that does not parse as skipped, and lists the others', async () => {
    const env = uniqueName('env');
    await auditStore.appendAudit(applyRecord(env, 1));
    const damagedKey = auditObjectKey(applyRecord(env, 5));
    await s3.send(new PutObjectCommand({ Bucket: auditBucket, Key: damagedKey, Body: '{"cut sho' }));
    const skipped: { count: number; where: string }[] = [];

    const listed = await auditStore.listAudit(env, 10, { onSkipped: (s) => skipped.push(s) });

    expect(listed.map((r) => r.id)).toEqual(['a1']);
    expect(skipped).toEqual([{ count: 1, where: `s3://${auditBucket} ${damagedKey}` }]);
  });
});

describe('AwsStateStore dedupe and values', () => {
  it('records a delivery once and reports the replay', async () => {
    const key = uniqueName('delivery');
    expect(await store.markSeen(key, 3600)).toBe(true);
    expect(await store.markSeen(key, 3600)).toBe(false);
    expect(await store.markSeen(`${key}-other`, 3600)).toBe(true);
  });

  it('accepts a key again once its TTL passed, even before DynamoDB removed the item', async () => {
    const key = uniqueName('delivery');
    clock = new Date('2026-11-25T10:00:00Z');
    expect(await store.markSeen(key, 60)).toBe(true);
    clock = new Date('2026-11-25T10:00:59Z');
    expect(await store.markSeen(key, 60)).toBe(false);
    clock = new Date('2026-11-25T10:01:01Z');
    expect(await store.markSeen(key, 60)).toBe(true);
  });

  it('lets exactly one concurrent delivery through', async () => {
    const key = uniqueName('delivery');
    const results = await Promise.all(Array.from({ length: 6 }, () => store.markSeen(key, 3600)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('dedupes very long keys by hash', async () => {
    const key = `repo+commit:${'x'.repeat(3000)}`;
    expect(await store.markSeen(key, 3600)).toBe(true);
    expect(await store.markSeen(key, 3600)).toBe(false);
  });

  it('round-trips named values, small and large', async () => {
    const name = uniqueName('drift-digest');
    expect(await store.getValue(name)).toBeUndefined();
    await store.putValue(name, { digest: 'abc', count: 3 });
    expect(await store.getValue(name)).toEqual({ digest: 'abc', count: 3 });
    const large = { states: Array.from({ length: 20_000 }, () => randomBytes(20).toString('hex')) };
    await store.putValue(name, large);
    expect(await store.getValue(name)).toEqual(large);
  });
});

describe('AwsStateStore faults', () => {
  it('raises a retryable AdapterError naming the operation when DynamoDB is unreachable', async () => {
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const down = new AwsStateStore({
      bucket,
      table,
      s3,
      dynamo: new DynamoDBClient({
        region: 'us-east-1',
        endpoint: 'http://127.0.0.1:9',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      }),
    });
    await expect(down.getApplied('dev')).rejects.toMatchObject({
      name: 'AdapterError',
      retryable: true,
      message: expect.stringContaining('reading the applied commit of environment "dev"'),
    });
  });

  it('reads objects that the bucket encrypted (body is JSON text)', async () => {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: await planObjectOf('p-roundtrip') }));
    expect(JSON.parse((await out.Body?.transformToString()) ?? '{}').environment).toBe('dev');
  });
});

describe('AwsStateStore over damaged state', () => {
  const putItem = (pk: string, sk: string, data: string) =>
    dynamo.send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk }, sk: { S: sk }, data: { S: data } } }));
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => 'resolved',
      (error: unknown) => (error instanceof ReconcilerError ? `${error.code}: ${error.message}` : String(error)),
    );

  it('refuses an inventory item that does not decode or is not an inventory, naming the item and the fix', async () => {
    const env = uniqueName('env');
    await putItem(`ENV#${env}`, 'INVENTORY', '{"kafka/topic/orders": {"key": "kaf');
    const truncated = await failure(store.getInventory(env));
    expect(truncated).toContain(`StateDamaged: state "table "${table}" item ENV#${env} / INVENTORY" is damaged`);
    expect(truncated).toContain('restore it from a backup');
    await putItem(`ENV#${env}`, 'INVENTORY', '[]');
    expect(await failure(store.getInventory(env))).toContain('StateDamaged');
  });

  it('refuses a missing inventory once a commit was applied; a never-applied environment has an empty one', async () => {
    const env = uniqueName('env');
    expect(await store.getInventory(env)).toEqual({});
    await store.setApplied({ environment: env, commit: 'a'.repeat(40), planId: 'p-1', at: '2026-11-25T12:00:00.000Z' });
    expect(await failure(store.getInventory(env))).toContain(
      `it is missing, although commit ${'a'.repeat(12)} was applied`,
    );
  });
});
