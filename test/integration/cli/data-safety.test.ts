import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Admin, Producer, stringSerializers } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaProvider } from '../../../lib/adapters/kafka/kafka-provider.ts';
import { keys } from '../../../lib/model/keys.ts';
import type { Plan } from '../../../lib/model/plan.ts';
import {
  cleanupPrefix,
  deleteChange,
  envSecretResolver,
  kafkaTestEnv,
  rawAdmin,
  testKafkaConnection,
  uniquePrefix,
} from '../../support/kafka.ts';
import { cliEnvironment, landscapeCli, topicYaml, writeFiles } from './support.ts';

const prefix = uniquePrefix('it-safety');
let admin: Admin;

beforeAll(() => {
  admin = rawAdmin('it-safety');
});

afterAll(async () => {
  await cleanupPrefix(prefix);
  await admin.close();
});

async function topicId(name: string): Promise<string | undefined> {
  const metadata = await admin.metadata({ topics: [name], forceUpdate: true });
  return metadata.topics.get(name)?.id;
}

/** Re-creates a topic by hand: DeleteTopics, then CreateTopics until the broker has let go of the old one. */
async function recreate(name: string): Promise<void> {
  await admin.deleteTopics({ topics: [name] });
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.createTopics({ topics: [name], partitions: 1, replicas: 1 });
      return;
    } catch (error) {
      // The broker may still be removing the old topic (TOPIC_ALREADY_EXISTS / marked for deletion).
      if (attempt >= 50) throw error;
      await admin.metadata({ topics: [], forceUpdate: true });
    }
  }
}

async function produce(topic: string, count: number): Promise<void> {
  const producer = new Producer({
    clientId: `${prefix}producer`,
    bootstrapBrokers: kafkaTestEnv.bootstrap.split(','),
    sasl: { mechanism: 'SCRAM-SHA-512', username: kafkaTestEnv.username, password: kafkaTestEnv.password },
    serializers: stringSerializers,
    idempotent: true,
  });
  try {
    await producer.send({
      messages: Array.from({ length: count }, (_, i) => ({ topic, key: `k${i}`, value: `new data ${i}` })),
    });
  } finally {
    await producer.close();
  }
}

async function endOffset(topic: string): Promise<bigint> {
  const [listed] = await admin.listOffsets({
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
  });
  return listed?.partitions[0]?.offset ?? -1n;
}

describe('a stale plan never deletes a topic re-created since planning', () => {
  it('refuses the plan, naming the old and new topic ids, and the new topic keeps its data', async () => {
    // Prepare: Landscape creates two topics, then git drops one and a plan deletes it.
    const dir = await mkdtemp(join(tmpdir(), 'landscape-safety-'));
    const state = await mkdtemp(join(tmpdir(), 'landscape-safety-state-'));
    const doomed = `${prefix}doomed`;
    await writeFiles(dir, {
      'env.yaml': cliEnvironment('safety'),
      'topics.yaml': `${topicYaml(`${prefix}kept`)}---\n${topicYaml(doomed)}`,
    });
    expect((await landscapeCli(['apply', '.', '--env', 'safety', '--auto-approve'], { cwd: dir, state })).code).toBe(0);
    await writeFiles(dir, { 'topics.yaml': topicYaml(`${prefix}kept`) });
    const planned = await landscapeCli(['plan', '.', '--env', 'safety', '--out', 'delete.json'], { cwd: dir, state });
    expect(planned.stdout).toContain(`- delete Topic ${doomed}  [destructive]`);
    const oldId = await topicId(doomed);
    const plan = JSON.parse(await readFile(join(dir, 'delete.json'), 'utf8')) as Plan;
    expect(plan.basis[keys.topic(doomed)]).toMatch(new RegExp(`^[0-9a-f]{16}@${oldId}$`));

    // Someone deletes and re-creates the topic with the same spec, and writes to it, before the apply.
    await recreate(doomed);
    await produce(doomed, 3);
    const newId = await topicId(doomed);
    expect(newId).not.toBe(oldId);

    // Act
    const applied = await landscapeCli(['apply', 'delete.json'], { cwd: dir, state });

    // Assess
    expect(applied.code).toBe(1);
    expect(applied.stderr).toContain('apply refused (PlanStale)');
    expect(applied.stderr).toContain(
      `kafka/topic/${doomed}: deleted and re-created since planning (topic id ${oldId} -> ${newId})`,
    );
    expect(await topicId(doomed)).toBe(newId);
    expect(await endOffset(doomed)).toBeGreaterThanOrEqual(3n);
  });

  it('deletes by topic id: a delete planned against the old topic leaves a re-created one alone', async () => {
    // Prepare: the window between apply's staleness check and the delete, made deterministic.
    const name = `${prefix}raced`;
    await admin.createTopics({ topics: [name], partitions: 1, replicas: 1 });
    const provider = await createKafkaProvider(testKafkaConnection(), envSecretResolver());
    try {
      const [observed] = await provider.observeKeys([keys.topic(name)]);
      const oldId = observed?.identity;
      expect(oldId).toBe(await topicId(name));
      await recreate(name);
      await produce(name, 2);
      const newId = await topicId(name);

      // Act
      const [result] = await provider.apply(
        [{ ...deleteChange('Topic', keys.topic(name), name), ...(oldId ? { identity: oldId } : {}) }],
        { secrets: envSecretResolver() },
      );

      // Assess
      expect(result).toMatchObject({ outcome: 'Succeeded' });
      expect(result?.message).toContain(`already absent: topic id ${oldId} is gone`);
      expect(await topicId(name)).toBe(newId);
      expect(await endOffset(name)).toBeGreaterThanOrEqual(2n);
    } finally {
      await provider.close();
    }
  });
});
