import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../../lib/engine/apply-plan.ts';
import { sha256Hex } from '../../../lib/engine/hash.ts';
import { keys } from '../../../lib/model/keys.ts';
import type { AclOperation } from '../../../lib/model/kinds/acl.ts';
import type { DesiredResource, Inventory, ObservedResource } from '../../../lib/model/resource.ts';
import { computePlan } from '../../../lib/plan/compute-plan.ts';
import { testEnvironment } from '../../support/builders.ts';
import { InMemoryKafkaProvider } from '../../support/fakes/in-memory-kafka-provider.ts';

const environment = testEnvironment({ prune: { Topic: true, Acl: true, Quota: true, User: true } });
const KINDS = ['Topic', 'Acl', 'Quota', 'User'] as const;

const topicName = fc.stringMatching(/^[a-z]{1,6}$/);
const configArb = fc.dictionary(
  fc.constantFrom('retention.ms', 'cleanup.policy', 'segment.ms', 'max.message.bytes'),
  fc.constantFrom('1000', '2000', 'delete', 'compact'),
  { maxKeys: 3 },
);

const desiredTopics = fc.uniqueArray(
  fc.record({ name: topicName, partitions: fc.integer({ min: 1, max: 8 }), config: configArb }),
  {
    selector: (t) => t.name,
    maxLength: 8,
  },
);
const liveTopics = fc.uniqueArray(
  fc.record({ name: topicName, partitions: fc.integer({ min: 1, max: 4 }), config: configArb }),
  {
    selector: (t) => t.name,
    maxLength: 8,
  },
);
const aclOps = fc.uniqueArray(fc.constantFrom<AclOperation>('read', 'write', 'describe'), { maxLength: 3 });

function desiredOf(
  topics: { name: string; partitions: number; config: Record<string, string> }[],
  ops: AclOperation[],
): DesiredResource[] {
  const resources: DesiredResource[] = topics.map((t) => ({
    key: keys.topic(t.name),
    kind: 'Topic',
    name: t.name,
    // Never below what is live (8 > max live 4 is not guaranteed), so partitions grow only: refusals are tested elsewhere.
    spec: { partitions: t.partitions + 4, replicationFactor: 1, config: t.config },
  }));
  for (const operation of ops) {
    const binding = {
      principal: 'User:app',
      host: '*',
      resourceType: 'topic',
      resourceName: 'x',
      patternType: 'literal',
      operation,
      permission: 'allow',
    } as const;
    resources.push({ key: keys.acl(binding), kind: 'Acl', name: operation, spec: { ...binding } });
  }
  return resources;
}

function observedOf(
  topics: { name: string; partitions: number; config: Record<string, string> }[],
): ObservedResource[] {
  return topics.map((t) => ({
    key: keys.topic(t.name),
    kind: 'Topic',
    name: t.name,
    spec: { partitions: t.partitions, replicationFactor: 1, config: t.config, defaults: {} },
  }));
}

function plan(desired: DesiredResource[], observed: ObservedResource[], inventory: Inventory) {
  return computePlan({
    environment,
    desired,
    observed,
    inventory,
    observedKinds: KINDS,
    source: {},
    toolVersion: 't',
    hash: sha256Hex,
  });
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = Math.abs(seed) || 1;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

describe('computePlan properties', () => {
  it('converges: applying a plan and planning again gives no changes', async () => {
    await fc.assert(
      fc.asyncProperty(desiredTopics, liveTopics, aclOps, fc.boolean(), async (want, have, ops, ownLive) => {
        const desired = desiredOf(want, ops);
        const observed = observedOf(have);
        const inventory: Inventory = ownLive
          ? Object.fromEntries(observed.map((o) => [o.key, { key: o.key, kind: o.kind }]))
          : {};
        const provider = new InMemoryKafkaProvider(observed);
        const first = plan(desired, await provider.observe([]), inventory);
        const applied = await applyPlan({
          plan: first,
          providers: [provider],
          inventory,
          secrets: { resolve: async () => 'x' },
          now: () => new Date(0),
        });
        expect(applied.report.outcome).toBe('Succeeded');
        const second = plan(desired, await provider.observe([]), applied.inventory);
        expect(second.changes).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('is deterministic: the order of desired and observed resources does not change the plan', () => {
    fc.assert(
      fc.property(desiredTopics, liveTopics, aclOps, fc.integer(), (want, have, ops, seed) => {
        const desired = desiredOf(want, ops);
        const observed = observedOf(have);
        const inventory = Object.fromEntries(observed.map((o) => [o.key, { key: o.key, kind: o.kind }]));
        const a = plan(desired, observed, inventory);
        const b = plan(shuffled(desired, seed), shuffled(observed, seed + 7), inventory);
        expect(b).toEqual(a);
        expect(b.hash).toBe(a.hash);
      }),
      { numRuns: 200 },
    );
  });

  it('never deletes what Landscape did not create', () => {
    fc.assert(
      fc.property(desiredTopics, liveTopics, (want, have) => {
        const result = plan(desiredOf(want, []), observedOf(have), {});
        expect(result.changes.filter((c) => c.action === 'Delete')).toEqual([]);
      }),
    );
  });
});
