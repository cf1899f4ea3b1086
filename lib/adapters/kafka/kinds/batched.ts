import { assertNever, messageOf } from '../../../errors.ts';
import type { PlannedChange } from '../../../model/plan.ts';
import { mapLimit, sleep } from '../batch.ts';
import { type ApplyOptions, type ResultBook, since, waitBudgetMs, withinText } from '../results.ts';

/**
 * What became of one item that the request did not simply accept: a message alone is a failure; otherwise
 * the outcome, and whether the elapsed time is recorded with it.
 */
export type ItemOutcome =
  | string
  | { readonly outcome: 'Failed' | 'Succeeded' | 'NothingCreated'; readonly message: string; readonly timed: boolean };

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
  send(group: readonly Item[]): Promise<ReadonlyMap<Item, ItemOutcome>>;
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
        const outcome = errors.get(item);
        if (outcome === undefined) accepted.push(item);
        else record(book, item.change, outcome, start);
      }
    } catch (error) {
      for (const { change } of group) book.failed(change, messageOf(error), since(start));
    }
    done += group.length;
    options.progress?.({ phase: `kafka: ${op.label}`, done, total: items.length });
  });
  return accepted;
}

function record(book: ResultBook, change: PlannedChange, outcome: ItemOutcome, start: number): void {
  if (typeof outcome === 'string') {
    book.failed(change, outcome, since(start));
    return;
  }
  const duration = outcome.timed ? since(start) : undefined;
  switch (outcome.outcome) {
    case 'Failed':
      book.failed(change, outcome.message, duration);
      break;
    case 'Succeeded':
      book.succeeded(change, outcome.message, duration);
      break;
    case 'NothingCreated':
      book.createRefused(change, outcome.message);
      break;
    default:
      assertNever(outcome.outcome, 'item outcome');
  }
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
