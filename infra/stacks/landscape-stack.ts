import { join } from 'node:path';
import {
  ArnFormat,
  CfnOutput,
  Duration,
  RemovalPolicy,
  SecretValue,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as snsSubscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { type AuditLockMode, AuditTrail } from '../constructs/audit-trail.ts';
import { LandscapeHttpApi } from '../constructs/http-api.ts';
import { type CodeMode, LandscapeFunction } from '../constructs/landscape-function.ts';
import { type FunctionEgress, type ImportedVpc, Network } from '../constructs/network.ts';
import { type EksClusterAccess, type MskClusterAccess, PlatformAccess } from '../constructs/platform-access.ts';
import { SecretsReader } from '../constructs/secrets-reader.ts';
import { ITEM_KEYS, StateStorage } from '../constructs/state-storage.ts';

export const FUNCTION_NAMES = ['webhook', 'apply', 'drift', 'api', 'monitor'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/**
 * The value the GitHub credentials secret is created with: the functions read it (or an empty value) as "no
 * GitHub credentials yet" and skip plan comments and check runs, saying which secret to set.
 */
export const GITHUB_CREDENTIALS_PLACEHOLDER = 'landscape:unset';

export const NO_REPOSITORIES =
  'allowedRepositories: name at least one repository (cdk deploy -c allowedRepositories=owner/name)';

/** `owner/name` or `owner/*`, as GitHub spells owners and repositories. */
const REPOSITORY = /^[A-Za-z0-9][A-Za-z0-9-]*\/(\*|[A-Za-z0-9._-]+)$/;

function checkRepositories(repositories: readonly string[] | undefined): string[] {
  const list = (repositories ?? []).map((r) => r.trim()).filter(Boolean);
  if (list.length === 0) throw new Error(NO_REPOSITORIES);
  for (const repository of list) {
    if (!REPOSITORY.test(repository)) {
      throw new Error(
        `allowedRepositories: "${repository}" is not "owner/name" or "owner/*", ` +
          'e.g. -c allowedRepositories=acme/platform-config,acme-data/*',
      );
    }
  }
  return list;
}

export const reservedConcurrencyError = (value: string) =>
  `applyReservedConcurrency: "${value}" is not a whole number of at least 1 (leave it unset to reserve none), ` +
  'e.g. -c applyReservedConcurrency=1';

function checkReservedConcurrency(value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1) throw new Error(reservedConcurrencyError(String(value)));
  return value;
}

/** Repository root, from infra/stacks/. */
const PROJECT_ROOT = join(import.meta.dirname, '..', '..');

export interface LandscapeStackProps extends StackProps {
  /** `bundle` (default) runs esbuild; `inline` uses stand-ins for fast template tests. */
  code?: CodeMode;
  /** Handler entries by function; default `functions/<name>/handler.ts`. */
  entries?: Partial<Record<FunctionName, string>>;
  /**
   * Reserved concurrency of the apply function; unset (the default) reserves none. The environment lease
   * already serialises applies (ADR 0006); reserving capacity fails in accounts whose unreserved concurrency
   * would drop below the minimum of 100 (new accounts often have a quota of 10).
   */
  applyReservedConcurrency?: number;
  /** Default Object Lock retention of audit records, in days (default 365). */
  auditRetentionDays?: number;
  /** Object Lock mode of audit records: `governance` (default) or `compliance`. */
  auditLockMode?: AuditLockMode;
  /**
   * VPC endpoints for the AWS APIs the in-VPC functions call (interface: Secrets Manager, STS, Lambda, and EKS
   * when clusters are named; gateway: S3 and DynamoDB), so that they need no NAT for AWS. GitHub, channels and
   * a platform outside the VPC still need a route out (NAT, proxy, Transit Gateway). Costs per endpoint and AZ.
   */
  vpcEndpoints?: boolean;
  /** Run the in-VPC functions in an existing VPC instead of creating one. */
  vpc?: ImportedVpc;
  /** Secrets Manager name prefix the apply/drift/monitor functions may read (Kafka credentials, channels). */
  secretsPrefix?: string;
  /**
   * `owner/name` or `owner/*`: repositories whose webhooks are accepted. Required: a webhook that accepts no
   * repository cannot start, so synth refuses an empty list instead of deploying a function that fails.
   */
  allowedRepositories: string[];
  allowedBranches?: string[];
  /** Environments the drift schedule checks; empty = every environment the config names. */
  driftEnvironments?: string[];
  /**
   * EventBridge Scheduler expressions. The drift schedule is a tick (default every 5 minutes) that wakes the
   * drift function, which checks each environment whose own `spec.drift.schedule` is due.
   */
  driftSchedule?: string;
  monitorSchedule?: string;
  /** Subscribed to the alarm topic when given. */
  alarmEmail?: string;
  /**
   * Buckets that `AuditSink` documents of `type: s3` write to: the functions that write audit records (apply,
   * drift, api) may put objects there, nowhere else. A bucket encrypted with a customer key must also let
   * those roles use the key.
   */
  auditBuckets?: string[];
  /**
   * Authenticate to GitHub as this App installation instead of with a token: the operator stores the App's
   * private key (PEM) in the GitHub credentials secret (output GitHubCredentialsSecretArn).
   */
  githubApp?: { appId: string; installationId: string };
  /**
   * MSK clusters reached with IAM authentication (`sasl.mechanism: aws-msk-iam`): each in-VPC function gets the
   * `kafka-cluster:` actions it needs on that cluster's ARNs only (read-only for drift, monitor and api).
   */
  msk?: MskClusterAccess[];
  /** EKS clusters apply and drift reconcile: `eks:DescribeCluster`, and access entries when asked for. */
  eks?: EksClusterAccess[];
  /** Roles that connections name in `roleArn` (MSK IAM, EKS): the in-VPC functions may assume them. */
  assumableRoleArns?: string[];
  /** Where the in-VPC functions may connect to (default: platform ports on private addresses, HTTPS anywhere). */
  egress?: FunctionEgress;
}

/**
 * Landscape on AWS: webhook and API behind an HTTP API; apply (one at a time), drift and monitor inside a VPC;
 * state in S3 + DynamoDB (ADR 0020); schedules for drift and monitoring; a DLQ and alarms for every failure
 * path. Env-agnostic and lookup-free so that `cdk synth` runs offline. The function environment variables are
 * the ones functions/shared/config.ts parses.
 */
export class LandscapeStack extends Stack {
  readonly storage: StateStorage;
  readonly audit: AuditTrail;
  readonly secretsReader: SecretsReader;
  readonly functions: Record<FunctionName, LandscapeFunction>;
  readonly deadLetterQueue: sqs.Queue;
  readonly httpApi: LandscapeHttpApi;

  constructor(scope: Construct, id: string, props: LandscapeStackProps) {
    super(scope, id, props);
    const allowedRepositories = checkRepositories(props.allowedRepositories);
    const applyReservedConcurrency = checkReservedConcurrency(props.applyReservedConcurrency);
    const code = props.code ?? 'bundle';
    const secretsPrefix = props.secretsPrefix ?? 'landscape/';
    const entry = (name: FunctionName) => props.entries?.[name] ?? join(PROJECT_ROOT, 'functions', name, 'handler.ts');

    this.storage = new StateStorage(this, 'State');
    this.audit = new AuditTrail(this, 'Audit', {
      key: this.storage.key,
      retentionDays: props.auditRetentionDays,
      lockMode: props.auditLockMode,
    });
    const network = new Network(this, 'Network', {
      vpc: props.vpc,
      egress: props.egress,
      endpoints: props.vpcEndpoints ? { eks: (props.eks ?? []).length > 0 } : undefined,
    });

    // ---------- failure paths: one DLQ, one alarm topic ----------
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue (of the functions and the schedules); it needs none itself.',
    });
    // The alarm topic has its own key: the CloudWatch service principal's use of it is limited to this account's
    // alarms (aws:SourceAccount, aws:SourceArn) and can never reach the state key that protects plans and audit.
    const alarmKey = new kms.Key(this, 'AlarmKey', {
      description: 'Landscape alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const fromOwnAlarms = {
      StringEquals: { 'aws:SourceAccount': this.account },
      ArnLike: { 'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:*` },
    };
    alarmKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: fromOwnAlarms,
      }),
    );
    const alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Landscape alarms',
      masterKey: alarmKey,
      enforceSSL: true,
    });
    alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [alarmTopic.topicArn],
        conditions: fromOwnAlarms,
      }),
    );
    if (props.alarmEmail) alarmTopic.addSubscription(new snsSubscriptions.EmailSubscription(props.alarmEmail));

    // ---------- secrets ----------
    const webhookSecret = new secretsmanager.Secret(this, 'WebhookSecret', {
      description: 'Landscape: GitHub webhook secret (paste the same value into the GitHub webhook settings)',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    // Created holding a placeholder the functions recognise as "not configured" (plan comments and check runs
    // are skipped with the reason), not a random string that GitHub would reject with an unhelpful 401.
    const githubTokenSecret = new secretsmanager.Secret(this, 'GitHubTokenSecret', {
      description: 'Landscape: GitHub token or App credentials for check runs, comments and tarballs (set by operator)',
      secretStringValue: SecretValue.unsafePlainText(GITHUB_CREDENTIALS_PLACEHOLDER),
    });
    for (const secret of [webhookSecret, githubTokenSecret]) {
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The value is shared with GitHub (webhook settings / token issuer); rotating it needs the GitHub side ' +
          'changed at the same moment, which a rotation Lambda cannot do. Rotated by runbook.',
      });
    }

    // ---------- functions ----------
    const applyFunctionName = `${this.stackName}-apply`;
    const applyFunctionArn = this.formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: applyFunctionName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    // The webhook's store is the table only: it is given no bucket (and no S3 grant).
    const table = { LANDSCAPE_STORE: 'aws', STATE_TABLE: this.storage.table.tableName };
    const state = {
      ...table,
      STATE_BUCKET: this.storage.bucket.bucketName,
      STATE_KMS_KEY_ID: this.storage.key.keyArn,
    };
    // What the functions that read platform secrets need (apply, drift, api, monitor); SECRETS_READER_ROLE_ARN
    // is added once the role exists (it trusts these functions' roles).
    const platform = { ...state, PLATFORM_SECRETS_PREFIX: secretsPrefix };
    // The functions that write audit records (apply, drift, api).
    const audit = { AUDIT_BUCKET: this.audit.bucket.bucketName };
    // The GitHub credentials: only for the functions that call GitHub (apply, drift). The api's doctor does not
    // check GitHub (the CLI's does, with the operator's token).
    const github = {
      GITHUB_TOKEN_SECRET_ID: githubTokenSecret.secretArn,
      ...(props.githubApp
        ? {
            GITHUB_APP_ID: props.githubApp.appId,
            GITHUB_APP_INSTALLATION_ID: props.githubApp.installationId,
            GITHUB_APP_PRIVATE_KEY_SECRET_ID: githubTokenSecret.secretArn,
          }
        : {}),
    };
    const inVpc = { vpc: network.vpc, subnets: network.subnets, securityGroup: network.functionSecurityGroup };
    const shared = { code, projectRoot: PROJECT_ROOT, deadLetterQueue: this.deadLetterQueue, alarmTopic };
    const make = (
      name: FunctionName,
      rest: Omit<ConstructorParameters<typeof LandscapeFunction>[2], 'entry' | keyof typeof shared>,
    ) =>
      new LandscapeFunction(this, `${name[0]?.toUpperCase()}${name.slice(1)}`, {
        ...shared,
        entry: entry(name),
        ...rest,
      });

    const webhook = make('webhook', {
      description: 'Landscape: verifies GitHub deliveries, dedupes them and hands the work to the apply function',
      timeout: Duration.seconds(10),
      memorySize: 512,
      environment: {
        ...table,
        POWERTOOLS_SERVICE_NAME: 'landscape-webhook',
        GITHUB_WEBHOOK_SECRET_ID: webhookSecret.secretArn,
        ALLOWED_REPOSITORIES: allowedRepositories.join(','),
        ALLOWED_BRANCHES: (props.allowedBranches ?? []).join(','),
        WORKER_FUNCTION_NAME: applyFunctionName,
      },
    });
    const apply = make('apply', {
      description: 'Landscape: plans and applies; the environment lease runs one apply per environment at a time',
      functionName: applyFunctionName,
      timeout: Duration.minutes(15),
      memorySize: 1536,
      vpc: inVpc,
      ...(applyReservedConcurrency !== undefined ? { reservedConcurrentExecutions: applyReservedConcurrency } : {}),
      // A failed apply is not blindly re-run: plans are single-use and the next push or drift run converges.
      retryAttempts: 0,
      environment: {
        ...platform,
        ...github,
        ...audit,
        POWERTOOLS_SERVICE_NAME: 'landscape-apply',
        WORKER_FUNCTION_NAME: applyFunctionName,
        ALLOWED_BRANCHES: (props.allowedBranches ?? []).join(','),
      },
    });
    const drift = make('drift', {
      description: 'Landscape: scheduled drift check of the last applied commit',
      timeout: Duration.minutes(15),
      memorySize: 1024,
      vpc: inVpc,
      retryAttempts: 0,
      environment: {
        ...platform,
        ...github,
        ...audit,
        POWERTOOLS_SERVICE_NAME: 'landscape-drift',
        WORKER_FUNCTION_NAME: applyFunctionName,
        ALLOWED_BRANCHES: (props.allowedBranches ?? []).join(','),
        DRIFT_ENVIRONMENTS: (props.driftEnvironments ?? []).join(','),
      },
    });
    const api = make('api', {
      description: 'Landscape: operator API (status, plans, approvals, re-apply, locks, masked topic samples)',
      timeout: Duration.seconds(29),
      memorySize: 512,
      // In the VPC: topic samples read the brokers and AuditSinks may be Kafka topics.
      vpc: inVpc,
      environment: {
        ...platform,
        ...audit,
        POWERTOOLS_SERVICE_NAME: 'landscape-api',
        API_AUTH: 'iam',
        WORKER_FUNCTION_NAME: applyFunctionName,
      },
    });
    const monitor = make('monitor', {
      description: 'Landscape: evaluates alert rules (lag, throughput, under-replicated) and notifies channels',
      timeout: Duration.minutes(2),
      memorySize: 512,
      vpc: inVpc,
      retryAttempts: 0,
      environment: { ...platform, POWERTOOLS_SERVICE_NAME: 'landscape-monitor' },
    });
    this.functions = { webhook, apply, drift, api, monitor };

    // ---------- least-privilege grants: each function what it uses, nothing more (ADR 0023) ----------
    const { storage } = this;
    // The webhook (internet-facing): its replay memory and the job / pull-request values it hands to the
    // worker, by partition key; no plan bodies, no audit, no GitHub credentials.
    storage.grantItems(webhook.role, {
      // PutItem: markSeen and the value heads; DeleteItem: forgetSeen; BatchWriteItem: chunks of large values.
      actions: ['PutItem', 'DeleteItem', 'BatchWriteItem'],
      leadingKeys: [ITEM_KEYS.seen, ITEM_KEYS.jobs, ITEM_KEYS.pullRequests],
    });
    storage.grantKey(webhook.role, { via: ['dynamodb'], encrypt: true });
    // Apply: plans, applies and runs jobs: every item family, fenced writes (ConditionCheckItem, ADR 0006),
    // forgetSeen of a failed job's replay keys.
    storage.grantItems(apply.role, {
      actions: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'ConditionCheckItem'],
      index: true,
    });
    storage.grantPlans(apply.role, { write: true });
    // Drift: plans against live (saves plans, takes the lease, remembers its checks), never deletes an item.
    storage.grantItems(drift.role, {
      actions: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'BatchWriteItem', 'ConditionCheckItem'],
      index: true,
    });
    storage.grantPlans(drift.role, { write: true });
    // The api reads everything it reports on (plans, applied commits, locks, legacy audit items, values) but
    // writes only plan status (approve), leases (break) and values (reapply jobs, undelivered audit records).
    storage.grantItems(api.role, { actions: ['GetItem', 'Query'], index: true });
    storage.grantItems(api.role, {
      actions: ['PutItem', 'UpdateItem', 'BatchWriteItem'],
      leadingKeys: [ITEM_KEYS.plans, ITEM_KEYS.locks, ITEM_KEYS.values],
    });
    storage.grantPlans(api.role, { write: false });
    // The monitor: the environment list and the published monitor config, and writes its own alert state.
    storage.grantItems(monitor.role, {
      actions: ['GetItem', 'Query'],
      leadingKeys: [ITEM_KEYS.environmentIndex, ITEM_KEYS.monitor],
    });
    storage.grantItems(monitor.role, {
      actions: ['PutItem', 'BatchWriteItem'],
      leadingKeys: [ITEM_KEYS.monitorState],
    });
    storage.grantKey(monitor.role, { via: ['dynamodb'], encrypt: true });
    // The audit trail: writers create records, the api also reads them; nobody removes or unlocks one.
    for (const f of [apply, drift, api]) {
      this.audit.grantAppend(f.role);
      storage.grantKey(f.role, { via: ['dynamodb', 's3'], encrypt: true });
    }
    this.audit.grantRead(api.role);

    webhookSecret.grantRead(webhook.role);
    for (const f of [apply, drift]) githubTokenSecret.grantRead(f.role);
    // Platform secrets only through the SecretsReader role, per environment by session tag.
    this.secretsReader = new SecretsReader(this, 'SecretsReader', {
      secretsPrefix,
      assumers: [apply.role, drift.role, api.role, monitor.role],
    });
    for (const f of [apply, drift, api, monitor]) {
      f.fn.addEnvironment('SECRETS_READER_ROLE_ARN', this.secretsReader.role.roleArn);
    }
    this.audit.denyRemoval([webhook.role, apply.role, drift.role, api.role, monitor.role, this.secretsReader.role]);
    for (const f of [webhook, apply, drift, api]) {
      f.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [applyFunctionArn] }),
      );
    }
    const auditBuckets = props.auditBuckets ?? [];
    if (auditBuckets.length > 0) {
      for (const f of [apply, drift, api]) {
        f.role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['s3:PutObject'],
            resources: auditBuckets.map((bucket) => `arn:${this.partition}:s3:::${bucket}/*`),
          }),
        );
        for (const bucket of auditBuckets) {
          Validations.of(f.role).acknowledge({
            id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${bucket}/*]`,
            reason:
              'S3 AuditSinks write one object per audit record under a date-based key, so the object names are ' +
              `not known in advance; only PutObject, only in the audit bucket "${bucket}" named at deploy time.`,
          });
        }
      }
    }

    // ---------- the platform: MSK IAM, EKS (ADR 0022) ----------
    new PlatformAccess(this, 'PlatformAccess', {
      roles: { apply: apply.role, drift: drift.role, monitor: monitor.role, api: api.role },
      msk: props.msk,
      eks: props.eks,
      assumableRoleArns: props.assumableRoleArns,
    });

    // ---------- HTTP API ----------
    this.httpApi = new LandscapeHttpApi(this, 'Http', { webhook: webhook.fn, api: api.fn });

    // ---------- schedules ----------
    const scheduleTarget = (fn: LandscapeFunction, input: Record<string, unknown>) => {
      const logicalId = this.getLogicalId(fn.fn.node.defaultChild as lambda.CfnFunction);
      Validations.of(this).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
        reason:
          'The scheduler role created by aws-scheduler-targets may invoke this one function, any version or ' +
          'alias of it (the ":*" suffix); nothing else.',
      });
      return new schedulerTargets.LambdaInvoke(fn.fn, {
        input: scheduler.ScheduleTargetInput.fromObject(input),
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
      });
    };
    new scheduler.Schedule(this, 'DriftSchedule', {
      description: 'Landscape drift check',
      schedule: scheduler.ScheduleExpression.expression(props.driftSchedule ?? 'rate(5 minutes)'),
      target: scheduleTarget(drift, { source: 'landscape.schedule', job: 'drift' }),
    });
    new scheduler.Schedule(this, 'MonitorSchedule', {
      description: 'Landscape alert rule evaluation',
      schedule: scheduler.ScheduleExpression.expression(props.monitorSchedule ?? 'rate(1 minute)'),
      target: scheduleTarget(monitor, { source: 'landscape.schedule', job: 'monitor' }),
    });

    // ---------- alarms beyond per-function errors ----------
    const dlqDepth = new cloudwatch.Alarm(this, 'DeadLetterQueueDepthAlarm', {
      alarmDescription: 'Landscape: failed asynchronous invocations or schedule deliveries are waiting in the DLQ',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    dlqDepth.addAlarmAction(new cloudwatchActions.SnsAction(alarmTopic));

    new CfnOutput(this, 'ApiEndpoint', { value: this.httpApi.api.apiEndpoint });
    new CfnOutput(this, 'WebhookUrl', { value: `${this.httpApi.api.apiEndpoint}/webhooks/github` });
    new CfnOutput(this, 'WebhookSecretArn', { value: webhookSecret.secretArn });
    new CfnOutput(this, 'GitHubCredentialsSecretArn', {
      description: props.githubApp ? 'Put the GitHub App private key (PEM) here' : 'Put a GitHub token here',
      value: githubTokenSecret.secretArn,
    });
    // For the platform side: EKS access entries (or aws-auth), MSK cluster policies, roles to be assumed.
    new CfnOutput(this, 'ApplyRoleArn', { value: apply.role.roleArn });
    new CfnOutput(this, 'DriftRoleArn', { value: drift.role.roleArn });
    new CfnOutput(this, 'MonitorRoleArn', { value: monitor.role.roleArn });
    new CfnOutput(this, 'ApiRoleArn', { value: api.role.roleArn });
    new CfnOutput(this, 'StateBucketName', { value: this.storage.bucket.bucketName });
    new CfnOutput(this, 'StateTableName', { value: this.storage.table.tableName });
    new CfnOutput(this, 'AuditBucketName', {
      description: 'Audit records (Object Lock): audit/<environment>/...',
      value: this.audit.bucket.bucketName,
    });
    new CfnOutput(this, 'SecretsReaderRoleArn', {
      description: `Reads platform secrets ${secretsPrefix}<environment>/* for the environment of the session tag`,
      value: this.secretsReader.role.roleArn,
    });
  }
}
