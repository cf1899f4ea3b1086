import { describe, expect, it } from 'vitest';
import { applyPlan, nextInventory } from '../../../lib/engine/apply-plan.ts';
import { sha256Hex } from '../../../lib/engine/hash.ts';
import { EnvironmentSpecSchema } from '../../../lib/model/environment.ts';
import { keys } from '../../../lib/model/keys.ts';
import type { AclBinding } from '../../../lib/model/kinds/acl.ts';
import type { DesiredResource, Inventory, ObservedResource } from '../../../lib/model/resource.ts';
import { computePlan, describeBasisMove, fingerprint } from '../../../lib/plan/compute-plan.ts';
import { renderPlanText } from '../../../lib/plan/render-plan.ts';
import { InMemoryKafkaProvider } from '../../support/fakes/in-memory-kafka-provider.ts';

const environment = {
  name: 'test',
  spec: EnvironmentSpecSchema.parse({
    kafka: { bootstrapServers: ['127.0.0.1:9092'] },
    prune: { Topic: true, Acl: true, KubernetesObject: true },
  }),
};
const topic = (name: string, partitions = 1): DesiredResource => ({
  key: keys.topic(name),
  kind: 'Topic',
  name,
  spec: { partitions, replicationFactor: 1, config: {} },
});
const live = (name: string, identity?: string, partitions = 1): ObservedResource => ({
  key: keys.topic(name),
  kind: 'Topic',
  name,
  spec: { partitions, replicationFactor: 1, config: {}, defaults: {} },
  ...(identity ? { identity } : {}),
});
const acl = (binding: Partial<AclBinding>): ObservedResource => {
  const b: AclBinding = {
    principal: 'User:x',
    host: '*',
    resourceType: 'topic',
    resourceName: '*',
    patternType: 'literal',
    operation: 'all',
    permission: 'allow',
    ...binding,
  };
  return { key: keys.acl(b), kind: 'Acl', name: `${b.principal} ${b.operation} ${b.resourceName}`, spec: { ...b } };
};
const ours = (...names: string[]): Inventory =>
  Object.fromEntries(names.map((n) => [keys.topic(n), { key: keys.topic(n), kind: 'Topic' as const }]));
const noSecrets = { resolve: async () => 'unused' };

function planFor(desired: DesiredResource[], observed: ObservedResource[], inventory: Inventory = {}) {
  return computePlan({
    environment,
    desired,
    observed,
    inventory,
    observedKinds: ['Topic', 'Acl', 'KubernetesObject'],
    source: { commit: 'c1' },
    toolVersion: 't',
    hash: sha256Hex,
  });
}

describe('the plan basis carries the platform identity', () => {
  it('records the topic id next to the spec fingerprint, and a delete names the id it deletes', () => {
    const plan = planFor([], [live('old', 'id-1')], ours('old'));
    expect(plan.basis[keys.topic('old')]).toMatch(/^[0-9a-f]{16}@id-1$/);
    expect(plan.changes[0]).toMatchObject({ action: 'Delete', identity: 'id-1' });
  });

  it('says what moved: re-created, changed, deleted, created', () => {
    const before = fingerprint(live('t', 'id-1'), sha256Hex);
    expect(describeBasisMove(before, before)).toBeUndefined();
    expect(describeBasisMove(before, fingerprint(live('t', 'id-2'), sha256Hex), 'Topic')).toBe(
      'deleted and re-created since planning (topic id id-1 -> id-2)',
    );
    expect(describeBasisMove(before, fingerprint(live('t', 'id-1', 3), sha256Hex))).toBe('changed since planning');
    expect(describeBasisMove(before, 'absent')).toBe('deleted since planning');
    expect(describeBasisMove('absent', before)).toBe('created since planning');
  });

  it('refuses to delete a topic deleted and re-created with the same spec since planning, naming the ids', async () => {
    // Prepare: planned for deletion, then deleted and re-created by hand (same spec, new data, new topic id).
    const provider = new InMemoryKafkaProvider([live('orders', 'id-old')]);
    const plan = planFor([], await provider.observe([]), ours('orders'));
    expect(plan.changes.map((c) => c.action)).toEqual(['Delete']);
    provider.state.set(keys.topic('orders'), live('orders', 'id-new'));

    // Act
    const { report, inventory } = await applyPlan({
      plan,
      providers: [provider],
      inventory: ours('orders'),
      secrets: noSecrets,
      now: () => new Date(0),
    });

    // Assess
    expect(report.outcome).toBe('Refused');
    expect(report.refusal?.message).toContain(
      'kafka/topic/orders: deleted and re-created since planning (topic id id-old -> id-new)',
    );
    expect(report.results[0]?.message).toBe(
      'plan refused: stale (deleted and re-created since planning (topic id id-old -> id-new))',
    );
    expect(provider.applyCalls).toBe(0);
    expect(provider.state.get(keys.topic('orders'))?.identity).toBe('id-new');
    expect(inventory).toEqual(ours('orders'));
  });
});

describe('adoption (ADR 0005)', () => {
  it('adopts a declared resource that exists live and that Landscape did not create, visibly', () => {
    const plan = planFor([topic('handmade', 2), topic('same'), topic('new')], [live('handmade'), live('same')]);
    expect(plan.adopted).toEqual([keys.topic('handmade'), keys.topic('same')]);
    expect(plan.summary.adopt).toBe(2);
    expect(plan.changes.find((c) => c.key === keys.topic('handmade'))).toMatchObject({ action: 'Update', adopt: true });
    expect(plan.changes.find((c) => c.key === keys.topic('new'))?.adopt).toBeUndefined();
    expect(plan.inventory.filter((e) => e.adopted).map((e) => e.key)).toEqual([
      keys.topic('handmade'),
      keys.topic('same'),
    ]);
    const text = renderPlanText(plan);
    expect(text).toContain('~ update Topic handmade  [adopt]');
    expect(text).toContain('  = adopt kafka/topic/same');
    expect(text).toContain('2 to adopt');
  });

  it('does not adopt what Landscape created: in the inventory, or labelled as its own', () => {
    const labelled: ObservedResource = {
      key: 'k8s/core/ConfigMap/ns/cm',
      kind: 'KubernetesObject',
      name: 'ConfigMap ns/cm',
      spec: { manifest: { data: { a: '1' } } },
      ownedByLandscape: true,
    };
    const desiredCm: DesiredResource = { ...labelled, spec: { manifest: { data: { a: '1' } } } };
    const plan = planFor([topic('mine'), desiredCm], [live('mine'), labelled], ours('mine'));
    expect(plan.adopted).toEqual([]);
  });

  it('never prunes an adopted resource gone from git: it stays in place and in the inventory, with a note', () => {
    const inventory: Inventory = {
      [keys.topic('adopted')]: { key: keys.topic('adopted'), kind: 'Topic', adopted: true },
      ...ours('created'),
    };
    const plan = planFor([], [live('adopted'), live('created')], inventory);
    expect(plan.changes.map((c) => [c.action, c.key])).toEqual([['Delete', keys.topic('created')]]);
    expect(plan.notes.map((n) => n.message)).toContainEqual(expect.stringContaining('"adopted" is gone from git'));
    expect(plan.unmanaged).toEqual([]);
    const after = nextInventory(
      plan,
      [{ key: keys.topic('created'), action: 'Delete', outcome: 'Succeeded' }],
      inventory,
    );
    expect(after).toEqual({ [keys.topic('adopted')]: inventory[keys.topic('adopted')] });
  });

  it('keeps the adopted mark while the resource stays declared', () => {
    const inventory: Inventory = {
      [keys.topic('adopted')]: { key: keys.topic('adopted'), kind: 'Topic', adopted: true },
    };
    const plan = planFor([topic('adopted', 3)], [live('adopted')], inventory);
    expect(plan.adopted).toEqual([]);
    expect(plan.inventory).toEqual([expect.objectContaining({ key: keys.topic('adopted'), adopted: true })]);
  });

  it('keeps a resource refused as owned by another manager out of the inventory', () => {
    const conflicted: ObservedResource = { ...live('t'), conflicts: ['.spec owned by kubectl'] };
    const plan = planFor([topic('t', 2)], [conflicted]);
    expect(plan.refused.map((r) => r.reason)).toEqual(['OwnedByOther']);
    expect(plan.inventory).toEqual([]);
  });
});

describe('unmanaged resources are named', () => {
  it('lists unmanaged keys, bounded, with the count', () => {
    const plan = planFor(
      [],
      Array.from({ length: 25 }, (_, i) => live(`other-${String(i).padStart(2, '0')}`)),
    );
    const text = renderPlanText(plan);
    expect(text).toContain('Unmanaged: 25 live resource(s) not in git and not created by Landscape, left alone:');
    expect(text).toContain('  kafka/topic/other-19');
    expect(text).not.toContain('kafka/topic/other-20');
    expect(text).toContain('  ... and 5 more (see the plan JSON)');
  });

  it('names unmanaged grants that reach managed topics: ALLOW ALL topic:*, a DENY, a covering prefix', () => {
    const observed = [
      live('orders'),
      live('theirs'),
      acl({ principal: 'User:intruder' }),
      acl({ principal: 'User:app', resourceName: 'orders', operation: 'write', permission: 'deny' }),
      acl({ principal: 'User:p', resourceName: 'ord', patternType: 'prefixed', operation: 'read' }),
      acl({ principal: 'User:q', resourceName: 'theirs', operation: 'read' }),
      acl({ principal: 'User:r', resourceName: 'orders', resourceType: 'group', operation: 'read' }),
    ];
    const plan = planFor([topic('orders')], observed, ours('orders'));
    expect(plan.unmanagedGrants.map((g) => [g.name, g.examples])).toEqual([
      ['User:app write orders', ['orders']],
      ['User:intruder all *', ['orders']],
      ['User:p read ord', ['orders']],
    ]);
    expect(renderPlanText(plan)).toContain(
      'Unmanaged grants on managed topics: 3 ACL(s) not in git reach topics Landscape manages:',
    );
  });
});
