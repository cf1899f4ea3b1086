import { ConfigSources } from '@platformatic/kafka';
import { messageOf } from '../../../errors.ts';
import type { PlannedChange } from '../../../model/plan.ts';
import { plural, sleep } from '../batch.ts';
import type { KafkaSession } from '../connection.ts';
import { describeTopicConfigs, readTopicMetadata } from '../read-state.ts';
import { type ApplyOptions, waitBudgetMs, withinText } from '../results.ts';

/** What one Update asks for, read from its field changes. */
export interface TopicUpdate {
  change: PlannedChange;
  name: string;
  set: Record<string, string>;
  reset: string[];
  partitions?: { from: number | undefined; to: number };
  /** Parts that can not be applied (replication factor, partition decrease). */
  refused: string[];
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
export async function waitForConfigs(
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
export async function waitForTopicsGone(
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
