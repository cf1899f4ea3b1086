import type { API } from '@platformatic/kafka';
import { sleep } from '../common/concurrency.ts';
import type { KafkaSession } from './connection.ts';
import { isRetryableKafkaError, responseOf, toAdapterError } from './kafka-errors.ts';

// Shared with the other adapters; re-exported for the Kafka modules that import their batching helpers here.
export { mapLimit, sleep } from '../common/concurrency.ts';

/** Splits `items` into chunks of at most `size` (size >= 1). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  const step = Math.max(1, Math.floor(size));
  for (let i = 0; i < items.length; i += step) chunks.push(items.slice(i, i + step));
  return chunks;
}

/**
 * Packs items into batches of at most `maxCount` items whose weights add up to at most `maxWeight` (an item
 * heavier than `maxWeight` goes alone). Used where the broker limits a request by what it creates, not by how
 * many entries it has: partitions per CreateTopics, bindings per DeleteAcls.
 */
export function packByWeight<T>(
  items: readonly T[],
  maxCount: number,
  maxWeight: number,
  weight: (item: T) => number,
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let total = 0;
  for (const item of items) {
    const w = weight(item);
    if (current.length > 0 && (current.length >= maxCount || total + w > maxWeight)) {
      batches.push(current);
      current = [];
      total = 0;
    }
    current.push(item);
    total += w;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Calls one low-level protocol API on a broker connection and returns its decoded response, including
 * when some items in it carry error codes (the caller maps those per item). Throws an AdapterError only
 * when the request failed as a whole.
 *
 * `retry` re-sends the request after a transient fault (network, timeout). Only pass it for reads and
 * other requests that are safe to repeat: a CreateTopics whose answer was lost may have been applied.
 */
export async function callApi<A extends unknown[], R>(
  session: KafkaSession,
  api: API<A, R>,
  args: A,
  doing: string,
  options: { retry: boolean } = { retry: true },
): Promise<R> {
  const attempts = options.retry ? 3 : 1;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const connection = await session.anyBroker();
      try {
        return await api.async(connection, ...args);
      } catch (error) {
        // Per-item errors: the parser threw a ResponseError that still holds this API's whole response.
        const response = asErrorResponse<R>(error);
        if (response !== undefined) return response;
        throw error;
      }
    } catch (error) {
      lastError = error;
      if (!isRetryableKafkaError(error) || attempt === attempts) break;
      await sleep(250 * attempt);
    }
  }
  throw toAdapterError(doing, lastError);
}

/**
 * What a high-level Admin call gave: its value when every item succeeded, or the raw protocol response when
 * some items carry error codes (the high-level methods reject the whole call in that case).
 */
export type AdminOutcome<V, Raw> = { ok: true; value: V } | { ok: false; response: Raw };

/**
 * Runs a high-level Admin method; per-item failures come back as the raw response of `apiName` (the protocol
 * API name, e.g. `CreateAcls`), faults are thrown as AdapterError.
 */
export async function callAdmin<V, Raw>(
  run: () => Promise<V>,
  apiName: string,
  doing: string,
): Promise<AdminOutcome<V, Raw>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    const response = responseOf<Raw>(error, apiName);
    if (response !== undefined) return { ok: false, response };
    throw toAdapterError(doing, error);
  }
}

function asErrorResponse<R>(error: unknown): R | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, response } = error as { code?: unknown; response?: unknown };
  return code === 'PLT_KFK_RESPONSE' && response !== undefined ? (response as R) : undefined;
}

/** `1 topic`, `3 topics`: counts in messages. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
