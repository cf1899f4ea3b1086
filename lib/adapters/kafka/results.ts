import type { ChangeResult, PlannedChange } from '../../model/plan.ts';
import type { ProgressListener } from '../../ports/resource-provider.ts';

/** Tuning for apply; see `KafkaProviderOptions` for the defaults. */
export interface ApplyOptions {
  /** Topics per CreateTopics / CreatePartitions / DeleteTopics request. */
  topicChunkSize: number;
  /** Resources per IncrementalAlterConfigs request. */
  configChunkSize: number;
  /** Bindings per CreateAcls / DeleteAcls request. */
  aclChunkSize: number;
  /** Entities per AlterClientQuotas request, users per AlterUserScramCredentials request. */
  entityChunkSize: number;
  /** Requests in flight at once. */
  concurrency: number;
  /**
   * Base budget for the health waits after a change (leaders for new partitions, ACLs listed, configs,
   * quotas and credentials visible, deleted topics gone); `waitBudgetMs` adds a little per item.
   */
  healthWaitMs: number;
  /** Topics per Metadata request while waiting. */
  metadataChunkSize: number;
  progress?: ProgressListener | undefined;
}

/**
 * Collects one result per change. Each change gets exactly one result; the first one recorded wins, so a
 * later, more general failure (a whole chunk failing) never overwrites a precise per-item one.
 */
export class ResultBook {
  readonly #results = new Map<PlannedChange, ChangeResult>();

  record(change: PlannedChange, outcome: ChangeResult['outcome'], message: string, durationMs?: number): void {
    if (this.#results.has(change)) return;
    const result: ChangeResult = { key: change.key, action: change.action, outcome, message };
    if (durationMs !== undefined) result.durationMs = Math.round(durationMs);
    this.#results.set(change, result);
  }

  succeeded(change: PlannedChange, message: string, durationMs?: number): void {
    this.record(change, 'Succeeded', message, durationMs);
  }

  failed(change: PlannedChange, message: string, durationMs?: number): void {
    this.record(change, 'Failed', message, durationMs);
  }

  /** A create the broker answered with an error: nothing was created by this request (see ChangeResult). */
  createRefused(change: PlannedChange, message: string): void {
    if (this.#results.has(change)) return;
    this.#results.set(change, {
      key: change.key,
      action: change.action,
      outcome: 'Failed',
      message,
      nothingCreated: true,
    });
  }

  skipped(change: PlannedChange, message: string): void {
    this.record(change, 'Skipped', message);
  }

  has(change: PlannedChange): boolean {
    return this.#results.has(change);
  }

  /** Results in the order of `changes`; a change nobody reported on is a bug, reported as Failed. */
  inOrder(changes: readonly PlannedChange[]): ChangeResult[] {
    return changes.map(
      (change) =>
        this.#results.get(change) ?? {
          key: change.key,
          action: change.action,
          outcome: 'Failed',
          message: 'no result was recorded for this change (adapter bug)',
        },
    );
  }
}

/** Extra wait per item: brokers create logs and publish metadata one change at a time. */
const WAIT_PER_ITEM_MS = 10;

/**
 * The bounded wait for `count` items to become visible/healthy: the base budget plus a little per item, so
 * that 10,000 new topics on a busy broker are given the time they legitimately take while a handful still
 * fail fast.
 */
export function waitBudgetMs(options: Pick<ApplyOptions, 'healthWaitMs'>, count: number): number {
  return options.healthWaitMs + count * WAIT_PER_ITEM_MS;
}

/** `within 35s` for messages. */
export function withinText(budgetMs: number): string {
  return `within ${Math.round(budgetMs / 1000)}s`;
}

/** Milliseconds since `start` (from `performance.now()`). */
export function since(start: number): number {
  return performance.now() - start;
}
