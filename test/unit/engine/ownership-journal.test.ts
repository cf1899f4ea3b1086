import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../lib/engine/hash.ts';
import { runApply } from '../../../lib/engine/run-apply.ts';
import { EnvironmentSpecSchema } from '../../../lib/model/environment.ts';
import { keys } from '../../../lib/model/keys.ts';
import type { PlannedChange } from '../../../lib/model/plan.ts';
import type { DesiredResource } from '../../../lib/model/resource.ts';
import { computePlan } from '../../../lib/plan/compute-plan.ts';
import { InMemoryKafkaProvider, liveSpecOf } from '../../support/fakes/in-memory-kafka-provider.ts';
import { InMemoryLocker } from '../../support/fakes/in-memory-locker.ts';
import { InMemoryStateStore } from '../../support/fakes/in-memory-state-store.ts';

const environment = {
  name: 'prod',
  spec: EnvironmentSpecSchema.parse({ kafka: { bootstrapServers: ['127.0.0.1:9092'] }, prune: { Topic: true } }),
};
const topic = (name: string): DesiredResource => ({
  key: keys.topic(name),
  kind: 'Topic',
  name,
  spec: { partitions: 1, replicationFactor: 1, config: {} },
});

function setup() {
  const locker = new InMemoryLocker();
  const store = new InMemoryStateStore(undefined, { locker });
  const provider = new InMemoryKafkaProvider();
  const planFor = async (desired: DesiredResource[]) =>
    computePlan({
      environment,
      desired,
      observed: await provider.observe([]),
      inventory: await store.getInventory('prod'),
      observedKinds: ['Topic'],
      source: { commit: 'c'.repeat(40) },
      toolVersion: 't',
      hash: sha256Hex,
    });
  const apply = async (desired: DesiredResource[]) =>
    runApply({
      plan: await planFor(desired),
      store,
      locker,
      providers: [provider],
      secrets: { resolve: async () => 'unused' },
      actor: 'ann@cli',
      now: () => new Date(),
    });
  return { store, locker, provider, planFor, apply };
}

describe('the ownership journal', () => {
  it('records creates before they are sent, so a create that got no answer stays owned until looked up', async () => {
    // Prepare: the broker creates "a" and then the connection drops (the batch fails without an answer).
    const { store, provider, apply } = setup();
    provider.apply = async (changes: readonly PlannedChange[]) => {
      const first = changes[0];
      if (first) provider.state.set(first.key, { key: first.key, kind: 'Topic', name: 'a', spec: liveSpecOf(first) });
      throw new Error('connection reset by peer');
    };

    // Act
    const result = await apply([topic('a'), topic('b')]);

    // Assess: both may exist, so both are journaled; nothing that exists is left unowned.
    expect(result).toMatchObject({ status: 'applied', report: { outcome: 'Failed' } });
    expect(provider.state.has(keys.topic('a'))).toBe(true);
    expect(await store.getInventory('prod')).toEqual({
      [keys.topic('a')]: expect.objectContaining({ pending: true }),
      [keys.topic('b')]: expect.objectContaining({ pending: true }),
    });
  });

  it('is reconciled by the next apply, even one with no changes: what exists is kept, the rest dropped', async () => {
    // Prepare: the state the previous test ends in, then git stops declaring both topics.
    const { store, provider, planFor, apply } = setup();
    const real = provider.apply.bind(provider);
    provider.apply = async (changes: readonly PlannedChange[]) => {
      const first = changes[0];
      if (first) provider.state.set(first.key, { key: first.key, kind: 'Topic', name: 'a', spec: liveSpecOf(first) });
      throw new Error('connection reset by peer');
    };
    await apply([topic('a'), topic('b')]);
    provider.apply = real;
    // With prune on and "a" owned, the plan deletes it: the journal made it Landscape's.
    expect((await planFor([])).changes.map((c) => `${c.action} ${c.key}`)).toEqual([`Delete ${keys.topic('a')}`]);

    // Act: an apply of a plan that changes nothing (a declared "a", nothing to do) still reconciles.
    const result = await apply([topic('a')]);

    // Assess
    expect(result).toMatchObject({ status: 'applied', report: { outcome: 'Succeeded', results: [] } });
    const inventory = await store.getInventory('prod');
    expect(Object.keys(inventory)).toEqual([keys.topic('a')]);
    expect(inventory[keys.topic('a')]?.pending).toBeUndefined();
    expect(inventory[keys.topic('a')]?.adopted).toBeUndefined();
    expect((await store.listAudit('prod'))[0]?.message).toContain('1 kept, 1 dropped');
  });
});

describe('runApply audit records', () => {
  it('records the start before any change and a final Failed record when the apply throws', async () => {
    // Prepare: the store fails while recording the results (a full disk, an unreachable table).
    const { store, provider, apply } = setup();
    let saves = 0;
    const save = store.saveInventory.bind(store);
    store.saveInventory = async (...args) => {
      if (++saves > 1) throw new Error('no space left on device');
      return save(...args);
    };

    // Act
    const error = await apply([topic('a')]).catch((e: unknown) => e);

    // Assess
    expect((error as Error).message).toBe('no space left on device');
    expect(provider.state.has(keys.topic('a'))).toBe(true);
    const records = await store.listAudit('prod');
    expect(records.map((r) => `${r.type}:${r.outcome}`)).toEqual(['apply:Failed', 'apply:Started']);
    expect(records[0]?.message).toBe('apply stopped: no space left on device');
    expect(records[1]?.changes).toEqual([{ key: keys.topic('a'), action: 'Create' }]);
  });

  it('drops a create the platform refused: a name someone else took just before the create is never owned', async () => {
    // Prepare: between the stale check and the create, someone else makes "a"; the broker refuses our create.
    const { store, provider, planFor, apply } = setup();
    provider.apply = async (changes: readonly PlannedChange[]) =>
      changes.map((change) => {
        provider.state.set(change.key, { key: change.key, kind: 'Topic', name: 'a', spec: liveSpecOf(change) });
        return {
          key: change.key,
          action: change.action,
          outcome: 'Failed' as const,
          message: 'topic already exists',
          nothingCreated: true as const,
        };
      });

    // Act
    await apply([topic('a')]);

    // Assess: not journaled as Landscape's, so removing it from git does not delete someone else's topic.
    expect(await store.getInventory('prod')).toEqual({});
    expect((await planFor([])).changes.map((c) => c.action)).not.toContain('Delete');
  });
});
