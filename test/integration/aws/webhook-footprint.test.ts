import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWebhookConfig } from '../../../functions/shared/config.ts';
import { createWebhookHandler } from '../../../functions/webhook/app.ts';
import { buildWebhookStore } from '../../../functions/webhook/state.ts';
import { WEBHOOK_PARTITION_KEY_PREFIXES } from '../../../lib/adapters/aws/table-layout.ts';
import { GitHubWebhookVerifier } from '../../../lib/adapters/github/github-webhook-verifier.ts';
import type { PipelineJob } from '../../../lib/model/job.ts';
import { localContext } from '../../../lib/serve/lambda-bridge.ts';
import { clients, createStateTable, deleteStateTable, ensureAwsServices } from '../../support/aws.ts';
import { githubHeaders, pushPayload } from '../../support/github.ts';
import { ROOT } from '../../support/paths.ts';
import { SUITE_SECRETS } from '../../support/scan/suite-secrets.ts';
import { uniqueName } from '../../support/unique-name.ts';

/**
 * Issue 14, contract 4: the webhook (internet-facing) touches only replay items (`SEEN#…`) and the named
 * values of jobs and remembered pull requests, which is all the stack grants it (`dynamodb:LeadingKeys`), and
 * no S3 at all. Its store is built exactly as the function builds it (parseWebhookConfig + buildWebhookStore,
 * no bucket, no S3 client), on DynamoDB Local; a middleware on the clients records the partition key of every request.
 */
const SECRET = SUITE_SECRETS.RECEIVE_WEBHOOK_SECRET as string;
const REPO = 'acme/platform-config';
const table = uniqueName('webhook-footprint');
const touched: string[] = [];
const s3Requests: string[] = [];
const dispatched: PipelineJob[] = [];
let failNextDispatch = false;

/** Every partition key a DynamoDB request names, whatever its shape; `?` when it names none. */
function partitionKeys(input: Record<string, unknown>): string[] {
  type Attrs = Record<string, { S?: string }> | undefined;
  const pk = (attrs: Attrs) => attrs?.pk?.S ?? '?';
  const one = input as { Key?: Attrs; Item?: Attrs; ExpressionAttributeValues?: Attrs };
  if (one.Key) return [pk(one.Key)];
  if (one.Item) return [pk(one.Item)];
  const batch = (
    input as { RequestItems?: Record<string, { PutRequest?: { Item: Attrs }; DeleteRequest?: { Key: Attrs } }[]> }
  ).RequestItems;
  if (batch) {
    return Object.values(batch).flatMap((requests) =>
      requests.map((r) => pk(r.PutRequest?.Item ?? r.DeleteRequest?.Key)),
    );
  }
  const transaction = (input as { TransactItems?: Record<string, { Key?: Attrs; Item?: Attrs }>[] }).TransactItems;
  if (transaction) {
    return transaction.flatMap((t) => Object.values(t).map((op) => pk(op.Key ?? op.Item)));
  }
  if (one.ExpressionAttributeValues?.[':pk']) return [one.ExpressionAttributeValues[':pk'].S ?? '?'];
  return ['?'];
}

let handler: ReturnType<typeof createWebhookHandler>;

beforeAll(async () => {
  await ensureAwsServices();
  const dynamo = clients.dynamo();
  await createStateTable(dynamo, table);
  dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      for (const key of partitionKeys(args.input as Record<string, unknown>)) {
        touched.push(`${context.commandName} ${key}`);
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordPartitionKeys' },
  );
  const s3 = clients.s3();
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      s3Requests.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'recordS3' },
  );
  // The webhook function's configuration as the stack sets it: the table, its signing secret, no bucket.
  const config = parseWebhookConfig({
    STATE_TABLE: table,
    GITHUB_WEBHOOK_SECRET: SECRET,
    ALLOWED_REPOSITORIES: REPO,
    WORKER_FUNCTION_NAME: 'landscape-apply',
  });
  const store = buildWebhookStore(config.store, { dynamo });
  handler = createWebhookHandler(
    {
      store,
      worker: {
        dispatch: async (job) => {
          if (failNextDispatch) {
            failNextDispatch = false;
            throw new Error('Lambda throttled the invoke');
          }
          dispatched.push(job);
        },
        invokeApply: async () => {
          throw new Error('the webhook never applies');
        },
      },
      verifier: new GitHubWebhookVerifier(SECRET),
      policy: { repositories: config.ALLOWED_REPOSITORIES, branches: config.ALLOWED_BRANCHES },
      settings: { dedupeTtlSeconds: config.DEDUPE_TTL_SECONDS },
      now: () => new Date(),
      newId: randomUUID,
      log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    },
    new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
  );
});

afterAll(async () => {
  await deleteStateTable(clients.dynamo(), table);
});

async function deliver(event: string, body: string, delivery = randomUUID()) {
  const sample = JSON.parse(await readFile(join(ROOT, 'events/api/status.json'), 'utf8')) as APIGatewayProxyEventV2;
  const request = {
    ...sample,
    rawPath: '/webhooks/github',
    headers: await githubHeaders(SECRET, event, body, delivery),
    requestContext: { ...sample.requestContext, http: { ...sample.requestContext.http, method: 'POST' } },
    body,
    isBase64Encoded: false,
  } as APIGatewayProxyEventV2;
  const result = await handler(request, localContext('webhook'));
  return { status: result.statusCode, body: JSON.parse(result.body ?? '{}') as { status: string } };
}

const githubEvent = (name: string) => readFile(join(ROOT, 'events/github', name), 'utf8');

describe('what a webhook delivery touches (the IAM-scoped table layout)', () => {
  it('writes only SEEN#, VALUE#job/ and VALUE#pull-request/ items, and never calls S3', async () => {
    // Act: every kind of delivery the webhook acts on, a replay, a refused one and a failed dispatch.
    const push = await pushPayload(REPO, 'a'.repeat(40));
    const pushDelivery = randomUUID();
    const opened = await githubEvent('pull_request.opened.json');
    const closed = JSON.stringify({ ...JSON.parse(opened), action: 'closed' });
    const outcomes = [
      await deliver('push', push, pushDelivery),
      await deliver('push', push, pushDelivery),
      await deliver('pull_request', opened),
      await deliver('pull_request', await githubEvent('pull_request.synchronize.json')),
      await deliver('issue_comment', await githubEvent('issue_comment.created.json')),
      await deliver('pull_request', closed),
      await deliver('ping', await githubEvent('ping.json')),
      await deliver('push', await pushPayload('someone/else', 'b'.repeat(40))),
    ];
    failNextDispatch = true;
    outcomes.push(await deliver('push', await pushPayload(REPO, 'c'.repeat(40))));

    // Assess: the deliveries did what they do (so the footprint covers real work) ...
    expect(outcomes.map((o) => o.body.status)).toEqual([
      'accepted',
      'duplicate',
      'accepted',
      'accepted',
      'accepted',
      'ignored',
      'pong',
      'forbidden',
      'failed',
    ]);
    expect(dispatched.map((j) => j.type)).toEqual([
      'plan-push',
      'plan-pull-request',
      'plan-pull-request',
      'pull-request-command',
    ]);
    // ... every request named a partition key under the granted prefixes, each prefix was used ...
    expect(touched.length).toBeGreaterThan(0);
    const outside = touched.filter((t) => !WEBHOOK_PARTITION_KEY_PREFIXES.some((p) => t.split(' ')[1]?.startsWith(p)));
    expect(outside).toEqual([]);
    for (const prefix of WEBHOOK_PARTITION_KEY_PREFIXES) {
      expect(touched.some((t) => t.split(' ')[1]?.startsWith(prefix))).toBe(true);
    }
    // ... with the operations the grant allows (a failed dispatch forgets its replay keys again) ...
    expect([...new Set(touched.map((t) => t.split(' ')[0]))].sort()).toEqual(['DeleteItemCommand', 'PutItemCommand']);
    // ... and S3 was never asked for anything.
    expect(s3Requests).toEqual([]);
    expect(WEBHOOK_PARTITION_KEY_PREFIXES).toEqual(['SEEN#', 'VALUE#job/', 'VALUE#pull-request/']);
  });
});
