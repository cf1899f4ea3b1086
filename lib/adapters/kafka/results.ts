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
  /** How long to wait for created topics/partitions to get leaders (and deletes to disappear). */
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

/** Milliseconds since `start` (from `performance.now()`). */
export function since(start: number): number {
  return performance.now() - start;
}
