import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaProvider } from '../../../lib/adapters/kafka/kafka-provider.ts';
import { keys } from '../../../lib/model/keys.ts';
import { TOPIC_CONFIG_KEYS } from '../../../lib/model/kinds/topic.ts';
import type { ObservedResource } from '../../../lib/model/resource.ts';
import type { ResourceProvider } from '../../../lib/ports/resource-provider.ts';
import { cleanupPrefix, rawAdmin, testKafkaConnection } from '../../../scripts/services/kafka-broker.ts';
import { createTopicChange, deleteChange, updateTopicChange } from '../../../scripts/services/kafka-changes.ts';
import { envSecretResolver, uniquePrefix } from '../../support/kafka.ts';

const secrets = envSecretResolver();
const prefix = uniquePrefix('it-kafka');
let kafka: ResourceProvider;

beforeAll(async () => {
  kafka = await createKafkaProvider(testKafkaConnection(), secrets);
});

afterAll(async () => {
  await kafka?.close();
  await cleanupPrefix(prefix);
});

function specOf(observed: readonly ObservedResource[], name: string) {
  const found = observed.find((r) => r.key === keys.topic(name));
  return found?.spec as
    | {
        partitions: number;
        replicationFactor: number;
        config: Record<string, string>;
        defaults: Record<string, string>;
      }
    | undefined;
}

describe('KafkaProvider topics', () => {
  it('creates several topics with their own configs in one batch and reports each as healthy', async () => {
    // Prepare
    const orders = `${prefix}orders`;
    const events = `${prefix}events`;
    const plain = `${prefix}plain`;
    const changes = [
      createTopicChange(orders, { partitions: 3, replicationFactor: 1, config: { 'retention.ms': '3600000' } }),
      createTopicChange(events, { partitions: 2, replicationFactor: 1, config: { 'cleanup.policy': 'compact' } }),
      createTopicChange(plain, { partitions: 1, replicationFactor: 1 }),
    ];
    const progress: string[] = [];

    // Act
    const results = await kafka.apply(changes, { secrets, progress: (e) => progress.push(e.phase) });

    // Assess
    expect(results.map((r) => [r.key, r.outcome])).toEqual(changes.map((c) => [c.key, 'Succeeded']));
    expect(results[0]?.message).toContain('3 partitions');
    expect(progress).toContain('kafka: creating topics');
    const admin = rawAdmin();
    try {
      const metadata = await admin.metadata({ topics: [orders, events, plain], forceUpdate: true });
      expect(metadata.topics.get(orders)?.partitionsCount).toBe(3);
      expect(metadata.topics.get(orders)?.partitions.every((p) => p.leader >= 0)).toBe(true);
    } finally {
      await admin.close();
    }
  });

  it('observes declared overrides in config and every other known key in defaults', async () => {
    // Prepare
    const name = `${prefix}observed`;
    await kafka.apply(
      [
        createTopicChange(name, {
          partitions: 2,
          replicationFactor: 1,
          config: { 'retention.ms': '7200000', 'max.message.bytes': '2000000' },
        }),
      ],
      { secrets },
    );

    // Act
    const observed = await kafka.observe([]);

    // Assess
    const spec = specOf(observed, name);
    expect(spec).toMatchObject({
      partitions: 2,
      replicationFactor: 1,
      config: { 'max.message.bytes': '2000000', 'retention.ms': '7200000' },
    });
    expect(Object.keys(spec?.config ?? {})).toEqual(['max.message.bytes', 'retention.ms']);
    expect(spec?.defaults['cleanup.policy']).toBe('delete');
    expect(spec?.defaults['retention.ms']).toBeUndefined();
    for (const key of Object.keys(spec?.defaults ?? {})) expect(TOPIC_CONFIG_KEYS).toContain(key);
    expect(Object.values(spec?.defaults ?? {}).every((v) => typeof v === 'string')).toBe(true);
    expect(observed.some((r) => r.name.startsWith('__'))).toBe(false);
  });

  it('reports a topic whose name starts with a single underscore', async () => {
    // Prepare
    const name = `_${prefix}internal-looking`;
    await kafka.apply([createTopicChange(name, { partitions: 1, replicationFactor: 1 })], { secrets });

    // Act
    const observed = await kafka.observeKeys([keys.topic(name)]);

    // Assess
    expect(observed.map((r) => r.name)).toEqual([name]);
    await kafka.apply([deleteChange('Topic', keys.topic(name), name)], { secrets });
  });

  it('sets changed config keys and deletes undeclared ones back to the broker default', async () => {
    // Prepare
    const name = `${prefix}configs`;
    await kafka.apply(
      [
        createTopicChange(name, {
          partitions: 1,
          replicationFactor: 1,
          config: { 'retention.ms': '100000', 'cleanup.policy': 'compact' },
        }),
      ],
      { secrets },
    );
    const update = updateTopicChange(
      name,
      { partitions: 1, replicationFactor: 1, config: { 'retention.ms': '200000' } },
      [
        { path: 'config.retention.ms', before: '100000', after: '200000' },
        { path: 'config.cleanup.policy', before: 'compact', note: 'reset to broker default' },
      ],
    );

    // Act
    const [result] = await kafka.apply([update], { secrets });
    const [live] = await kafka.observeKeys([keys.topic(name)]);

    // Assess
    expect(result).toMatchObject({ outcome: 'Succeeded', action: 'Update' });
    expect(result?.message).toContain('retention.ms=200000');
    expect(result?.message).toContain('reset cleanup.policy');
    expect(live?.spec).toMatchObject({
      config: { 'retention.ms': '200000' },
      defaults: { 'cleanup.policy': 'delete' },
    });
    expect(Object.keys((live?.spec.config as object) ?? {})).toEqual(['retention.ms']);
  });

  it('increases the partition count and waits for the new partitions to get leaders', async () => {
    // Prepare
    const name = `${prefix}grow`;
    await kafka.apply([createTopicChange(name, { partitions: 1, replicationFactor: 1 })], { secrets });

    // Act
    const [result] = await kafka.apply(
      [updateTopicChange(name, { partitions: 4, replicationFactor: 1 }, [{ path: 'partitions', before: 1, after: 4 }])],
      { secrets },
    );
    const [live] = await kafka.observeKeys([keys.topic(name)]);

    // Assess
    expect(result).toMatchObject({ outcome: 'Succeeded', message: 'partitions 1 -> 4' });
    expect(live?.spec.partitions).toBe(4);
  });

  it('fails only the change whose config the broker rejects while the others in the batch succeed', async () => {
    // Prepare
    const good = `${prefix}good`;
    const bad = `${prefix}bad`;
    const alsoGood = `${prefix}also-good`;

    // Act
    const results = await kafka.apply(
      [
        createTopicChange(good, { partitions: 1, replicationFactor: 1 }),
        createTopicChange(bad, { partitions: 1, replicationFactor: 1, config: { 'retention.ms': 'one week' } }),
        createTopicChange(alsoGood, { partitions: 1, replicationFactor: 1, config: { 'segment.ms': '600000' } }),
      ],
      { secrets },
    );

    // Assess
    expect(results.map((r) => r.outcome)).toEqual(['Succeeded', 'Failed', 'Succeeded']);
    expect(results[1]?.message).toMatch(/^creating topic ".*bad": invalid config: .*retention\.ms/);
    const live = await kafka.observeKeys([keys.topic(good), keys.topic(bad), keys.topic(alsoGood)]);
    expect(live.map((r) => r.name).sort()).toEqual([alsoGood, good].sort());
  });

  it('fails an impossible replication factor and a duplicate create without hiding other results', async () => {
    // Prepare
    const existing = `${prefix}existing`;
    await kafka.apply([createTopicChange(existing, { partitions: 1, replicationFactor: 1 })], { secrets });

    // Act
    const results = await kafka.apply(
      [
        createTopicChange(existing, { partitions: 1, replicationFactor: 1 }),
        createTopicChange(`${prefix}rf3`, { partitions: 1, replicationFactor: 3 }),
        createTopicChange(`${prefix}fine`, { partitions: 1, replicationFactor: 1 }),
      ],
      { secrets },
    );

    // Assess
    expect(results.map((r) => r.outcome)).toEqual(['Failed', 'Failed', 'Succeeded']);
    expect(results[0]?.message).toContain('topic already exists');
    expect(results[1]?.message).toContain('invalid replication factor');
    // The broker answered both refusals: this apply created neither (the ownership journal drops them).
    expect(results.map((r) => r.nothingCreated)).toEqual([true, true, undefined]);
  });

  it('refuses a partition decrease and a replication factor change at apply time', async () => {
    // Prepare
    const name = `${prefix}refuse`;
    await kafka.apply([createTopicChange(name, { partitions: 2, replicationFactor: 1 })], { secrets });

    // Act
    const [result] = await kafka.apply(
      [
        updateTopicChange(name, { partitions: 1, replicationFactor: 2 }, [
          { path: 'partitions', before: 2, after: 1 },
          { path: 'replicationFactor', before: 1, after: 2 },
        ]),
      ],
      { secrets },
    );

    // Assess
    expect(result?.outcome).toBe('Failed');
    expect(result?.message).toContain('partitions can not decrease');
    expect(result?.message).toContain('replication factor');
  });

  it('re-reads only the requested keys and leaves missing ones out', async () => {
    // Prepare
    const name = `${prefix}orders`;

    // Act
    const observed = await kafka.observeKeys([
      keys.topic(name),
      keys.topic(`${prefix}does-not-exist`),
      keys.user(`${prefix}nobody`),
    ]);

    // Assess
    expect(observed.map((r) => r.key)).toEqual([keys.topic(name)]);
  });

  it('deletes topics in one batch, treats an absent topic as deleted and waits until they are gone', async () => {
    // Prepare
    const names = [`${prefix}del-a`, `${prefix}del-b`];
    await kafka.apply(
      names.map((n) => createTopicChange(n, { partitions: 1, replicationFactor: 1 })),
      { secrets },
    );
    const missing = `${prefix}never-existed`;

    // Act
    const results = await kafka.apply(
      [...names, missing].map((n) => deleteChange('Topic', keys.topic(n), n)),
      { secrets },
    );

    // Assess
    expect(results.map((r) => [r.outcome, r.message])).toEqual([
      ['Succeeded', 'deleted'],
      ['Succeeded', 'deleted'],
      ['Succeeded', 'already absent'],
    ]);
    expect(await kafka.observeKeys(names.map((n) => keys.topic(n)))).toEqual([]);
  });
});
