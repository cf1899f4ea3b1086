import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { AdapterError, LeaseLostError, messageOf, StateDamagedError } from '../../errors.ts';
import type { Lease } from '../../ports/lock.ts';
import { toAdapterError } from './aws-errors.ts';
import { lockKey } from './table-layout.ts';

/** A DynamoDB item as the low-level client sees it. */
export type Item = Record<string, AttributeValue>;

// Small, explicit marshalling: every item here has a known shape, so no generic (lib-dynamodb) marshaller.
export const S = (value: string): AttributeValue => ({ S: value });
export const N = (value: number): AttributeValue => ({ N: String(value) });
export const B = (value: Uint8Array): AttributeValue => ({ B: value });

export function str(item: Item | undefined, name: string): string | undefined {
  const v = item?.[name];
  return v && 'S' in v ? v.S : undefined;
}

export function num(item: Item | undefined, name: string): number | undefined {
  const v = item?.[name];
  return v && 'N' in v && v.N !== undefined ? Number(v.N) : undefined;
}

/** JSON bodies up to this size stay readable (`data`, a string); larger ones are gzipped (`dataGz`). */
const INLINE_TEXT_BYTES = 32 * 1024;
/** Keeps a chunk well under DynamoDB's 400 KB item limit, attribute names and keys included. */
export const CHUNK_BYTES = 300 * 1024;

/** A JSON value as item attributes: `data` (string) or `dataGz` (gzip), or undefined when even gzip is too big. */
export function encodeBody(value: unknown): Item | undefined {
  const text = JSON.stringify(value);
  if (Buffer.byteLength(text) <= INLINE_TEXT_BYTES) return { data: S(text) };
  const gz = gzipSync(text);
  return gz.length <= CHUNK_BYTES ? { dataGz: B(gz) } : undefined;
}

/** Reads what `encodeBody` wrote; undefined when the item has no body. */
export function decodeBody<T>(item: Item | undefined): T | undefined {
  const text = str(item, 'data');
  if (text !== undefined) return JSON.parse(text) as T;
  const gz = item?.dataGz;
  if (gz && 'B' in gz && gz.B) return JSON.parse(gunzipSync(gz.B).toString('utf8')) as T;
  return undefined;
}

/** Context for the chunked-value helpers: one client, one table. */
export interface TableRef {
  dynamo: DynamoDBClient;
  table: string;
}

/**
 * Writes `items` in one transaction together with a check that `fence` is still the environment's lease
 * (same token, still held: a break removes the holder), so a lease taken over or broken in between refuses
 * the whole write with `LeaseLostError` (fencing, ADR 0006). Returns false when one of `items`' own
 * conditions failed.
 */
export async function writeFenced(
  ref: TableRef,
  fence: Lease,
  items: TransactWriteItem[],
  doing: string,
): Promise<boolean> {
  const key = lockKey(fence.environment);
  const check: TransactWriteItem = {
    ConditionCheck: {
      TableName: ref.table,
      Key: { pk: S(key.pk), sk: S(key.sk) },
      ConditionExpression: '#token = :token AND attribute_exists(#holder)',
      ExpressionAttributeNames: { '#token': 'token', '#holder': 'holder' },
      ExpressionAttributeValues: { ':token': N(fence.token) },
    },
  };
  try {
    await ref.dynamo.send(new TransactWriteItemsCommand({ TransactItems: [check, ...items] }));
    return true;
  } catch (error) {
    if (error instanceof TransactionCanceledException) {
      const [lease, ...own] = error.CancellationReasons ?? [];
      if (lease?.Code === 'ConditionalCheckFailed') throw new LeaseLostError(fence.environment, fence.token, doing);
      if (own.some((reason) => reason.Code === 'ConditionalCheckFailed')) return false;
    }
    throw toAdapterError(doing, error);
  }
}

/**
 * Writes a JSON value at (pk, sk) however large it is (ADR 0020): inline when it fits one item, otherwise as
 * gzip chunks at `sk#<generation>#<nnnn>` followed by a head item naming the generation. The head is written
 * last, so a reader sees either the old value or the new one, never a mix. The previous generation's chunks
 * are removed afterwards (best effort: leftovers are never read). With `fence`, the head is written only
 * while that lease holds (`writeFenced`); new chunks of a refused write are removed again.
 */
export async function putLargeValue(
  ref: TableRef,
  pk: string,
  sk: string,
  value: unknown,
  doing: string,
  fence?: Lease,
) {
  const inline = encodeBody(value);
  let head: Item;
  if (inline) {
    head = { pk: S(pk), sk: S(sk), ...inline };
  } else {
    const gz = gzipSync(JSON.stringify(value));
    const generation = `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
    const chunks: Item[] = [];
    for (let offset = 0, n = 0; offset < gz.length; offset += CHUNK_BYTES, n++) {
      chunks.push({
        pk: S(pk),
        sk: S(`${sk}#${generation}#${String(n).padStart(4, '0')}`),
        chunk: B(gz.subarray(offset, offset + CHUNK_BYTES)),
      });
    }
    await batchWrite(
      ref,
      chunks.map((item) => ({ PutRequest: { Item: item } })),
      doing,
    );
    head = { pk: S(pk), sk: S(sk), generation: S(generation), chunks: N(chunks.length) };
  }
  let previous: Item | undefined;
  if (fence) {
    // A transaction cannot return the old item: read which generation it replaces first.
    try {
      const out = await ref.dynamo.send(
        new GetItemCommand({ TableName: ref.table, Key: { pk: S(pk), sk: S(sk) }, ConsistentRead: true }),
      );
      previous = out.Item;
    } catch (error) {
      throw toAdapterError(doing, error);
    }
    try {
      await writeFenced(ref, fence, [{ Put: { TableName: ref.table, Item: head } }], doing);
    } catch (error) {
      await deleteChunks(ref, pk, sk, str(head, 'generation'), num(head, 'chunks') ?? 0, doing);
      throw error;
    }
  } else {
    try {
      const out = await ref.dynamo.send(
        new PutItemCommand({ TableName: ref.table, Item: head, ReturnValues: 'ALL_OLD' }),
      );
      previous = out.Attributes;
    } catch (error) {
      throw toAdapterError(doing, error);
    }
  }
  await deleteChunks(ref, pk, sk, str(previous, 'generation'), num(previous, 'chunks') ?? 0, doing);
}

/** Removes one generation's chunks (best effort: chunks no head names are never read). */
async function deleteChunks(
  ref: TableRef,
  pk: string,
  sk: string,
  generation: string | undefined,
  count: number,
  doing: string,
): Promise<void> {
  if (!generation) return;
  const deletes: WriteRequest[] = [];
  for (let n = 0; n < count; n++) {
    deletes.push({
      DeleteRequest: { Key: { pk: S(pk), sk: S(`${sk}#${generation}#${String(n).padStart(4, '0')}`) } },
    });
  }
  await batchWrite(ref, deletes, `${doing} (removing the previous chunks)`).catch(() => undefined);
}

/**
 * Reads what `putLargeValue` wrote. Retries when a concurrent writer removed the chunks it was reading. A body
 * that does not decode (not JSON, bad gzip) is a `StateDamagedError` naming the item and `fix`.
 */
export async function getLargeValue<T>(
  ref: TableRef,
  pk: string,
  sk: string,
  doing: string,
  fix = 'restore the item from a backup (point-in-time recovery), or delete it if what it records can be rebuilt',
): Promise<T | undefined> {
  const decoding = <V>(decode: () => V): V => {
    try {
      return decode();
    } catch (error) {
      throw new StateDamagedError(
        `table "${ref.table}" item ${pk} / ${sk}`,
        `does not decode: ${messageOf(error)}`,
        fix,
      );
    }
  };
  for (let attempt = 0; ; attempt++) {
    let head: Item | undefined;
    try {
      const out = await ref.dynamo.send(
        new GetItemCommand({ TableName: ref.table, Key: { pk: S(pk), sk: S(sk) }, ConsistentRead: true }),
      );
      head = out.Item;
    } catch (error) {
      throw toAdapterError(doing, error);
    }
    if (!head) return undefined;
    const generation = str(head, 'generation');
    if (!generation) return decoding(() => decodeBody<T>(head));
    const expected = num(head, 'chunks') ?? 0;
    const parts: Uint8Array[] = [];
    let startKey: Item | undefined;
    do {
      try {
        const out = await ref.dynamo.send(
          new QueryCommand({
            TableName: ref.table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': S(pk), ':prefix': S(`${sk}#${generation}#`) },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of out.Items ?? []) {
          const chunk = item.chunk;
          if (chunk && 'B' in chunk && chunk.B) parts.push(chunk.B);
        }
        startKey = out.LastEvaluatedKey;
      } catch (error) {
        throw toAdapterError(doing, error);
      }
    } while (startKey);
    if (parts.length === expected) {
      return decoding(() => JSON.parse(gunzipSync(Buffer.concat(parts)).toString('utf8')) as T);
    }
    if (attempt >= 3) {
      throw new AdapterError(`${doing}: found ${parts.length} of ${expected} chunks of generation "${generation}"`, {
        retryable: true,
      });
    }
  }
}

/** BatchWriteItem in groups of 25, resubmitting unprocessed items with backoff. */
export async function batchWrite(ref: TableRef, requests: WriteRequest[], doing: string): Promise<void> {
  for (let i = 0; i < requests.length; i += 25) {
    let pending: WriteRequest[] = requests.slice(i, i + 25);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 8)
        throw new AdapterError(`${doing}: ${pending.length} writes left unprocessed`, { retryable: true });
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 50 * 2 ** attempt)));
      try {
        const out = await ref.dynamo.send(new BatchWriteItemCommand({ RequestItems: { [ref.table]: pending } }));
        pending = out.UnprocessedItems?.[ref.table] ?? [];
      } catch (error) {
        throw toAdapterError(doing, error);
      }
    }
  }
}
