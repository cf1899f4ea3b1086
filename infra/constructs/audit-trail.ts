import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Prefix of every audit record object (`audit/<environment>/...`, the key format is the store's). */
export const AUDIT_OBJECT_PREFIX = 'audit/';

export type AuditLockMode = 'governance' | 'compliance';

/**
 * Actions no Landscape role may have on the audit bucket: removing or replacing a record, shortening or lifting
 * its lock, and changing the bucket itself (policy, lock configuration, versioning, lifecycle, encryption...).
 * The bucket policy denies them to the functions' roles by name as well, so a broader policy attached to a role
 * later still cannot undo the trail.
 */
export const AUDIT_FORBIDDEN_ACTIONS = [
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:DeleteObjectTagging',
  's3:DeleteObjectVersionTagging',
  's3:PutObjectRetention',
  's3:PutObjectLegalHold',
  's3:BypassGovernanceRetention',
  's3:PutLifecycleConfiguration',
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:PutBucketObjectLockConfiguration',
  's3:PutBucketVersioning',
  's3:PutEncryptionConfiguration',
  's3:PutBucketOwnershipControls',
  's3:PutBucketPublicAccessBlock',
  's3:PutReplicationConfiguration',
  's3:DeleteBucket',
] as const;

export interface AuditTrailProps {
  key: kms.IKey;
  /** Default retention of every record; default 365 days. */
  retentionDays?: number | undefined;
  /** `governance` (default: a principal granted s3:BypassGovernanceRetention can still remove) or `compliance`. */
  lockMode?: AuditLockMode | undefined;
}

/**
 * The append-only audit trail (ADR 0023): an S3 bucket with Object Lock (versioned; each record locked for the
 * default retention), SSE-KMS with the stack key, TLS only, private, retained when the stack is deleted.
 * Writers create each record once (`If-None-Match: *`, enforced by the bucket policy) and may not delete,
 * re-lock or reconfigure anything; the reader lists and reads `audit/` only.
 */
export class AuditTrail extends Construct {
  readonly bucket: s3.Bucket;
  readonly retentionDays: number;
  readonly lockMode: AuditLockMode;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    this.retentionDays = props.retentionDays ?? 365;
    this.lockMode = props.lockMode ?? 'governance';
    if (!Number.isInteger(this.retentionDays) || this.retentionDays < 1 || this.retentionDays > 36500) {
      throw new Error(
        `auditRetentionDays: "${props.retentionDays}" is not a whole number of days from 1 to 36500, ` +
          'e.g. -c auditRetentionDays=365',
      );
    }
    if (this.lockMode !== 'governance' && this.lockMode !== 'compliance') {
      throw new Error(
        `auditLockMode: "${String(props.lockMode)}" is not "governance" (default) or "compliance" ` +
          '(compliance: nobody, not even the account root, can delete a record before its retention ends)',
      );
    }
    const retention = Duration.days(this.retentionDays);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      objectLockEnabled: true,
      objectLockDefaultRetention:
        this.lockMode === 'compliance'
          ? s3.ObjectLockRetention.compliance(retention)
          : s3.ObjectLockRetention.governance(retention),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The audit bucket is itself the record of what Landscape did; reads and writes of it belong in the ' +
        'organisation CloudTrail (S3 data events), not in a second per-stack access-log bucket.',
    });
    // Every upload is a conditional create: an existing record is never replaced, not even by a new version.
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CreateRecordsOnlyOnce',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects('*')],
        conditions: { Null: { 's3:if-none-match': 'true' } },
      }),
    );
  }

  /** `s3:PutObject` on `audit/*` only, and the key for SSE-KMS through S3. */
  grantAppend(role: iam.IRole): void {
    role.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${AUDIT_OBJECT_PREFIX}*`)],
      }),
    );
    this.#acknowledgeObjects(role);
  }

  /** `s3:GetObject` on `audit/*` and `s3:ListBucket` of the `audit/` prefix only. */
  grantRead(role: iam.IRole): void {
    role.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects(`${AUDIT_OBJECT_PREFIX}*`)],
      }),
    );
    role.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${AUDIT_OBJECT_PREFIX}*`] } },
      }),
    );
    this.#acknowledgeObjects(role);
  }

  /**
   * Denies `roles` every action in {@link AUDIT_FORBIDDEN_ACTIONS} in the bucket policy: an explicit deny, so a
   * broader policy attached to one of them later still cannot remove, unlock or reconfigure anything.
   */
  denyRemoval(roles: readonly iam.IRole[]): void {
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'LandscapeRolesNeverRemoveOrUnlock',
        effect: iam.Effect.DENY,
        principals: roles.map((r) => new iam.ArnPrincipal(r.roleArn)),
        actions: [...AUDIT_FORBIDDEN_ACTIONS],
        resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
      }),
    );
  }

  #acknowledgeObjects(role: iam.IRole): void {
    const logicalId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket);
    Validations.of(role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${AUDIT_OBJECT_PREFIX}*]`,
      reason:
        'Audit records are one object each, named by environment, time and id when they happen; access is ' +
        'limited to the audit/ prefix of the one audit bucket, and to creating (never replacing) or reading.',
    });
  }
}
