import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ReconcilerError } from '../../errors.ts';
import type { AuditRecord, SkippedAuditRecords } from '../../ports/state-store.ts';
import { auditBody } from '../common/audit-body.ts';
import { mapLimit } from '../common/concurrency.ts';
import { awsErrorName, toAdapterError } from './aws-errors.ts';

/**
 * A record whose JSON is larger than this keeps everything but `changes` (tens of thousands of them), and its
 * `message` says how many were not stored: the api returns up to 100 records in one Lambda response (6 MB).
 */
export const MAX_AUDIT_OBJECT_BYTES = 1024 * 1024;

/** Epoch milliseconds stay below 10^13 until the year 2286: 13 digits, so keys compare as numbers. */
const TIME_DIGITS = 13;
const LATEST_MS = 10 ** TIME_DIGITS - 1;

/** Key characters: environment names and record ids as they are, anything unusual percent-encoded. */
const keyPart = (text: string): string => encodeURIComponent(text);

/** The prefix of one environment's records: `audit/<environment>/`. */
export const auditPrefix = (environment: string): string => `audit/${keyPart(environment)}/`;

/**
 * `audit/<environment>/<13 digits: 9999999999999 - epoch ms of at>-<id>.json`: S3 lists keys in ascending
 * order, so the newest record comes first and a listing reads the newest N without reading the rest. Records
 * of the same millisecond sort by id. The same record (same `at` and `id`) always gets the same key, so a
 * second write of it meets the first one.
 */
export function auditObjectKey(record: Pick<AuditRecord, 'environment' | 'at' | 'id'>): string {
  const ms = Date.parse(record.at);
  if (!Number.isFinite(ms) || ms < 0 || ms > LATEST_MS) {
    throw new ReconcilerError('BadRequest', `audit record "${record.id}": "at" is not a time: "${record.at}"`);
  }
  const inverted = String(LATEST_MS - ms).padStart(TIME_DIGITS, '0');
  return `${auditPrefix(record.environment)}${inverted}-${keyPart(record.id)}.json`;
}

/** The record as stored: itself, or without `changes` when that is too large (saying so in `message`). */
export function storableAuditBody(record: AuditRecord, maxBytes = MAX_AUDIT_OBJECT_BYTES): string {
  const body = auditBody(record);
  if (Buffer.byteLength(body) <= maxBytes) return body;
  const dropped = record.changes?.length ?? 0;
  const { changes: _omitted, ...rest } = record;
  return auditBody({
    ...rest,
    message: `${record.message ? `${record.message}; ` : ''}${dropped} changes not stored`,
  } as AuditRecord);
}

export interface S3AuditTrailOptions {
  /** The audit bucket: versioned, S3 Object Lock with a default retention (the stack's `AuditBucket`). */
  bucket: string;
  s3: S3Client;
}

/**
 * The append-only audit trail (ADR 0020): one S3 object per record in a bucket with Object Lock. Each record is
 * written with a conditional create (`If-None-Match: *`), so an existing record is never replaced, not even by
 * a writer that may put objects; Object Lock keeps every version from deletion for the retention period. The
 * encryption is the bucket's default (no header: the stack sets SSE-KMS with its key).
 */
export class S3AuditTrail {
  readonly #bucket: string;
  readonly #s3: S3Client;

  constructor(options: S3AuditTrailOptions) {
    this.#bucket = options.bucket;
    this.#s3 = options.s3;
  }

  async append(record: AuditRecord): Promise<void> {
    const key = auditObjectKey(record);
    const where = `s3://${this.#bucket}/${key}`;
    try {
      await this.#s3.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Body: storableAuditBody(record),
          ContentType: 'application/json',
          IfNoneMatch: '*',
        }),
      );
    } catch (error) {
      if (awsErrorName(error) === 'PreconditionFailed' || httpStatus(error) === 412) {
        throw new ReconcilerError(
          'Conflict',
          `audit record "${record.id}" of environment "${record.environment}" already exists at ${where}: audit records are never replaced`,
          { cause: error },
        );
      }
      throw toAdapterError(`recording audit "${record.id}" of environment "${record.environment}" to ${where}`, error);
    }
  }

  /**
   * The newest `limit` records, newest first: keys are listed (1,000 per page, ascending = newest first) until
   * `limit` are known, then only those objects are read. An object that does not parse is skipped and reported.
   */
  async list(
    environment: string,
    limit: number,
    options: { onSkipped?: (skipped: SkippedAuditRecords) => void } = {},
  ): Promise<AuditRecord[]> {
    if (limit <= 0) return [];
    const prefix = auditPrefix(environment);
    const keys: string[] = [];
    let token: string | undefined;
    do {
      try {
        const out = await this.#s3.send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: prefix,
            MaxKeys: Math.min(1000, limit - keys.length),
            ContinuationToken: token,
          }),
        );
        for (const object of out.Contents ?? []) if (object.Key) keys.push(object.Key);
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } catch (error) {
        throw toAdapterError(
          `listing audit records of environment "${environment}" in s3://${this.#bucket}/${prefix}`,
          error,
        );
      }
    } while (token && keys.length < limit);
    const damaged: string[] = [];
    const records = await mapLimit(keys.slice(0, limit), 8, async (key) => {
      let text: string | undefined;
      try {
        const out = await this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
        text = await out.Body?.transformToString('utf8');
      } catch (error) {
        throw toAdapterError(`reading audit record s3://${this.#bucket}/${key}`, error);
      }
      try {
        const record = JSON.parse(text ?? '') as AuditRecord;
        if (record && typeof record === 'object' && typeof record.type === 'string') return record;
      } catch {
        // A body that does not parse: listed as skipped below, never fatal.
      }
      damaged.push(key);
      return undefined;
    });
    if (damaged.length > 0) {
      options.onSkipped?.({
        count: damaged.length,
        where: `s3://${this.#bucket} ${damaged.slice(0, 5).join(', ')}`,
      });
    }
    return records.filter((r): r is AuditRecord => r !== undefined);
  }
}

function httpStatus(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null
    ? (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
    : undefined;
}
