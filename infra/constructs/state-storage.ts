import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * The single-table layout of ADR 0020. Declared here, not imported from lib/adapters/aws/table-layout.ts,
 * because infra imports no runtime code; test/infra checks that both say the same.
 */
export const STATE_TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttl: 'ttl',
  gsi1: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
} as const;

/**
 * Partition-key patterns (`dynamodb:LeadingKeys`) of the item families the functions touch. Declared here for
 * the same reason as the schema; test/infra checks each against lib/adapters/aws/table-layout.ts and the value
 * names in lib (jobValueName, pullRequestValueName, ENVIRONMENT_INDEX, the monitor's value names).
 */
export const ITEM_KEYS = {
  /** Webhook replay memory (markSeen / forgetSeen). */
  seen: 'SEEN#*',
  /** Job records (`job/<id>`). */
  jobs: 'VALUE#job/*',
  /** Pull requests remembered for `/landscape` commands (`pull-request/<repo>#<n>`). */
  pullRequests: 'VALUE#pull-request/*',
  /** The list of environments ever planned (`index/environments`). */
  environmentIndex: 'VALUE#index/environments',
  /** The monitor's published config (`monitor/<env>/config`) and its own state (`monitor/<env>/state`). */
  monitor: 'VALUE#monitor/*',
  monitorState: 'VALUE#monitor/*/state',
  plans: 'PLAN#*',
  locks: 'LOCK#*',
  values: 'VALUE#*',
} as const;

/** Prefix of every object the functions read or write (plans and reports). */
export const PLAN_OBJECT_PREFIX = 'plans/';

/**
 * Durable state: one KMS key, the plan bucket (SSE-KMS, private, TLS only, versioned) and the state table
 * (on-demand, PITR, TTL, one GSI). Grants are explicit statements scoped to these resources (no CDK `grant*`
 * helpers, which add `ReEncrypt*`/`GenerateDataKey*` and `index/*` wildcards), each function given only the
 * actions and items it uses (the stack decides which).
 */
export class StateStorage extends Construct {
  readonly key: kms.Key;
  readonly bucket: s3.Bucket;
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'Landscape state: plan bodies, state table, audit records',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new s3.Bucket(this, 'PlanBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        // Superseded report bodies and overwritten plans: recoverable for 90 days, then gone.
        { noncurrentVersionExpiration: Duration.days(90), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Only the Landscape functions touch this bucket, through roles scoped to plans/*; every plan and apply ' +
        'is recorded in the application audit trail, and S3 data events belong in the organisation CloudTrail ' +
        'rather than in a per-stack access-log bucket.',
    });

    const { partitionKey, sortKey, ttl, gsi1 } = STATE_TABLE_SCHEMA;
    // `Table`, not `TableV2`: a TableV2 with a customer managed key cannot be rendered in an env-agnostic stack.
    this.table = new dynamodb.Table(this, 'StateTable', {
      partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: ttl,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: gsi1.name,
      partitionKey: { name: gsi1.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: gsi1.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }

  /**
   * DynamoDB item actions (`GetItem`, `PutItem`, ...) on the table, and with `index` on its one index. With
   * `leadingKeys`, only items whose partition key matches one of the patterns (`dynamodb:LeadingKeys`,
   * ForAllValues:StringLike): every key a request touches must match, so one request cannot reach outside.
   */
  grantItems(role: iam.IRole, grant: { actions: readonly string[]; leadingKeys?: readonly string[]; index?: boolean }) {
    const indexArn = `${this.table.tableArn}/index/${STATE_TABLE_SCHEMA.gsi1.name}`;
    role.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: grant.actions.map((a) => `dynamodb:${a}`),
        resources: grant.index ? [this.table.tableArn, indexArn] : [this.table.tableArn],
        ...(grant.leadingKeys
          ? { conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...grant.leadingKeys] } } }
          : {}),
      }),
    );
  }

  /** Plan and report objects under `plans/`: read, or read and write (write also removes a losing body). */
  grantPlans(role: iam.IRole, options: { write: boolean }): void {
    const bucketLogicalId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket);
    Validations.of(role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/${PLAN_OBJECT_PREFIX}*]`,
      reason:
        'Plan and report objects are named by plan id at run time; access is limited to the plans/ prefix of ' +
        'the one state bucket.',
    });
    role.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', ...(options.write ? ['s3:PutObject', 's3:DeleteObject'] : [])],
        resources: [this.bucket.arnForObjects(`${PLAN_OBJECT_PREFIX}*`)],
      }),
    );
  }

  /**
   * The state key, only through the services that hold data under it (`kms:ViaService`): DynamoDB for the
   * table, S3 for the plan and audit buckets. `encrypt` adds what writing needs. No direct KMS call is allowed:
   * the functions never encrypt anything themselves.
   */
  grantKey(role: iam.IRole, options: { via: readonly ('dynamodb' | 's3')[]; encrypt: boolean }): void {
    const region = Stack.of(this).region;
    role.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:DescribeKey', ...(options.encrypt ? ['kms:Encrypt', 'kms:GenerateDataKey'] : [])],
        resources: [this.key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': options.via.map((service) => `${service}.${region}.amazonaws.com`) },
        },
      }),
    );
  }
}
