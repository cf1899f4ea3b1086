import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../lib/engine/hash.ts';
import { LEASE_LOST_MESSAGE, runApply } from '../../../lib/engine/run-apply.ts';
import { keys } from '../../../lib/model/keys.ts';
import type { PlannedChange } from '../../../lib/model/plan.ts';
import type { DesiredResource } from '../../../lib/model/resource.ts';
import { computePlan } from '../../../lib/plan/compute-plan.ts';
import { testEnvironment } from '../../support/builders.ts';
import { InMemoryKafkaProvider } from '../../support/fakes/in-memory-kafka-provider.ts';
import { InMemoryLocker } from '../../support/fakes/in-memory-locker.ts';
import { InMemoryStateStore } from '../../support/fakes/in-memory-state-store.ts';

const environment = testEnvironment({}, 'prod');
const topic = (name: string): DesiredResource => ({
  key: keys.topic(name),
  kind: 'Topic',
  name,
  spec: { partitions: 1, replicationFactor: 1, config: {} },
});

async function setup(onApply: (locker: InMemoryLocker) => Promise<void> = async () => undefined) {
  const locker = new InMemoryLocker();
  const store = new InMemoryStateStore(undefined, { locker });
  const provider = new InMemoryKafkaProvider();
  const apply = provider.apply.bind(provider);
  provider.apply = async (changes: readonly PlannedChange[]) => {
    await onApply(locker);
    return apply(changes);
  };
  const plan = computePlan({
    environment,
    desired: [topic('orders')],
    observed: await provider.observe([]),
    inventory: {},
    observedKinds: ['Topic'],
    source: { commit: 'c'.repeat(40) },
    toolVersion: 't',
    hash: sha256Hex,
  });
  await store.savePlan({
    id: 'plan-1',
    plan,
    // Claimed for apply, as applyStoredPlan leaves it before runApply.
    status: 'Applying',
    createdAt: '2026-11-26T10:00:00.000Z',
    trigger: 'push',
  });
  const run = () =>
    runApply({
      plan,
      planId: 'plan-1',
      store,
      locker,
      providers: [provider],
      secrets: { resolve: async () => 'unused' },
      actor: 'ann@cli',
      now: () => new Date(),
    });
  return { store, locker, provider, run };
}

describe('runApply', () => {
  it('stores inventory, applied commit and an audit record while it holds the lease, then releases it', async () => {
    const { store, locker, run } = await setup();
    const result = await run();
    expect(result).toMatchObject({ status: 'applied', report: { outcome: 'Succeeded' } });
    expect(result.status === 'applied' && result.leaseLost).toBeUndefined();
    expect(Object.keys(await store.getInventory('prod'))).toEqual([keys.topic('orders')]);
    expect(await store.getApplied('prod')).toMatchObject({ commit: 'c'.repeat(40) });
    expect((await store.getPlan('plan-1'))?.status).toBe('Applied');
    expect((await store.listAudit('prod')).map((r) => r.outcome)).toEqual(['Succeeded', 'Started']);
    expect(await locker.list()).toEqual([]);
  });

  it('does not overwrite shared state when its lock was broken and taken during the apply (fencing)', async () => {
    // Prepare: an operator breaks the lock mid-apply and another apply takes the environment.
    const { store, locker, provider, run } = await setup(async (l) => {
      await l.breakLock('prod');
      await l.tryLock('prod', 'newer-apply', 900);
    });

    // Act
    const result = await run();

    // Assess: the platform changed; of the environment's shared state only the journal written before the
    // batch (while the lease held) records the topic, as "may exist" for the next apply to confirm.
    expect(provider.state.has(keys.topic('orders'))).toBe(true);
    expect(result).toMatchObject({
      status: 'applied',
      report: { outcome: 'Succeeded' },
      leaseLost: LEASE_LOST_MESSAGE,
    });
    expect(await store.getInventory('prod')).toEqual({
      [keys.topic('orders')]: expect.objectContaining({ key: keys.topic('orders'), pending: true }),
    });
    expect(await store.getApplied('prod')).toBeUndefined();
    const [audit] = await store.listAudit('prod');
    expect(audit).toMatchObject({ outcome: 'LeaseLost', message: LEASE_LOST_MESSAGE });
    expect(audit?.changes).toEqual([{ key: keys.topic('orders'), action: 'Create', outcome: 'Succeeded' }]);
    expect((await locker.list()).map((l) => l.holder)).toEqual(['newer-apply']);
    // Failed, not Applied: the drift run's catch-up must not take this commit for the applied one.
    expect((await store.getPlan('plan-1'))?.status).toBe('Failed');
  });

  it('has its result writes refused when the lease is taken over after any check and before the writes', async () => {
    // Prepare: the takeover happens inside the store call itself, after whatever the apply checked before it.
    const { store, locker, provider, run } = await setup();
    const save = store.saveInventory.bind(store);
    store.saveInventory = async (...args) => {
      await locker.breakLock('prod');
      await locker.tryLock('prod', 'newer-apply', 900);
      return save(...args);
    };

    // Act
    const result = await run();

    // Assess: nothing of the environment's shared state was written, and with the journal write refused the
    // create was never sent; the plan's own record says Failed.
    expect(result).toMatchObject({ status: 'applied', leaseLost: LEASE_LOST_MESSAGE });
    expect(provider.applyCalls).toBe(0);
    expect(await store.getInventory('prod')).toEqual({});
    expect(await store.getApplied('prod')).toBeUndefined();
    expect((await store.getPlan('plan-1'))?.status).toBe('Failed');
    expect((await locker.list()).map((l) => l.holder)).toEqual(['newer-apply']);
  });

  it('answers a held environment with its holder instead of applying', async () => {
    const { locker, provider, run } = await setup();
    await locker.tryLock('prod', 'someone-else', 900);
    expect(await run()).toMatchObject({ status: 'locked', holder: 'someone-else' });
    expect(provider.applyCalls).toBe(0);
  });
});
