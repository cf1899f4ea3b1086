import { messageOf } from '../../../errors.ts';
import type { PlannedChange } from '../../../model/plan.ts';
import { mapLimit, sleep } from '../batch.ts';
import { type ApplyOptions, type ResultBook, since, waitBudgetMs, withinText } from '../results.ts';

/** One batched admin operation over many items (one change each). */
export interface BatchedOperation<Item extends { change: PlannedChange }> {
  /** `altering quotas`: progress phase and messages. */
  readonly label: string;
  /** The requests: items grouped per request (`chunk` or `packByWeight` of batch.ts). */
  groups(items: readonly Item[], options: ApplyOptions): Item[][];
  /**
   * Sends one request; returns each refused item's message (absent = accepted). Throws when the whole
   * request failed (every item of the group fails with that message).
   */
  send(group: readonly Item[]): Promise<ReadonlyMap<Item, string>>;
}

/**
 * THE apply skeleton of the Kafka kinds: the groups go out `options.concurrency` at a time, each item gets a
 * failure in `book` (its own error, or its request's), progress is reported per request, and the accepted
 * items are returned for the kind to confirm (`waitUntilVisible`) and report.
 */
export async function applyInBatches<Item extends { change: PlannedChange }>(
  items: readonly Item[],
  op: BatchedOperation<Item>,
  book: ResultBook,
  options: ApplyOptions,
  start: number,
): Promise<Item[]> {
  const accepted: Item[] = [];
  let done = 0;
  await mapLimit(op.groups(items, options), options.concurrency, async (group) => {
    try {
      const errors = await op.send(group);
      for (const item of group) {
        const error = errors.get(item);
        if (error !== undefined) book.failed(item.change, error, since(start));
        else accepted.push(item);
      }
    } catch (error) {
      for (const { change } of group) book.failed(change, messageOf(error), since(start));
    }
    done += group.length;
    options.progress?.({ phase: `kafka: ${op.label}`, done, total: items.length });
  });
  return accepted;
}

/**
 * Polls `read` (one batched read of the kind) until every item is visible, within the health-wait budget.
 * Returns the items not confirmed in time, or undefined when reading failed.
 */
export async function waitUntilVisible<Item, Live>(
  read: () => Promise<Live>,
  items: readonly Item[],
  visible: (item: Item, live: Live) => boolean,
  options: Pick<ApplyOptions, 'healthWaitMs'>,
): Promise<Set<Item> | undefined> {
  let pending = new Set(items);
  const deadline = performance.now() + waitBudgetMs(options, items.length);
  let delay = 50;
  while (pending.size > 0) {
    let live: Live;
    try {
      live = await read();
    } catch {
      return undefined;
    }
    pending = new Set([...pending].filter((item) => !visible(item, live)));
    if (pending.size === 0 || performance.now() >= deadline) break;
    await sleep(delay);
    delay = Math.min(delay * 2, 500);
  }
  return pending;
}

/** Reports the accepted items: confirmed, not confirmed in time (failed), or not checked (read failed). */
export function reportConfirmed<Item extends { change: PlannedChange }>(
  accepted: readonly Item[],
  unconfirmed: Set<Item> | undefined,
  book: ResultBook,
  options: Pick<ApplyOptions, 'healthWaitMs'>,
  start: number,
  text: { done: (item: Item) => string; notShown: string },
): void {
  for (const item of accepted) {
    if (unconfirmed === undefined) book.succeeded(item.change, `${text.done(item)} (not yet confirmed by a read)`);
    else if (unconfirmed.has(item)) {
      book.failed(item.change, `${text.notShown} ${withinText(waitBudgetMs(options, accepted.length))}`);
    } else book.succeeded(item.change, text.done(item), since(start));
  }
}
