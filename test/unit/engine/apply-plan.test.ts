import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../../lib/engine/apply-plan.ts';
import { sha256Hex } from '../../../lib/engine/hash.ts';
import { keys } from '../../../lib/model/keys.ts';
import type { DesiredResource, ObservedResource } from '../../../lib/model/resource.ts';
import { computePlan, planHashMatches } from '../../../lib/plan/compute-plan.ts';
import { testEnvironment } from '../../support/builders.ts';
import { InMemoryKafkaProvider } from '../../support/fakes/in-memory-kafka-provider.ts';

const environment = testEnvironment({ prune: { Topic: true } });
const topic = (name: string, partitions = 1): DesiredResource => ({
  key: keys.topic(name),
  kind: 'Topic',
  name,
  spec: { partitions, replicationFactor: 1, config: {} },
});
const live = (name: string, partitions = 1): ObservedResource => ({
  key: keys.topic(name),
  kind: 'Topic',
  name,
  spec: { partitions, replicationFactor: 1, config: {}, defaults: {} },
});
const noSecrets = { resolve: async () => 'unused' };

function planFor(desired: DesiredResource[], observed: ObservedResource[], inventory = {}) {
  return computePlan({
    environment,
    desired,
    observed,
    inventory,
    observedKinds: ['Topic'],
    source: { commit: 'c1' },
    toolVersion: 't',
    hash: sha256Hex,
  });
}

describe('applyPlan', () => {
  it('refuses a stale plan and names the resources that moved, changing nothing', async () => {
    const provider = new InMemoryKafkaProvider([live('a', 1)]);
    const plan = planFor([topic('a', 3), topic('b')], await provider.observe([]));
    provider.state.set(keys.topic('a'), live('a', 2)); // someone changed it out of band

    const { report } = await applyPlan({
      plan,
      providers: [provider],
      inventory: {},
      secrets: noSecrets,
      now: () => new Date(0),
    });

    expect(report.outcome).toBe('Refused');
    expect(report.refusal?.changedKeys).toEqual([keys.topic('a')]);
    expect(provider.applyCalls).toBe(0);
    expect(provider.state.has(keys.topic('b'))).toBe(false);
  });

  it('reports every change, and one failure does not hide the others', async () => {
    const provider = new InMemoryKafkaProvider();
    provider.failKeys.add(keys.topic('b'));
    const plan = planFor([topic('a'), topic('b'), topic('c')], []);

    const { report, inventory } = await applyPlan({
      plan,
      providers: [provider],
      inventory: {},
      secrets: noSecrets,
      now: () => new Date(0),
    });

    expect(report.outcome).toBe('PartiallyFailed');
    expect(report.results.map((r) => [r.key, r.outcome])).toEqual([
      [keys.topic('a'), 'Succeeded'],
      [keys.topic('b'), 'Failed'],
      [keys.topic('c'), 'Succeeded'],
    ]);
    expect(Object.keys(inventory).sort()).toEqual([keys.topic('a'), keys.topic('c')]);
  });

  it('keeps a failed delete in the inventory so the next run retries it', async () => {
    const provider = new InMemoryKafkaProvider([live('old')]);
    provider.failKeys.add(keys.topic('old'));
    const inventory = { [keys.topic('old')]: { key: keys.topic('old'), kind: 'Topic' as const } };
    const plan = planFor([], await provider.observe([]), inventory);
    expect(plan.changes.map((c) => c.action)).toEqual(['Delete']);

    const result = await applyPlan({
      plan,
      providers: [provider],
      inventory,
      secrets: noSecrets,
      now: () => new Date(0),
    });

    expect(result.report.outcome).toBe('Failed');
    expect(result.inventory[keys.topic('old')]).toBeDefined();
  });

  it('turns a provider fault into a Failed result per change with the reason', async () => {
    const provider = new InMemoryKafkaProvider();
    provider.apply = async () => {
      throw new Error('connecting to 127.0.0.1:9092: connection refused');
    };
    const plan = planFor([topic('a')], []);
    const { report } = await applyPlan({
      plan,
      providers: [provider],
      inventory: {},
      secrets: noSecrets,
      now: () => new Date(0),
    });
    expect(report.results).toEqual([
      expect.objectContaining({ outcome: 'Failed', message: 'connecting to 127.0.0.1:9092: connection refused' }),
    ]);
  });

  it('skips changes whose kind has no connection in the environment', async () => {
    const plan = planFor([topic('a')], []);
    const { report } = await applyPlan({
      plan,
      providers: [],
      inventory: {},
      secrets: noSecrets,
      now: () => new Date(0),
    });
    expect(report.results[0]).toMatchObject({ outcome: 'Skipped' });
  });

  it('knows a plan file edited after planning: its content no longer matches its hash', () => {
    // As `landscape plan --out` writes it and `landscape apply plan.json` reads it back.
    const plan = JSON.parse(JSON.stringify(planFor([topic('a', 3)], [live('a', 1)]))) as ReturnType<typeof planFor>;
    expect(planHashMatches(plan, sha256Hex)).toBe(true);
    const edited = structuredClone(plan);
    edited.target.requireApprovalFor = 'none';
    expect(planHashMatches(edited, sha256Hex)).toBe(false);
  });
});
