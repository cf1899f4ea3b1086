import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Admin, stringSerializers } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaProvider } from '../../../lib/adapters/kafka/kafka-provider.ts';
import { FileStateStore } from '../../../lib/adapters/store/file-state-store.ts';
import { keys } from '../../../lib/model/keys.ts';
import type { Plan } from '../../../lib/model/plan.ts';
import { cleanupPrefix, rawAdmin, testKafkaConnection, testProducer } from '../../../scripts/services/kafka-broker.ts';
import { deleteChange } from '../../../scripts/services/kafka-changes.ts';
import { topicYaml, writeFiles } from '../../support/builders.ts';
import { cliWorkspace } from '../../support/cli/landscape-cli.ts';
import { commitAll, git } from '../../support/git.ts';
import { endOffset, envSecretResolver, testEnvironmentYaml, uniquePrefix } from '../../support/kafka.ts';

const prefix = uniquePrefix('it-safety');
let admin: Admin;
const PRUNE_TOPICS_AND_ACLS = { prune: ['Topic', 'Acl'], requireApprovalFor: 'none' } as const;

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
  const producer = testProducer<string, string, string, string>(`${prefix}producer`, {
    serializers: stringSerializers,
  });
  try {
    await producer.send({
      messages: Array.from({ length: count }, (_, i) => ({ topic, key: `k${i}`, value: `new data ${i}` })),
    });
  } finally {
    await producer.close();
  }
}

describe('a stale plan never deletes a topic re-created since planning', () => {
  it('refuses the plan, naming the old and new topic ids, and the new topic keeps its data', async () => {
    // Prepare: Landscape creates two topics, then git drops one and a plan deletes it.
    const { dir, cli } = await cliWorkspace('safety');
    const doomed = `${prefix}doomed`;
    await writeFiles(dir, {
      'env.yaml': testEnvironmentYaml('safety', PRUNE_TOPICS_AND_ACLS),
      'topics.yaml': `${topicYaml(`${prefix}kept`)}---\n${topicYaml(doomed)}`,
    });
    expect((await cli('apply', '.', '--env', 'safety', '--auto-approve')).code).toBe(0);
    await writeFiles(dir, { 'topics.yaml': topicYaml(`${prefix}kept`) });
    const planned = await cli('plan', '.', '--env', 'safety', '--out', 'delete.json');
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
    const applied = await cli('apply', 'delete.json');

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

describe('adoption (ADR 0005: only what Landscape created is pruned)', () => {
  it('adopts a hand-made topic visibly, and leaves it in place once it is removed from git', async () => {
    // Prepare: a topic made by hand, then declared in git next to a new one.
    const { dir, cli } = await cliWorkspace('adopt');
    const handmade = `${prefix}handmade`;
    const created = `${prefix}created`;
    await admin.createTopics({ topics: [handmade], partitions: 1, replicas: 1 });
    await writeFiles(dir, {
      'env.yaml': testEnvironmentYaml('adopt', PRUNE_TOPICS_AND_ACLS),
      'topics.yaml': `${topicYaml(handmade)}---\n${topicYaml(created)}`,
    });
    const adopting = await cli('plan', '.', '--env', 'adopt');
    expect(adopting.stdout).toContain(`  = adopt kafka/topic/${handmade}`);
    expect(adopting.stdout).toContain('1 to adopt');
    expect((await cli('apply', '.', '--env', 'adopt', '--auto-approve')).code).toBe(0);

    // Act: both leave git; prune is on for topics.
    await writeFiles(dir, { 'topics.yaml': '' });
    const pruning = await cli('plan', '.', '--env', 'adopt');
    const applied = await cli('apply', '.', '--env', 'adopt', '--auto-approve');

    // Assess
    expect(pruning.stdout).toContain(`- delete Topic ${created}  [destructive]`);
    expect(pruning.stdout).not.toContain(`delete Topic ${handmade}`);
    expect(pruning.stdout).toContain(
      `Topic "${handmade}" is gone from git, but Landscape adopted it (it existed before it was declared), so it is never pruned`,
    );
    expect(applied.code).toBe(0);
    const topics = await admin.listTopics();
    expect(topics).toContain(handmade);
    expect(topics).not.toContain(created);
  });
});

describe('latest commit wins in the CLI', () => {
  it('refuses the plan of an ancestor of the applied commit, naming both, unless --rollback', async () => {
    // Prepare: c4 declares two topics and is applied; c5 removes one and is applied.
    const { dir, state, cli } = await cliWorkspace('order');
    const applied = async () => (await new FileStateStore(state).getApplied('order'))?.commit;
    const [kept, removed] = [`${prefix}order-kept`, `${prefix}order-removed`];
    await git(dir, 'init', '-q', '-b', 'main');
    await writeFiles(dir, {
      'env.yaml': testEnvironmentYaml('order', PRUNE_TOPICS_AND_ACLS),
      'topics.yaml': `${topicYaml(kept)}---\n${topicYaml(removed)}`,
    });
    const c4 = await commitAll(dir, 'c4: two topics');
    expect((await cli('apply', '.', '--env', 'order', '--auto-approve')).code).toBe(0);
    await writeFiles(dir, { 'topics.yaml': topicYaml(kept) });
    const c5 = await commitAll(dir, 'c5: one topic removed');
    expect((await cli('plan', '.', '--env', 'order', '--out', '../c5.json')).code).toBe(2);
    expect((await cli('apply', '../c5.json')).code).toBe(0);
    expect(await applied()).toBe(c5);
    expect(await admin.listTopics()).not.toContain(removed);

    // Act: c4 planned again (it brings the topic back) and applied after c5, as a file and from the directory.
    await git(dir, 'checkout', '-q', c4);
    expect((await cli('plan', '.', '--env', 'order', '--out', '../c4.json')).code).toBe(2);
    const fromFile = await cli('apply', '../c4.json');
    const fromDirectory = await cli('apply', '.', '--env', 'order', '--auto-approve');

    // Assess: refused, naming both commits; nothing came back; the applied commit stays c5.
    for (const refused of [fromFile, fromDirectory]) {
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `apply refused (OlderCommit): the plan is of commit ${c4.slice(0, 12)}, an ancestor of commit ${c5.slice(0, 12)} applied to "order"`,
      );
      expect(refused.stderr).toContain('re-run with --rollback');
    }
    expect(await admin.listTopics()).not.toContain(removed);
    expect(await applied()).toBe(c5);

    // A rollback on purpose is applied and moves the applied commit back.
    const rollback = await cli('apply', '../c4.json', '--rollback');
    expect(rollback.code).toBe(0);
    expect(rollback.stderr).toContain(
      `rolling "order" back from applied commit ${c5.slice(0, 12)} to commit ${c4.slice(0, 12)} (--rollback)`,
    );
    expect(await admin.listTopics()).toContain(removed);
    expect(await applied()).toBe(c4);
  });
});
