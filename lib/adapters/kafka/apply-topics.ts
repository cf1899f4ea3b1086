import {
  ConfigResourceTypes,
  ConfigSources,
  createPartitionsV3,
  createTopicsV7,
  deleteTopicsV6,
  IncrementalAlterConfigOperationTypes,
  type incrementalAlterConfigsV1,
} from '@platformatic/kafka';
import { messageOf } from '../../errors.ts';
import type { Json, JsonObject } from '../../model/common.ts';
import type { PlannedChange } from '../../model/plan.ts';
import { callAdmin, callApi, chunk, mapLimit, packByWeight, plural, sleep } from './batch.ts';
import type { KafkaSession } from './connection.ts';
import { itemErrorText } from './kafka-errors.ts';
import { TOPIC_KEY_PREFIX } from './normalize.ts';
import { describeTopicConfigs, readTopicMetadata } from './read-state.ts';
import { type ApplyOptions, type ResultBook, since, waitBudgetMs, withinText } from './results.ts';

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

/** What one Update asks for, read from its field changes. */
interface TopicUpdate {
  change: PlannedChange;
  name: string;
  set: Record<string, string>;
  reset: string[];
  partitions?: { from: number | undefined; to: number };
  /** Parts that can not be applied (replication factor, partition decrease). */
  refused: string[];
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

  const created: typeof valid = [];
  let done = 0;
  const requests = packByWeight(valid, options.topicChunkSize, MAX_PARTITIONS_PER_REQUEST, (v) => v.topic.partitions);
  await mapLimit(requests, options.concurrency, async (items) => {
    const requests = items.map(({ name, topic }) => ({
      name,
      numPartitions: topic.partitions,
      replicationFactor: topic.replicationFactor,
      assignments: [],
      configs: Object.entries(topic.config).map(([configName, value]) => ({ name: configName, value })),
    }));
    try {
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
      for (const item of items) {
        const answer = byName.get(item.name);
        if (!answer) book.failed(item.change, `creating topic "${item.name}": the broker did not answer for it`);
        else if (answer.errorCode !== 0) {
          book.createRefused(
            item.change,
            `creating topic "${item.name}": ${itemErrorText(answer.errorCode, answer.errorMessage)}`,
          );
        } else created.push(item);
      }
    } catch (error) {
      for (const item of items) book.failed(item.change, messageOf(error), since(start));
    }
    done += items.length;
    options.progress?.({ phase: 'kafka: creating topics', done, total: valid.length });
  });

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
        `created with ${plural(topic.partitions, 'partition')}, replication factor ${topic.replicationFactor}` +
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
  const accepted = new Map<string, PlannedChange>();
  let done = 0;
  await mapLimit(chunk(items, options.topicChunkSize), options.concurrency, async (group) => {
    try {
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
      for (const { change, name, topicId } of group) {
        const answer = topicId !== undefined ? byId.get(topicId) : byName.get(name);
        if (answer?.errorCode === UNKNOWN_TOPIC_ID)
          book.succeeded(
            change,
            `already absent: topic id ${topicId} is gone (a topic created under its name since is left alone)`,
            since(start),
          );
        else if (answer?.errorCode === UNKNOWN_TOPIC_OR_PARTITION)
          book.succeeded(change, 'already absent', since(start));
        else if (answer && answer.errorCode !== 0) {
          book.failed(change, `deleting topic "${name}": ${itemErrorText(answer.errorCode, answer.errorMessage)}`);
        } else accepted.set(name, change);
      }
    } catch (error) {
      for (const { change } of group) book.failed(change, messageOf(error), since(start));
    }
    done += group.length;
    options.progress?.({ phase: 'kafka: deleting topics', done, total: items.length });
  });

  const lingering = await waitForTopicsGone(session, [...accepted.keys()], options);
  for (const [name, change] of accepted) {
    book.succeeded(
      change,
      lingering.has(name) ? 'deleted (the broker was still removing it when the wait ended)' : 'deleted',
      since(start),
    );
  }
}

/**
 * Waits until each topic has at least the expected partitions, each with a leader. Returns the topics
 * that did not get there in time, with the reason.
 */
export async function waitForTopics(
  session: KafkaSession,
  expected: ReadonlyMap<string, number>,
  options: ApplyOptions,
): Promise<Map<string, string>> {
  const pending = new Map(expected);
  const problems = new Map<string, string>();
  const budget = waitBudgetMs(options, expected.size);
  const deadline = performance.now() + budget;
  let delay = 100;
  while (pending.size > 0) {
    // Poll only the oldest pending topics, one Metadata request's worth: the broker brings new topics up
    // roughly in the order they were created, and re-reading all 10,000 every round would compete with it
    // for the CPU it needs to create their logs.
    const window = [...pending.keys()].slice(0, options.metadataChunkSize);
    let seen: Map<string, { partitions: number; leaderless: number }> | undefined;
    let readError = '';
    try {
      seen = new Map((await readTopicMetadata(session, window, options)).map((t) => [t.name, t]));
    } catch (error) {
      readError = messageOf(error);
    }
    for (const name of window) {
      const partitions = pending.get(name) ?? 0;
      const state = seen?.get(name);
      if (!seen) problems.set(name, `its health could not be read (${readError})`);
      else if (!state) problems.set(name, 'it is not visible in the metadata yet');
      else if (state.partitions < partitions) {
        problems.set(name, `it shows ${state.partitions} of ${partitions} partitions`);
      } else if (state.leaderless > 0) problems.set(name, `${plural(state.leaderless, 'partition')} had no leader`);
      else pending.delete(name);
    }
    options.progress?.({
      phase: 'kafka: waiting for topic leaders',
      done: expected.size - pending.size,
      total: expected.size,
    });
    if (pending.size === 0 || performance.now() >= deadline) break;
    // Progress in this round means the broker is moving: look again soon. Otherwise back off.
    const moved = window.some((name) => !pending.has(name));
    delay = moved ? 100 : Math.min(delay * 2, 500);
    await sleep(delay);
  }
  const seconds = Math.round(budget / 1000);
  return new Map(
    [...pending.keys()].map((name) => [
      name,
      `${problems.get(name) ?? 'it was not confirmed healthy'} after ${seconds}s`,
    ]),
  );
}

/**
 * Waits until DescribeConfigs shows each altered topic with its SET values as topic overrides and its reset
 * keys no longer overridden, so a read right after apply sees what was applied. Returns the changes not
 * confirmed in time, with the reason.
 */
async function waitForConfigs(
  session: KafkaSession,
  updates: readonly TopicUpdate[],
  options: ApplyOptions,
): Promise<Map<PlannedChange, string>> {
  let pending = [...updates];
  const budget = waitBudgetMs(options, updates.length);
  const deadline = performance.now() + budget;
  let delay = 50;
  while (pending.length > 0) {
    let live: Map<string, { name: string; value: string | null | undefined; configSource: number }[]>;
    try {
      live = await describeTopicConfigs(
        session,
        pending.map((u) => u.name),
        {
          describeChunkSize: options.configChunkSize,
          metadataChunkSize: options.metadataChunkSize,
          concurrency: options.concurrency,
        },
      );
    } catch (error) {
      return new Map(
        pending.map((u) => [u.change, `altered configs, but could not read them back: ${messageOf(error)}`]),
      );
    }
    pending = pending.filter((u) => {
      const overrides = new Map(
        (live.get(u.name) ?? [])
          .filter((c) => c.configSource === ConfigSources.DYNAMIC_TOPIC_CONFIG)
          .map((c) => [c.name, c.value]),
      );
      const setShown = Object.entries(u.set).every(([key, value]) => overrides.get(key) === value);
      const resetGone = u.reset.every((key) => !overrides.has(key));
      return !(setShown && resetGone);
    });
    if (pending.length === 0 || performance.now() >= deadline) break;
    await sleep(delay);
    delay = Math.min(delay * 2, 500);
  }
  return new Map(
    pending.map((u) => [u.change, `altered configs, but the broker did not show them ${withinText(budget)}`]),
  );
}

/** Waits until the topics are gone from the metadata; returns those still visible at the deadline. */
async function waitForTopicsGone(
  session: KafkaSession,
  names: readonly string[],
  options: ApplyOptions,
): Promise<Set<string>> {
  let remaining = new Set(names);
  const deadline = performance.now() + waitBudgetMs(options, names.length);
  let delay = 100;
  while (remaining.size > 0 && performance.now() < deadline) {
    try {
      const visible = await readTopicMetadata(session, [...remaining], options);
      remaining = new Set(visible.map((t) => t.name));
      options.progress?.({
        phase: 'kafka: waiting for deleted topics to go',
        done: names.length - remaining.size,
        total: names.length,
      });
    } catch {
      // A failed health read does not undo a delete the broker accepted; report it as lingering.
      break;
    }
    if (remaining.size === 0) break;
    await sleep(delay);
    delay = Math.min(delay * 2, 500);
  }
  return remaining;
}
