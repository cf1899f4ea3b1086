/**
 * AWS adapters (issue 3, part 6). Handlers import them from here:
 * `AwsStateStore`, `DynamoLocker`, `SecretsManagerResolver`, `LambdaWorker`. Table layout: ADR 0020.
 */
export { AwsStateStore, type AwsStateStoreOptions } from './aws-state-store.ts';
export { type AuditTrail, AwsTableStore, type AwsTableStoreOptions, type PlanBodies } from './aws-table-store.ts';
export { DynamoLocker, type DynamoLockerOptions } from './dynamo-locker.ts';
export { LambdaWorker, type LambdaWorkerOptions } from './lambda-worker.ts';
export { auditObjectKey, S3AuditTrail, type S3AuditTrailOptions } from './s3-audit-trail.ts';
export { S3PlanBodies, type S3PlanBodiesOptions } from './s3-plan-bodies.ts';
export {
  ENVIRONMENT_SESSION_TAG,
  type EnvironmentSecretsClientOptions,
  environmentSecretsClient,
  SecretsManagerResolver,
  type SecretsManagerResolverOptions,
} from './secrets-manager-resolver.ts';
export { TABLE_KEYS } from './table-layout.ts';
