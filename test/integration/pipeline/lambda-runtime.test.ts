import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleHandler, localHandlerEnv } from '../../../bench/bundles.ts';
import { UNSET_SECRET_VALUE } from '../../../functions/shared/wiring-github.ts';
import { signBody } from '../../../lib/adapters/common/webhook-signature.ts';
import type { AuditRecord } from '../../../lib/ports/state-store.ts';
import { cleanupPrefix, kafkaTestEnv, rawAdmin } from '../../../scripts/services/kafka-broker.ts';
import {
  clients,
  createAuditBucket,
  createBucket,
  createStateTable,
  DYNAMODB_ENDPOINT,
  deleteStateTable,
  ensureAwsServices,
  MOTO_ENDPOINT,
} from '../../support/aws.ts';
import { topicDocument } from '../../support/builders.ts';
import { GitServer } from '../../support/git.ts';
import { githubHeaders, pushPayload } from '../../support/github.ts';
import { uniquePrefix } from '../../support/kafka.ts';
import {
  invokeFunction,
  invokeHttpFunction,
  type RunningFunction,
  startFunction,
} from '../../support/lambda-runtime.ts';
import { freePort } from '../../support/net.ts';
import { ROOT } from '../../support/paths.ts';
import { uniqueName } from '../../support/unique-name.ts';

/**
 * The bundled webhook handler running under the real Lambda runtime interface client (aws-lambda-ric)
 * behind the Invoke API emulator (scripts/services/lambda.sh, LAMBDA_MODE=emulator), invoked with
 * @aws-sdk/client-lambda. Its async dispatch of the plan job goes, through the real SDK, to a fake Lambda
 * endpoint that records the invocation.
 */
const SECRET = 'lambda-rt-webhook-secret-0123456789';
const REPO = 'acme/platform-config';

let work: string;
let webhook: RunningFunction | undefined;
let fakeWorker: Server;
const dispatched: { functionName: string; invocationType: string; payload: unknown }[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'landscape-lambda-rt-'));
  const bundle = await bundleHandler('webhook', join(work, 'fn'));
  expect(bundle.containsKafka).toBe(false);

  // The "worker" function: records what the webhook's LambdaWorker sends.
  fakeWorker = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const name = decodeURIComponent(/\/functions\/([^/]+)\/invocations/.exec(req.url ?? '')?.[1] ?? '');
      dispatched.push({
        functionName: name,
        invocationType: String(req.headers['x-amz-invocation-type'] ?? ''),
        payload: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null'),
      });
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end();
    });
  });
  const workerPort = await freePort();
  await new Promise<void>((resolve) => fakeWorker.listen(workerPort, '127.0.0.1', resolve));

  webhook = await startFunction(join(work, 'fn'), {
    name: 'landscape-webhook',
    runDir: join(work, 'run'),
    env: {
      ...localHandlerEnv(join(work, 'state')),
      GITHUB_WEBHOOK_SECRET: SECRET,
      ALLOWED_REPOSITORIES: REPO,
      WORKER_FUNCTION_NAME: 'landscape-worker',
      AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${workerPort}`,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    },
  });
}, 660_000);

afterAll(async () => {
  await webhook?.stop();
  fakeWorker?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

async function invoke(event: unknown): Promise<{ statusCode: number; body: Record<string, unknown> }> {
  if (!webhook) throw new Error('the webhook function did not start');
  return invokeHttpFunction(webhook.client, 'landscape-webhook', JSON.stringify(event));
}

async function apiGatewayEvent(body: string, headers: Record<string, string>) {
  const sample = JSON.parse(await readFile(join(ROOT, 'events/api/status.json'), 'utf8'));
  return {
    ...sample,
    rawPath: '/webhooks/github',
    headers,
    requestContext: {
      ...sample.requestContext,
      http: { ...sample.requestContext.http, method: 'POST', path: '/webhooks/github' },
    },
    body,
    isBase64Encoded: false,
  };
}

describe('bundled webhook handler under the Lambda runtime interface client', () => {
  it('answers 202 to a signed push and dispatches the plan job asynchronously', async () => {
    const commit = 'f'.repeat(40);
    const body = await pushPayload(REPO, commit);
    const delivery = randomUUID();
    const result = await invoke(await apiGatewayEvent(body, await githubHeaders(SECRET, 'push', body, delivery)));
    expect(result).toMatchObject({ statusCode: 202, body: { status: 'accepted', type: 'plan-push' } });
    expect(dispatched).toHaveLength(1);
    expect(dispatched[0]).toMatchObject({
      functionName: 'landscape-worker',
      invocationType: 'Event',
      payload: { job: { type: 'plan-push', repo: REPO, commit, branch: 'main', deliveryId: delivery } },
    });
  });

  it('answers 401 to a forged delivery and dispatches nothing', async () => {
    const body = await pushPayload(REPO, 'e'.repeat(40));
    const headers = await githubHeaders('some-other-secret-0123456789', 'push', body, randomUUID());
    const result = await invoke(await apiGatewayEvent(body, headers));
    expect(result.statusCode).toBe(401);
    expect(dispatched).toHaveLength(1);
  });

  it('answers 400 to a validly signed empty body (the signature is checked over the bytes, empty or not)', async () => {
    const headers = {
      ...(await githubHeaders(SECRET, 'push', 'x', randomUUID())),
      'x-hub-signature-256': signBody(SECRET, ''),
    };
    const result = await invoke(await apiGatewayEvent('', headers));
    expect(result).toMatchObject({ statusCode: 400, body: { status: 'bad-request', reason: 'the body is empty' } });
    expect(dispatched).toHaveLength(1);
  });

  it('answers 200 to ping', async () => {
    const body = await readFile(join(ROOT, 'events/github/ping.json'), 'utf8');
    const result = await invoke(await apiGatewayEvent(body, await githubHeaders(SECRET, 'ping', body, randomUUID())));
    expect(result).toMatchObject({ statusCode: 200, body: { status: 'pong' } });
  });
});

/** The bundled api function under the same runtime client, on the file store (as `localHandlerEnv` sets it). */
describe('bundled api handler under the Lambda runtime interface client', () => {
  let apiWork: string;
  let api: RunningFunction | undefined;

  beforeAll(async () => {
    apiWork = await mkdtemp(join(tmpdir(), 'landscape-lambda-api-'));
    await bundleHandler('api', join(apiWork, 'fn'));
    // A store that has plans: an over-long id reaches the file system (ENAMETOOLONG) unless the API stops it.
    await mkdir(join(apiWork, 'state', 'plans'), { recursive: true });
    api = await startFunction(join(apiWork, 'fn'), {
      name: 'landscape-api',
      runDir: join(apiWork, 'run'),
      env: { ...localHandlerEnv(join(apiWork, 'state')), POWERTOOLS_LOG_LEVEL: 'ERROR' },
    });
  }, 660_000);

  afterAll(async () => {
    await api?.stop();
    if (apiWork) await rm(apiWork, { recursive: true, force: true });
  });

  it('answers 400 to a plan id longer than a file name, and 404 to a well-formed unknown one', async () => {
    const getPlan = async (id: string) => {
      const event = (await readFile(join(ROOT, 'events/api/get-plan.json'), 'utf8')).split('PLAN_ID').join(id);
      if (!api) throw new Error('the api function did not start');
      return invokeHttpFunction<{ error: { code: string } }>(api.client, 'landscape-api', event);
    };
    expect(await getPlan('a'.repeat(300))).toMatchObject({ statusCode: 400, body: { error: { code: 'BadRequest' } } });
    expect(await getPlan('20261125T101500Z-prod-1a2b3c4-9f8e7d6c')).toMatchObject({
      statusCode: 404,
      body: { error: { code: 'PlanNotFound' } },
    });
  });
});

/**
 * The bundled webhook and apply functions with the deployed layout (issue 14), on the AWS emulators: state in
 * DynamoDB Local and a moto bucket, audit records in a moto bucket with Object Lock (AUDIT_BUCKET), platform
 * secrets read through the SecretsReader role (SECRETS_READER_ROLE_ARN) under `landscape/<environment>/`, the
 * GitHub credentials secret still `landscape:unset`, and a webhook that has only its table and signing secret.
 * A push goes webhook → plan job → stored plan → apply on the shared broker; the Lambda invokes between the
 * functions go to a recorder, and the test hands each recorded event to the next function.
 */
describe('bundled webhook and apply functions on the AWS layout', () => {
  const prefix = uniquePrefix('lambda-aws');
  const environment = prefix.slice(0, -1);
  const repo = 'acme/lambda-aws-config';
  const table = uniqueName('lambda-aws');
  const stateBucket = uniqueName('lambda-aws-state');
  const auditBucket = uniqueName('lambda-aws-audit');
  const tokenSecretId = uniqueName('landscape/github-token');
  const signingSecretId = uniqueName('landscape/webhook-signing');
  let awsWork: string;
  let git: GitServer;
  let recorder: Server;
  const recorded: { functionName: string; payload: unknown }[] = [];
  let awsWebhook: RunningFunction | undefined;
  let awsApply: RunningFunction | undefined;
  const dynamo = clients.dynamo();
  const s3 = clients.s3();

  beforeAll(async () => {
    awsWork = await mkdtemp(join(tmpdir(), 'landscape-lambda-aws-'));
    await ensureAwsServices();
    await createStateTable(dynamo, table);
    await createBucket(s3, stateBucket);
    await createAuditBucket(s3, auditBucket);
    const sm = clients.secrets();
    await sm.send(new CreateSecretCommand({ Name: tokenSecretId, SecretString: UNSET_SECRET_VALUE }));
    await sm.send(new CreateSecretCommand({ Name: signingSecretId, SecretString: SECRET }));
    await sm.send(
      new CreateSecretCommand({
        Name: `landscape/${environment}/kafka`,
        SecretString: JSON.stringify({ password: kafkaTestEnv.password }),
      }),
    );
    git = new GitServer(awsWork, await freePort());
    await git.start();

    recorder = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const name = decodeURIComponent(/\/functions\/([^/]+)\/invocations/.exec(req.url ?? '')?.[1] ?? '');
        recorded.push({ functionName: name, payload: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') });
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end();
      });
    });
    const recorderPort = await freePort();
    await new Promise<void>((resolve) => recorder.listen(recorderPort, '127.0.0.1', resolve));

    const aws = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL: MOTO_ENDPOINT,
      AWS_ENDPOINT_URL_DYNAMODB: DYNAMODB_ENDPOINT,
      AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${recorderPort}`,
      LANDSCAPE_STORE: 'aws',
      STATE_TABLE: table,
      WORKER_FUNCTION_NAME: 'landscape-apply',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      TIMEOUT_S: '120',
    };
    await bundleHandler('webhook', join(awsWork, 'fn-webhook'));
    await bundleHandler('apply', join(awsWork, 'fn-apply'));
    // The webhook as the stack configures it: no bucket, no GitHub credentials, no platform secrets.
    awsWebhook = await startFunction(join(awsWork, 'fn-webhook'), {
      name: 'landscape-webhook',
      runDir: join(awsWork, 'run-webhook'),
      env: { ...aws, GITHUB_WEBHOOK_SECRET_ID: signingSecretId, ALLOWED_REPOSITORIES: repo },
    });
    awsApply = await startFunction(join(awsWork, 'fn-apply'), {
      name: 'landscape-apply',
      runDir: join(awsWork, 'run-apply'),
      env: {
        ...aws,
        STATE_BUCKET: stateBucket,
        AUDIT_BUCKET: auditBucket,
        GITHUB_TOKEN_SECRET_ID: tokenSecretId,
        SECRETS_READER_ROLE_ARN: 'arn:aws:iam::123456789012:role/landscape-SecretsReader',
        GIT_SOURCE: 'git',
        GIT_BASE_URL: git.url,
      },
    });
  }, 660_000);

  afterAll(async () => {
    await awsWebhook?.stop();
    await awsApply?.stop();
    recorder?.close();
    await git?.stop();
    await deleteStateTable(dynamo, table);
    await cleanupPrefix(prefix);
    if (awsWork) await rm(awsWork, { recursive: true, force: true });
  });

  /** Hands the oldest recorded invoke for the apply function to it; returns what it answered. */
  async function runRecorded(): Promise<Record<string, unknown>> {
    const next = recorded.shift();
    if (!next || !awsApply) throw new Error('nothing was dispatched to the apply function');
    expect(next.functionName).toBe('landscape-apply');
    return (await invokeFunction(awsApply.client, 'landscape-apply', JSON.stringify(next.payload))) as Record<
      string,
      unknown
    >;
  }

  it('plans and applies a push; audit records land in the Object Lock bucket; GitHub reports are skipped', async () => {
    // Prepare: a config whose Kafka password is a platform secret of its environment.
    const commit = await git.commit(repo, {
      'environments.yaml': [
        'apiVersion: landscape.dev/v1',
        'kind: Environment',
        `metadata: { name: ${environment} }`,
        'spec:',
        '  branch: main',
        '  kafka:',
        `    bootstrapServers: ["${kafkaTestEnv.bootstrap}"]`,
        `    sasl: { mechanism: scram-sha-512, username: ${kafkaTestEnv.username}, password: { secretRef: { provider: aws-secretsmanager, name: landscape/${environment}/kafka, key: password } } }`,
        '',
      ].join('\n'),
      'topics.yaml': topicDocument(`${prefix}orders`, 2, '86400000'),
    });
    if (!awsWebhook) throw new Error('the webhook function did not start');

    // Act: the push reaches the webhook; the recorded plan job, then the recorded apply, run in the worker.
    const body = await pushPayload(repo, commit);
    const answer = await invokeHttpFunction(
      awsWebhook.client,
      'landscape-webhook',
      JSON.stringify(await apiGatewayEvent(body, await githubHeaders(SECRET, 'push', body, randomUUID()))),
    );
    expect(answer).toMatchObject({ statusCode: 202, body: { status: 'accepted', type: 'plan-push' } });
    expect(await runRecorded()).toMatchObject({ status: 'job-done' });
    const applied = await runRecorded();

    // Assess: applied on the broker ...
    expect(applied).toMatchObject({ status: 'applied' });
    const admin = rawAdmin(`${prefix}check`);
    try {
      expect(await admin.listTopics()).toContain(`${prefix}orders`);
    } finally {
      await admin.close();
    }
    // ... the audit trail is objects in the Object Lock bucket (plan and apply), none in the table ...
    const objects = await s3.send(new ListObjectsV2Command({ Bucket: auditBucket, Prefix: `audit/${environment}/` }));
    const records = await Promise.all(
      (objects.Contents ?? []).map(async (o) => {
        const out = await s3.send(new GetObjectCommand({ Bucket: auditBucket, Key: o.Key }));
        return JSON.parse((await out.Body?.transformToString()) ?? '{}') as AuditRecord;
      }),
    );
    expect(records.map((r) => r.type)).toEqual(expect.arrayContaining(['plan', 'apply']));
    const tableAudit = await dynamo.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :audit)',
        ExpressionAttributeValues: { ':pk': { S: `ENV#${environment}` }, ':audit': { S: 'AUDIT#' } },
      }),
    );
    expect(tableAudit.Items ?? []).toEqual([]);
    // ... and the apply function said why nothing went to GitHub, naming the secret to fill.
    const log = await readFile(join(awsWork, 'run-apply', 'lambda', 'lambda.log'), 'utf8');
    expect(log).toContain(`set the GitHub token (or the GitHub App private key) in secret ${tokenSecretId}`);
    expect(log).not.toContain(kafkaTestEnv.password);
  });
});
