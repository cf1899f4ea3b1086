import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsStateStore } from '../../../lib/adapters/aws/index.ts';
import { FileStateStore } from '../../../lib/adapters/store/file-state-store.ts';
import { InMemoryStateStore } from '../../../lib/adapters/store/in-memory-state-store.ts';
import { ReconcilerError } from '../../../lib/errors.ts';
import { PLAN_API_VERSION, type Plan } from '../../../lib/model/plan.ts';
import type { StateStore, StoredPlan } from '../../../lib/ports/state-store.ts';
import {
  clients,
  createBucket,
  createStateTable,
  deleteStateTable,
  ensureAwsServices,
  uniqueName,
} from '../aws/aws-services.ts';

/**
 * The StateStore contract every store keeps (in memory, a directory, DynamoDB Local + S3): plans are created
 * once and never replaced, ids are checked before they reach a file name or key, a claim has one winner.
 */
const dynamo = clients.dynamo();
const s3 = clients.s3();
const table = uniqueName('contract');
const bucket = uniqueName('contract');

const stores: [string, () => Promise<StateStore>][] = [
  ['InMemoryStateStore', async () => new InMemoryStateStore()],
  ['FileStateStore', async () => new FileStateStore(await mkdtemp(join(tmpdir(), 'landscape-contract-')))],
  ['AwsStateStore', async () => new AwsStateStore({ bucket, table, s3, dynamo })],
];

beforeAll(async () => {
  await ensureAwsServices();
  await createStateTable(dynamo, table);
  await createBucket(s3, bucket);
});

afterAll(async () => {
  await deleteStateTable(dynamo, table);
});

/** The stores treat a plan as an opaque body: a plan-shaped fixture is enough. */
function stored(id: string, commit: string, status: StoredPlan['status'] = 'Planned'): StoredPlan {
  const plan = {
    apiVersion: PLAN_API_VERSION,
    environment: 'prod',
    target: {},
    source: { repo: 'acme/platform', commit },
    changes: [],
    summary: { create: 0, update: 0, delete: 0, noop: 0, refused: 0, unmanaged: 0 },
    inventory: [],
    hash: `h-${commit}`,
  } as unknown as Plan;
  return { id, plan, status, createdAt: '2026-11-25T10:00:00.000Z', trigger: 'reapply' };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return error instanceof ReconcilerError ? error.code : `fault: ${String(error)}`;
  }
}

describe.each(stores)('%s plans', (_name, make) => {
  it('never replaces a saved plan: a second save of the same id is a Conflict and changes nothing', async () => {
    // Prepare: a plan saved and claimed for apply.
    const store = await make();
    const id = uniqueName('p-once');
    await store.savePlan(stored(id, 'first'));
    expect(await store.updatePlanStatus(id, ['Planned', 'Approved'], 'Applying')).toBe(true);

    // Act: another plan arrives under the same id (the one-second ids of old made this happen).
    const second = await codeOf(store.savePlan(stored(id, 'second')));

    // Assess: the claimed plan keeps its status and body, so it cannot be claimed (applied) again.
    expect(second).toBe('Conflict');
    const back = await store.getPlan(id);
    expect(back?.status).toBe('Applying');
    expect(back?.plan.source.commit).toBe('first');
    expect(await store.updatePlanStatus(id, ['Planned', 'Approved'], 'Applying')).toBe(false);
  });

  it('lets exactly one of many concurrent claims win', async () => {
    const store = await make();
    const id = uniqueName('p-race');
    await store.savePlan(stored(id, 'race'));
    const results = await Promise.all(
      Array.from({ length: 8 }, () => store.updatePlanStatus(id, ['Planned', 'Approved'], 'Applying')),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('refuses ids that are too long or not made of id characters, before any file or key is touched', async () => {
    const store = await make();
    for (const id of ['x'.repeat(5000), '../../etc/passwd', 'a/b', '', '.hidden', 'id with space']) {
      expect(await codeOf(store.getPlan(id))).toBe('BadRequest');
      expect(await codeOf(store.savePlan(stored(id, 'bad')))).toBe('BadRequest');
      expect(await codeOf(store.updatePlanStatus(id, ['Planned'], 'Applying'))).toBe('BadRequest');
    }
  });
});
