import {
  ConfigResourceTypes,
  createPartitionsV3,
  createTopicsV7,
  deleteTopicsV6,
  IncrementalAlterConfigOperationTypes,
  type incrementalAlterConfigsV1,
} from '@platformatic/kafka';
import { messageOf } from '../../errors.ts';
import type { Json, JsonObject } from '../../model/common.ts';
import type { PlannedChange } from '../../model/plan.ts';
import { callAdmin, callApi, chunk, mapLimit, packByWeight, plural } from './batch.ts';
import type { KafkaSession } from './connection.ts';
import { itemErrorText } from './kafka-errors.ts';
import { applyInBatches, type ItemOutcome } from './kinds/batched.ts';
import { type TopicUpdate, waitForConfigs, waitForTopics, waitForTopicsGone } from './kinds/topic-health.ts';
import { TOPIC_KEY_PREFIX } from './normalize.ts';
import { type ApplyOptions, type ResultBook, since } from './results.ts';

const UNKNOWN_TOPIC_OR_PARTITION = 3;
const UNKNOWN_TOPIC_ID = 100;
/**
 * KRaft refuses a CreateTopics/CreatePartitions request that creates more partitions than this
 * ("Excessively large number of partitions per request", POLICY_VIOLATION).
 */
const MAX_PARTITIONS_PER_REQUEST = 10_000;

interface DesiredTopic {
  partitions: number;
  replicationFactor: number;
  config: Record<string, string>;
}

/**
 * Applies Topic changes in batches: one CreateTopics per chunk (each topic with its own partitions,
 * replication factor and configs), IncrementalAlterConfigs for config SET/DELETE, CreatePartitions for
 * increases, DeleteTopics for deletes. Then waits (bounded) until created or grown topics have a leader for
 * every partition and deleted ones are gone, because success means healthy.
 */
export async function applyTopicChanges(
  session: KafkaSession,
  changes: readonly PlannedChange[],
  book: ResultBook,
  options: ApplyOptions,
  phase: 'upsert' | 'delete',
): Promise<void> {
  if (phase === 'upsert') {
    await createTopics(
      session,
      changes.filter((c) => c.action === 'Create'),
      book,
      options,
    );
    await updateTopics(
      session,
      changes.filter((c) => c.action === 'Update'),
      book,
      options,
    );
  } else {
    await deleteTopics(
      session,
      changes.filter((c) => c.action === 'Delete'),
      book,
      options,
    );
  }
}

/** The topic name of a change: from its key (`kafka/topic/<name>`), which is exact, else its display name. */
export function topicNameOf(change: PlannedChange): string {
  return change.key.startsWith(TOPIC_KEY_PREFIX) ? change.key.slice(TOPIC_KEY_PREFIX.length) : change.name;
}

function desiredTopicOf(spec: JsonObject | undefined): DesiredTopic | string {
  if (!spec) return 'the change carries no desired spec';
  const { partitions, replicationFactor, config } = spec;
  if (typeof partitions !== 'number' || !Number.isInteger(partitions) || partitions < 1) {
    return 'the desired spec has no valid "partitions"';
  }
  // "default": CreateTopics with -1 lets the broker apply its default.replication.factor (KIP-464).
  if (replicationFactor === 'default') return { partitions, replicationFactor: -1, config: configOf(config) };
  if (typeof replicationFactor !== 'number' || !Number.isInteger(replicationFactor) || replicationFactor < 1) {
    return 'the desired spec has no valid "replicationFactor"';
  }
  return { partitions, replicationFactor, config: configOf(config) };
}

function configOf(value: Json | undefined): Record<string, string> {
  const config: Record<string, string> = {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return config;
  for (const [key, v] of Object.entries(value)) if (v !== null && typeof v !== 'object') config[key] = String(v);
  return config;
}

async function createTopics(
  session: KafkaSession,
  changes: readonly PlannedChange[],
  book: ResultBook,
  options: ApplyOptions,
): Promise<void> {
  if (changes.length === 0) return;
  const start = performance.now();
  const valid: { change: PlannedChange; name: string; topic: DesiredTopic }[] = [];
  for (const change of changes) {
    const topic = desiredTopicOf(change.desired);
    if (typeof topic === 'string') book.failed(change, `creating topic "${topicNameOf(change)}": ${topic}`);
    else valid.push({ change, name: topicNameOf(change), topic });
  }

  const created = await applyInBatches(
    valid,
    {
      label: 'creating topics',
      groups: (all) => packByWeight(all, options.topicChunkSize, MAX_PARTITIONS_PER_REQUEST, (v) => v.topic.partitions),
      async send(items) {
        const requests = items.map(({ name, topic }) => ({
          name,
          numPartitions: topic.partitions,
          replicationFactor: topic.replicationFactor,
          assignments: [],
          configs: Object.entries(topic.config).map(([configName, value]) => ({ name: configName, value })),
        }));
        // Not retried: if the answer to a CreateTopics is lost the topics may exist, and a retry would
        // report them as "already exists". A re-run plans against what is really there.
        const response = await callApi(
          session,
          createTopicsV7.api,
          [requests, session.timeoutMs, false],
          `creating ${plural(items.length, 'topic')}`,
          { retry: false },
        );
        const byName = new Map(response.topics.map((t) => [t.name, t]));
        const outcomes = new Map<(typeof items)[number], ItemOutcome>();
        for (const item of items) {
          const answer = byName.get(item.name);
          if (!answer) {
            const message = `creating topic "${item.name}": the broker did not answer for it`;
            outcomes.set(item, { outcome: 'Failed', message, timed: false });
          } else if (answer.errorCode !== 0) {
            const message = `creating topic "${item.name}": ${itemErrorText(answer.errorCode, answer.errorMessage)}`;
            outcomes.set(item, { outcome: 'NothingCreated', message, timed: false });
          }
        }
        return outcomes;
      },
    },
    book,
    options,
    start,
  );

  const unhealthy = await waitForTopics(
    session,
    new Map(created.map(({ name, topic }) => [name, topic.partitions])),
    options,
  );
  for (const { change, name, topic } of created) {
    const problem = unhealthy.get(name);
    if (problem) book.failed(change, `created topic "${name}", but ${problem}`, since(start));
    else {
      book.succeeded(
        change,
        `created with ${plural(topic.partitions, 'partition')}, ${topic.replicationFactor === -1 ? "the broker's default replication factor" : `replication factor ${topic.replicationFactor}`}` +
          (Object.keys(topic.config).length > 0
            ? `, ${plural(Object.keys(topic.config).length, 'config override')}`
            : ''),
        since(start),
      );
    }
  }
}

function updateOf(change: PlannedChange): TopicUpdate {
  const update: TopicUpdate = { change, name: topicNameOf(change), set: {}, reset: [], refused: [] };
  const desiredConfig = configOf(change.desired?.config);
  for (const field of change.fields) {
    if (field.path.startsWith('config.')) {
      const key = field.path.slice('config.'.length);
      if (field.after === undefined) update.reset.push(key);
      else update.set[key] = desiredConfig[key] ?? String(field.after);
    } else if (field.path === 'partitions') {
      const to = typeof field.after === 'number' ? field.after : change.desired?.partitions;
      const from = typeof field.before === 'number' ? field.before : undefined;
      if (typeof to !== 'number') update.refused.push('the desired partition count is missing');
      else if (from !== undefined && to < from) {
        update.refused.push(`partitions can not decrease (${from} -> ${to})`);
      } else update.partitions = { from, to };
    } else if (field.path === 'replicationFactor') {
      update.refused.push('changing the replication factor needs a partition reassignment, which apply does not do');
    }
    // Other paths (e.g. `defaults.*`) are observations, not something to set.
  }
  return update;
}

async function updateTopics(
  session: KafkaSession,
  changes: readonly PlannedChange[],
  book: ResultBook,
  options: ApplyOptions,
): Promise<void> {
  if (changes.length === 0) return;
  const start = performance.now();
  const updates = changes.map(updateOf);
  const configErrors = new Map<PlannedChange, string>();
  const partitionErrors = new Map<PlannedChange, string>();

  // Configs: SET for declared values, DELETE for keys no longer declared (back to the broker default).
  const withConfigs = updates.filter((u) => Object.keys(u.set).length > 0 || u.reset.length > 0);
  await mapLimit(chunk(withConfigs, options.configChunkSize), options.concurrency, async (items) => {
    const resources: incrementalAlterConfigsV1.IncrementalAlterConfigsRequestResource[] = items.map((u) => ({
      resourceType: ConfigResourceTypes.TOPIC,
      resourceName: u.name,
      configs: [
        ...Object.entries(u.set).map(([name, value]) => ({
          name,
          configOperation: IncrementalAlterConfigOperationTypes.SET,
          value,
        })),
        ...u.reset.map((name) => ({ name, configOperation: IncrementalAlterConfigOperationTypes.DELETE })),
      ],
    }));
    try {
      const outcome = await callAdmin<void, incrementalAlterConfigsV1.IncrementalAlterConfigsResponse>(
        () => session.admin.incrementalAlterConfigs({ resources }),
        'IncrementalAlterConfigs',
        `altering configs of ${plural(items.length, 'topic')}`,
      );
      if (!outcome.ok) {
        const byName = new Map(outcome.response.responses.map((r) => [r.resourceName, r]));
        for (const u of items) {
          const answer = byName.get(u.name);
          if (answer && answer.errorCode !== 0) {
            configErrors.set(u.change, `altering configs: ${itemErrorText(answer.errorCode, answer.errorMessage)}`);
          }
        }
      }
    } catch (error) {
      for (const u of items) configErrors.set(u.change, messageOf(error));
    }
  });

  const configsUnconfirmed = await waitForConfigs(
    session,
    withConfigs.filter((u) => !configErrors.has(u.change)),
    options,
  );
  for (const [change, problem] of configsUnconfirmed) configErrors.set(change, problem);

  // Partition increases.
  const growing = updates.filter((u) => u.partitions !== undefined && u.refused.length === 0);
  const grown = new Map<string, number>();
  const growRequests = packByWeight(growing, options.topicChunkSize, MAX_PARTITIONS_PER_REQUEST, (u) =>
    Math.max(1, (u.partitions?.to ?? 0) - (u.partitions?.from ?? 0)),
  );
  await mapLimit(growRequests, options.concurrency, async (items) => {
    const topics = items.map((u) => ({ name: u.name, count: u.partitions?.to ?? 0, assignments: null }));
    try {
      const response = await callApi(
        session,
        createPartitionsV3.api,
        [topics, session.timeoutMs, false],
        `adding partitions to ${plural(items.length, 'topic')}`,
        { retry: false },
      );
      const byName = new Map(response.results.map((r) => [r.name, r]));
      for (const u of items) {
        const answer = byName.get(u.name);
        if (answer && answer.errorCode !== 0) {
          partitionErrors.set(u.change, `adding partitions: ${itemErrorText(answer.errorCode, answer.errorMessage)}`);
        } else grown.set(u.name, u.partitions?.to ?? 0);
      }
    } catch (error) {
      for (const u of items) partitionErrors.set(u.change, messageOf(error));
    }
  });
  const unhealthy = await waitForTopics(session, grown, options);

  for (const u of updates) {
    const done: string[] = [];
    const problems = [...u.refused];
    const configError = configErrors.get(u.change);
    if (configError) problems.push(configError);
    else {
      const set = Object.entries(u.set).map(([key, value]) => `${key}=${value}`);
      if (set.length > 0) done.push(`set ${set.join(', ')}`);
      if (u.reset.length > 0) done.push(`reset ${u.reset.join(', ')} to the broker default`);
    }
    const partitionError = partitionErrors.get(u.change);
    if (partitionError) problems.push(partitionError);
    else if (u.partitions && u.refused.length === 0) {
      const problem = unhealthy.get(u.name);
      if (problem) problems.push(`added partitions, but ${problem}`);
      else done.push(`partitions ${u.partitions.from ?? '?'} -> ${u.partitions.to}`);
    }
    if (problems.length > 0) {
      const partial = done.length > 0 ? ` (done: ${done.join('; ')})` : '';
      book.failed(u.change, `updating topic "${u.name}": ${problems.join('; ')}${partial}`, since(start));
    } else if (done.length === 0) book.skipped(u.change, 'no topic field to change');
    else book.succeeded(u.change, done.join('; '), since(start));
  }
}

async function deleteTopics(
  session: KafkaSession,
  changes: readonly PlannedChange[],
  book: ResultBook,
  options: ApplyOptions,
): Promise<void> {
  if (changes.length === 0) return;
  const start = performance.now();
  // A planned delete names the topic id it was planned against: the broker then deletes exactly that topic,
  // never one deleted and re-created under the same name (with new data) after the plan's staleness check.
  const items = changes.map((change) => ({ change, name: topicNameOf(change), topicId: change.identity }));
  const deleted = await applyInBatches(
    items,
    {
      label: 'deleting topics',
      groups: (all) => chunk(all, options.topicChunkSize),
      async send(group) {
        const response = await callApi(
          session,
          deleteTopicsV6.api,
          [
            group.map(({ name, topicId }) => (topicId !== undefined ? { name: null, topicId } : { name })),
            session.timeoutMs,
          ],
          `deleting ${plural(group.length, 'topic')}`,
          { retry: false },
        );
        const byName = new Map(response.responses.map((r) => [r.name, r]));
        const byId = new Map(response.responses.map((r) => [r.topicId, r]));
        const outcomes = new Map<(typeof group)[number], ItemOutcome>();
        for (const item of group) {
          const { name, topicId } = item;
          const answer = topicId !== undefined ? byId.get(topicId) : byName.get(name);
          if (answer?.errorCode === UNKNOWN_TOPIC_ID) {
            const message = `already absent: topic id ${topicId} is gone (a topic created under its name since is left alone)`;
            outcomes.set(item, { outcome: 'Succeeded', message, timed: true });
          } else if (answer?.errorCode === UNKNOWN_TOPIC_OR_PARTITION) {
            outcomes.set(item, { outcome: 'Succeeded', message: 'already absent', timed: true });
          } else if (answer && answer.errorCode !== 0) {
            const message = `deleting topic "${name}": ${itemErrorText(answer.errorCode, answer.errorMessage)}`;
            outcomes.set(item, { outcome: 'Failed', message, timed: false });
          }
        }
        return outcomes;
      },
    },
    book,
    options,
    start,
  );
  const accepted = new Map(deleted.map(({ name, change }) => [name, change]));

  const lingering = await waitForTopicsGone(session, [...accepted.keys()], options);
  for (const [name, change] of accepted) {
    book.succeeded(
      change,
      lingering.has(name) ? 'deleted (the broker was still removing it when the wait ended)' : 'deleted',
      since(start),
    );
  }
}
