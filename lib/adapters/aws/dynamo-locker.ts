import { hostname } from 'node:os';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { AdapterError } from '../../errors.ts';
import { hasAbsurdExpiry, type Lease, type LockAttempt, type Locker, MAX_LEASE_SECONDS } from '../../ports/lock.ts';
import { toAdapterError } from './aws-errors.ts';
import { type Item, N, num, S, str } from './dynamo-items.ts';
import { LOCKS_INDEX_PK, lockKey, TABLE_KEYS } from './table-layout.ts';

export interface DynamoLockerOptions {
  /** The single DynamoDB table shared with AwsStateStore (ADR 0020). */
  table: string;
  dynamo?: DynamoDBClient;
  /** Clock for lease expiry (tests). Leases compare the callers' clocks: keep TTLs far above clock skew. */
  now?: () => Date;
}

/**
 * One lease item per environment (`LOCK#<env>`), changed only by conditional UpdateItem (ADR 0020):
 * - `tryLock` sets holder/expiry (and host, pid, since) and increments `token` in the same write, on condition
 *   that nobody holds an unexpired lease (an expiry beyond `MAX_LEASE_SECONDS` counts as broken); the token is
 *   never reset, so it increases monotonically per environment (fencing).
 * - `release` clears the lease only while the caller's token is still the current one.
 * - the lease item carries no `ttl` attribute on purpose: DynamoDB TTL would delete the token counter with it.
 *
 * @example
 * const attempt = await locker.tryLock('prod', `apply:${requestId}`, 900);
 * if (!attempt.acquired) return { busy: attempt.holder };
 */
export class DynamoLocker implements Locker {
  readonly #table: string;
  readonly #dynamo: DynamoDBClient;
  readonly #now: () => Date;

  constructor(options: DynamoLockerOptions) {
    this.#table = options.table;
    this.#dynamo = options.dynamo ?? new DynamoDBClient({});
    this.#now = options.now ?? (() => new Date());
  }

  async tryLock(environment: string, holder: string, ttlSeconds: number): Promise<LockAttempt> {
    const key = lockKey(environment);
    // A lost race (the lease expired between our failed write and our read) is retried a few times.
    for (let attempt = 0; attempt < 5; attempt++) {
      const now = this.#now().getTime();
      const expiresAt = now + Math.min(Math.max(1, ttlSeconds), MAX_LEASE_SECONDS) * 1000;
      try {
        const out = await this.#dynamo.send(
          new UpdateItemCommand({
            TableName: this.#table,
            Key: { pk: S(key.pk), sk: S(key.sk) },
            UpdateExpression:
              'SET #holder = :holder, #expires = :expires, #token = if_not_exists(#token, :zero) + :one, ' +
              '#environment = :environment, #gsi1pk = :gsi1pk, #gsi1sk = :environment, ' +
              '#since = :since, #host = :host, #pid = :pid',
            ConditionExpression: 'attribute_not_exists(#holder) OR #expires <= :now OR #expires > :absurd',
            ExpressionAttributeNames: {
              '#holder': 'holder',
              '#expires': 'leaseExpiresAt',
              '#token': 'token',
              '#environment': 'environment',
              '#gsi1pk': TABLE_KEYS.gsi1.partitionKey,
              '#gsi1sk': TABLE_KEYS.gsi1.sortKey,
              '#since': 'since',
              '#host': 'host',
              '#pid': 'pid',
            },
            ExpressionAttributeValues: {
              ':holder': S(holder),
              ':expires': N(expiresAt),
              ':zero': N(0),
              ':one': N(1),
              ':now': N(now),
              ':absurd': N(now + MAX_LEASE_SECONDS * 1000 + 60_000),
              ':since': S(new Date(now).toISOString()),
              ':host': S(hostname()),
              ':pid': N(process.pid),
              ':environment': S(environment),
              ':gsi1pk': S(LOCKS_INDEX_PK),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        const lease = toLease(out.Attributes);
        if (!lease) throw new AdapterError(`locking environment "${environment}": the write returned no lease`);
        return { acquired: true, lease };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) {
          throw toAdapterError(`locking environment "${environment}"`, error);
        }
      }
      const current = await this.#read(environment);
      const at = this.#now();
      if (current && Date.parse(current.expiresAt) > at.getTime() && !hasAbsurdExpiry(current, at)) {
        return { acquired: false, holder: current };
      }
    }
    throw new AdapterError(`locking environment "${environment}": the lease kept changing hands`, { retryable: true });
  }

  async release(lease: Lease): Promise<void> {
    const key = lockKey(lease.environment);
    try {
      await this.#dynamo.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: { pk: S(key.pk), sk: S(key.sk) },
          UpdateExpression: 'REMOVE #holder, #expires, #since, #host, #pid',
          // Only the holder of this exact token: a broken and re-taken lock stays with its new holder.
          ConditionExpression: '#token = :token AND #holder = :holder',
          ExpressionAttributeNames: {
            '#holder': 'holder',
            '#expires': 'leaseExpiresAt',
            '#token': 'token',
            '#since': 'since',
            '#host': 'host',
            '#pid': 'pid',
          },
          ExpressionAttributeValues: { ':token': N(lease.token), ':holder': S(lease.holder) },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw toAdapterError(`releasing the lock of environment "${lease.environment}"`, error);
    }
  }

  async holds(lease: Lease): Promise<boolean> {
    // Expiry alone is not loss: until someone else takes the environment, the lease is still this one.
    return (await this.#read(lease.environment))?.token === lease.token;
  }

  async list(): Promise<Lease[]> {
    const leases: Lease[] = [];
    let startKey: Item | undefined;
    const now = this.#now().getTime();
    do {
      try {
        // The index is eventually consistent: a lease taken a moment ago may be missing. Good enough for listing.
        const out = await this.#dynamo.send(
          new QueryCommand({
            TableName: this.#table,
            IndexName: TABLE_KEYS.gsi1.name,
            KeyConditionExpression: '#gsi1pk = :pk',
            ExpressionAttributeNames: { '#gsi1pk': TABLE_KEYS.gsi1.partitionKey },
            ExpressionAttributeValues: { ':pk': S(LOCKS_INDEX_PK) },
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of out.Items ?? []) {
          const lease = toLease(item);
          if (lease && Date.parse(lease.expiresAt) > now && !hasAbsurdExpiry(lease, new Date(now))) leases.push(lease);
        }
        startKey = out.LastEvaluatedKey;
      } catch (error) {
        throw toAdapterError('listing locks', error);
      }
    } while (startKey);
    return leases;
  }

  async breakLock(environment: string): Promise<boolean> {
    const key = lockKey(environment);
    try {
      await this.#dynamo.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: { pk: S(key.pk), sk: S(key.sk) },
          UpdateExpression: 'REMOVE #holder, #expires, #since, #host, #pid',
          ConditionExpression: 'attribute_exists(#holder)',
          ExpressionAttributeNames: {
            '#holder': 'holder',
            '#expires': 'leaseExpiresAt',
            '#since': 'since',
            '#host': 'host',
            '#pid': 'pid',
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw toAdapterError(`breaking the lock of environment "${environment}"`, error);
    }
  }

  async #read(environment: string): Promise<Lease | undefined> {
    const key = lockKey(environment);
    try {
      const out = await this.#dynamo.send(
        new GetItemCommand({ TableName: this.#table, Key: { pk: S(key.pk), sk: S(key.sk) }, ConsistentRead: true }),
      );
      return toLease(out.Item);
    } catch (error) {
      throw toAdapterError(`reading the lock of environment "${environment}"`, error);
    }
  }
}

function toLease(item: Item | undefined): Lease | undefined {
  const holder = str(item, 'holder');
  const environment = str(item, 'environment');
  const token = num(item, 'token');
  const expires = num(item, 'leaseExpiresAt');
  if (holder === undefined || environment === undefined || token === undefined || expires === undefined) {
    return undefined;
  }
  // Clamped: a far-future expiry (treated as broken by the callers) must still be a valid date to show.
  const lease: Lease = { environment, holder, token, expiresAt: new Date(Math.min(expires, 8.64e15)).toISOString() };
  const since = str(item, 'since');
  const host = str(item, 'host');
  const pid = num(item, 'pid');
  if (since !== undefined) lease.since = since;
  if (host !== undefined) lease.host = host;
  if (pid !== undefined) lease.pid = pid;
  return lease;
}
