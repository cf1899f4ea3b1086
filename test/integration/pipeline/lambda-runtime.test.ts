import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleHandler, localHandlerEnv } from '../../../bench/bundles.ts';
import { signBody } from '../../../lib/adapters/common/webhook-signature.ts';
import { githubHeaders, pushPayload } from '../../support/github.ts';
import { invokeHttpFunction, type RunningFunction, startFunction } from '../../support/lambda-runtime.ts';
import { freePort } from '../../support/net.ts';
import { ROOT } from '../../support/paths.ts';

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
