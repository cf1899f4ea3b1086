import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { AwsTableStore } from './aws-table-store.ts';
import { S3AuditTrail } from './s3-audit-trail.ts';
import { S3PlanBodies } from './s3-plan-bodies.ts';

export interface AwsStateStoreOptions {
  /**
   * S3 bucket for plan and report bodies (SSE-KMS). Absent for a store that keeps only table items; reading or
   * writing a plan body then fails, naming the bucket. (The webhook uses AwsTableStore: no S3 client at all.)
   */
  bucket?: string;
  /** The single DynamoDB table (ADR 0020). */
  table: string;
  /**
   * The audit bucket (S3 Object Lock): each audit record becomes one object, created once and never replaced.
   * Absent: audit records are items of the table, as before the bucket existed (emulators without it).
   */
  auditBucket?: string;
  s3?: S3Client;
  dynamo?: DynamoDBClient;
  /**
   * KMS key (id or ARN) for SSE-KMS on every object written. When absent no encryption header is sent and the
   * bucket's default encryption applies (the stack's bucket defaults to SSE-KMS with its key: `STATE_KMS_KEY_ID`).
   */
  kmsKeyId?: string;
  /** Clock for dedupe expiry (tests). */
  now?: () => Date;
}

/**
 * StateStore on AWS (ADR 0020): plan and report bodies in S3 with SSE-KMS, everything else in one DynamoDB
 * table. The plan record in DynamoDB holds the status, so `updatePlanStatus` is one conditional UpdateItem
 * (compare-and-set, no read first). Bodies are written to S3 before the record points at them, so a record
 * never names a missing object; an object written for a compare-and-set that then loses is deleted again.
 * The table logic is AwsTableStore's; this adds the S3 bodies (S3PlanBodies) and audit trail (S3AuditTrail).
 *
 * @example
 * const store = new AwsStateStore({ bucket: process.env.PLAN_BUCKET, table: process.env.STATE_TABLE });
 * if (await store.markSeen(`delivery:${id}`, 86_400)) await store.savePlan(stored);
 */
export class AwsStateStore extends AwsTableStore {
  constructor(options: AwsStateStoreOptions) {
    const s3 = options.s3 ?? new S3Client({});
    super({
      table: options.table,
      ...(options.dynamo ? { dynamo: options.dynamo } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.bucket !== undefined
        ? { bodies: new S3PlanBodies({ bucket: options.bucket, s3, kmsKeyId: options.kmsKeyId }) }
        : {}),
      ...(options.auditBucket ? { audit: new S3AuditTrail({ bucket: options.auditBucket, s3 }) } : {}),
    });
  }
}
