import { jobValueName } from '../../model/job.ts';

/**
 * The single DynamoDB table shared by `AwsStateStore` and `DynamoLocker` (ADR 0020).
 * infra/ declares the same names without importing this file (infra imports no runtime code);
 * test/infra checks that the two agree.
 *
 * | item              | pk               | sk                              | gsi1pk          | gsi1sk              | ttl |
 * |-------------------|------------------|---------------------------------|-----------------|---------------------|-----|
 * | plan record       | `PLAN#<id>`      | `PLAN`                          | `PLANS#<env>`   | `<createdAt>#<id>`  |     |
 * | applied pointer   | `ENV#<env>`      | `APPLIED`                       |                 |                     |     |
 * | inventory head    | `ENV#<env>`      | `INVENTORY`                     |                 |                     |     |
 * | inventory chunk   | `ENV#<env>`      | `INVENTORY#<generation>#<nnnn>` |                 |                     |     |
 * | audit record (*)  | `ENV#<env>`      | `AUDIT#<at>#<id>`               |                 |                     |     |
 * | lease             | `LOCK#<env>`     | `LOCK`                          | `LOCKS`         | `<env>`             | no  |
 * | webhook dedupe    | `SEEN#<key>`     | `SEEN`                          |                 |                     | yes |
 * | named value       | `VALUE#<name>`   | `VALUE` (+ chunks as above)     |                 |                     |     |
 *
 * (*) Only without an audit bucket, and read for upgrades: with `AUDIT_BUCKET` audit records are objects in
 * the Object Lock bucket (lib/adapters/aws/s3-audit-trail.ts).
 */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds. DynamoDB deletes expired items lazily (up to days later), so readers compare it too. */
  ttl: 'ttl',
  gsi1: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
} as const;

export const planKey = (id: string) => ({ pk: `PLAN#${id}`, sk: 'PLAN' });
export const plansIndexKey = (environment: string) => `PLANS#${environment}`;
export const envPk = (environment: string) => `ENV#${environment}`;
export const lockKey = (environment: string) => ({ pk: `LOCK#${environment}`, sk: 'LOCK' });
export const LOCKS_INDEX_PK = 'LOCKS';
export const seenKey = (key: string) => ({ pk: `SEEN#${key}`, sk: 'SEEN' });
export const valueKey = (name: string) => ({ pk: `VALUE#${name}`, sk: 'VALUE' });

/**
 * The partition keys the webhook function writes (issue 14, contract 4): replay memory (`markSeen`,
 * `forgetSeen`) and the named values of jobs and remembered pull requests (`jobValueName`,
 * `pullRequestValueName`). The stack limits the webhook's table grant to these prefixes with
 * `dynamodb:LeadingKeys` (infra declares them itself: it imports no runtime code; test/infra compares);
 * test/integration/aws/webhook-footprint.test.ts records what a delivery really touches.
 */
export const WEBHOOK_PARTITION_KEY_PREFIXES = [
  seenKey('').pk,
  valueKey(jobValueName('')).pk,
  // pullRequestValueName(repo, n) = `pull-request/<repo>#<n>`
  valueKey('pull-request/').pk,
] as const;
