import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReconcilerError } from '../../../lib/errors.ts';
import { PLAN_API_VERSION, type Plan } from '../../../lib/model/plan.ts';
import type { Inventory } from '../../../lib/model/resource.ts';
import type { AuditRecord, StateStore, StoredPlan } from '../../../lib/ports/state-store.ts';
import { type StateBackend, stateBackends } from '../../support/state-backends.ts';
import { uniqueName } from '../../support/unique-name.ts';

/**
 * The StateStore contract every store keeps (in memory, a directory, DynamoDB Local + S3): plans are created
 * once and never replaced, ids are checked before they reach a file name or key, a claim has one winner,
 * writes made under a lease are refused once the lease is lost (fencing).
 */
const backends = stateBackends('contract');

const pairs: [string, () => Promise<StateBackend>][] = [
  ['InMemoryStateStore + InMemoryLocker', backends.inMemory],
  ['FileStateStore + FileLocker', backends.file],
  ['AwsStateStore + DynamoLocker', backends.aws],
];
const stores = pairs.map(([name, make]): [string, () => Promise<StateStore>] => [
  name.split(' + ')[0] as string,
  async () => (await make()).store,
]);

beforeAll(backends.setUp);
afterAll(backends.tearDown);

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

const inventoryOf = (...names: string[]): Inventory =>
  Object.fromEntries(names.map((n) => [`kafka/topic/${n}`, { key: `kafka/topic/${n}`, kind: 'Topic' as const }]));

describe.each(pairs)('%s fencing', (_name, make) => {
  it('refuses every write of an apply whose lease was taken over, and writes nothing', async () => {
    // Prepare: apply 1 holds the lease and has written; then its lock is broken and apply 2 takes it.
    const { store, locker } = await make();
    const environment = uniqueName('fence');
    const first = await locker.tryLock(environment, 'apply-1', 900);
    if (!first.acquired) throw new Error('expected the lease');
    await store.saveInventory(environment, inventoryOf('one'), first.lease);
    const id = uniqueName('p-fence');
    await store.savePlan({ ...stored(id, 'fenced', 'Applying'), plan: { ...stored(id, 'x').plan, environment } });
    await locker.breakLock(environment);
    const second = await locker.tryLock(environment, 'apply-2', 900);
    if (!second.acquired) throw new Error('expected the lease after the break');
    const pointer = { environment, commit: 'c1', planId: id, at: '2026-11-25T10:00:00.000Z' };

    // Act: apply 1 writes its results with its (old) lease.
    const refused = [
      await codeOf(store.saveInventory(environment, inventoryOf('one', 'two'), first.lease)),
      await codeOf(store.setApplied(pointer, first.lease)),
      await codeOf(store.updatePlanStatus(id, ['Applying'], 'Applied', {}, first.lease)),
    ];

    // Assess: refused as LeaseLost, nothing changed; the new holder's writes go through.
    expect(refused).toEqual(['LeaseLost', 'LeaseLost', 'LeaseLost']);
    expect(await store.getInventory(environment)).toEqual(inventoryOf('one'));
    expect(await store.getApplied(environment)).toBeUndefined();
    expect((await store.getPlan(id))?.status).toBe('Applying');
    await store.saveInventory(environment, inventoryOf('three'), second.lease);
    expect(await store.getInventory(environment)).toEqual(inventoryOf('three'));
    expect(await store.updatePlanStatus(id, ['Applying'], 'Failed', {}, second.lease)).toBe(true);
  });

  it('refuses the writes of a lease an operator broke, even when nobody took the environment since', async () => {
    const { store, locker } = await make();
    const environment = uniqueName('fence');
    const attempt = await locker.tryLock(environment, 'apply-1', 900);
    if (!attempt.acquired) throw new Error('expected the lease');
    await locker.breakLock(environment);
    expect(await codeOf(store.saveInventory(environment, inventoryOf('one'), attempt.lease))).toBe('LeaseLost');
    expect(await store.getInventory(environment)).toEqual({});
  });
});

describe.each(stores)('%s replay memory', (_name, make) => {
  it('forgets a key it recorded, so that a redelivery of failed work is taken again', async () => {
    const store = await make();
    const key = `github/push/acme/config@${uniqueName('sha')}`;
    const long = `github/comment/acme/config#1/${'9'.repeat(3000)}`;
    expect(await store.markSeen(key, 3600)).toBe(true);
    expect(await store.markSeen(long, 3600)).toBe(true);
    expect(await store.markSeen(key, 3600)).toBe(false);
    await store.forgetSeen(key);
    await store.forgetSeen(long);
    expect(await store.markSeen(key, 3600)).toBe(true);
    expect(await store.markSeen(long, 3600)).toBe(true);
    await store.forgetSeen(`never-seen-${uniqueName('key')}`);
  });
});

describe.each(stores)('%s audit trail', (name, make) => {
  const record = (environment: string, id: string, minute: number, message: string): AuditRecord => ({
    id,
    at: `2026-11-25T12:${String(minute).padStart(2, '0')}:00.000Z`,
    type: 'apply',
    environment,
    actor: 'apply',
    outcome: 'Succeeded',
    message,
  });

  it('lists the newest records first, only the environment asked for, up to the limit', async () => {
    const store = await make();
    const environment = uniqueName('audit');
    for (const minute of [0, 1, 2, 3, 4]) await store.appendAudit(record(environment, `r${minute}`, minute, 'ok'));
    await store.appendAudit(record(`${environment}-other`, 'elsewhere', 9, 'ok'));
    expect((await store.listAudit(environment)).map((r) => r.id)).toEqual(['r4', 'r3', 'r2', 'r1', 'r0']);
    expect((await store.listAudit(environment, 2)).map((r) => r.id)).toEqual(['r4', 'r3']);
  });

  it('never replaces a record: a second write of the same record leaves the first as it was', async () => {
    // Prepare: a record of an apply.
    const store = await make();
    const environment = uniqueName('audit');
    await store.appendAudit(record(environment, 'same-id', 5, 'the real outcome'));

    // Act: a writer tries to put a different record under the same id and time (a forged "everything fine").
    const second = await codeOf(store.appendAudit(record(environment, 'same-id', 5, 'forged')));

    // Assess: on AWS the conditional create refuses it; everywhere the first record is still there, unchanged.
    if (name === 'AwsStateStore') expect(second).toBe('Conflict');
    const listed = await store.listAudit(environment);
    expect(listed.map((r) => r.message)).toContain('the real outcome');
  });
});
