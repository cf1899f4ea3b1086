import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { AdapterError, messageOf } from '../../errors.ts';
import type { AuditSinkSpec } from '../../model/audit-sink.ts';
import type { AuditSink } from '../../ports/audit-sink.ts';
import type { AuditRecord } from '../../ports/state-store.ts';
import { auditBody } from '../common/audit-body.ts';

/** Stores each record as one object: `<prefix><environment>/<yyyy>/<mm>/<dd>/<at>-<id>.json`. */
export class S3AuditSink implements AuditSink {
  readonly name: string;
  readonly #spec: Extract<AuditSinkSpec, { type: 's3' }>;
  readonly #client: () => S3Client;

  constructor(name: string, spec: Extract<AuditSinkSpec, { type: 's3' }>, deps: { s3: () => S3Client }) {
    this.name = name;
    this.#spec = spec;
    this.#client = deps.s3;
  }

  static keyOf(prefix: string, record: AuditRecord): string {
    const at = new Date(record.at);
    const day = Number.isNaN(at.getTime()) ? 'unknown' : at.toISOString().slice(0, 10).replaceAll('-', '/');
    const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
    return `${prefix}${safe(record.environment)}/${day}/${safe(record.at)}-${safe(record.id)}.json`;
  }

  async deliver(record: AuditRecord): Promise<void> {
    const key = S3AuditSink.keyOf(this.#spec.prefix, record);
    try {
      await this.#client().send(
        new PutObjectCommand({
          Bucket: this.#spec.bucket,
          Key: key,
          Body: auditBody(record),
          ContentType: 'application/json',
        }),
      );
    } catch (error) {
      throw new AdapterError(
        `storing audit record "${record.id}" in s3://${this.#spec.bucket}/${key}: ${messageOf(error)}`,
        {
          cause: error,
          retryable: true,
        },
      );
    }
  }

  async close(): Promise<void> {}
}
