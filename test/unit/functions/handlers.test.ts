import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createApiHandler } from '../../../functions/api/app.ts';
import { createApplyHandler } from '../../../functions/apply/app.ts';
import { createDriftHandler } from '../../../functions/drift/app.ts';
import { ApiConfigSchema, parseConfig, WebhookConfigSchema } from '../../../functions/shared/config.ts';
import { createWebhookHandler } from '../../../functions/webhook/app.ts';
import { GitHubWebhookVerifier } from '../../../lib/adapters/github/github-webhook-verifier.ts';
import { AdapterError, StateDamagedError } from '../../../lib/errors.ts';
import { MASK } from '../../../lib/governance/masking.ts';
import type { RawRecord } from '../../../lib/ports/record-source.ts';
import { localContext } from '../../../lib/serve/lambda-bridge.ts';
import { applyStoredPlan } from '../../../lib/use-cases/apply-stored-plan.ts';
import { planCommit } from '../../../lib/use-cases/plan-commit.ts';
import { samplePublishedTopic } from '../../../lib/use-cases/sample-published-topic.ts';
import { environmentYaml, topicDocument } from '../../support/builders.ts';
import { makeDeps, pushInput, REPO } from '../use-cases/support.ts';

const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });

/** Plans a push of `sha` to main, as the webhook's job would. */
const planPush = (fixture: ReturnType<typeof makeDeps>, sha: string) => planCommit(fixture.deps, pushInput(sha));
const SECRET = 'handler-test-secret-0123456789';
const verifier = new GitHubWebhookVerifier(SECRET);
const read = (path: string) => readFileSync(new URL(`../../../events/${path}`, import.meta.url), 'utf8');
const apiEvent = (name: string, replace: Record<string, string> = {}): APIGatewayProxyEventV2 => {
  let text = read(`api/${name}.json`);
  for (const [from, to] of Object.entries(replace)) text = text.split(from).join(to);
  return JSON.parse(text) as APIGatewayProxyEventV2;
};

/** Wraps a GitHub body into the API Gateway v2 event the webhook function receives. */
async function webhookEvent(name: string, body: string, options: { sign?: boolean; delivery?: string } = {}) {
  const base = apiEvent('status');
  return {
    ...base,
    rawPath: '/webhooks/github',
    headers: {
      'Content-Type': 'application/json',
      'X-GitHub-Event': name,
      'X-GitHub-Delivery': options.delivery ?? 'a1b2c3d4-0000-11ef-8f7e-123456789abc',
      ...(options.sign === false ? {} : { 'X-Hub-Signature-256': await verifier.sign(body) }),
    },
    requestContext: {
      ...base.requestContext,
      http: { ...base.requestContext.http, method: 'POST', path: '/webhooks/github' },
    },
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
  } as APIGatewayProxyEventV2;
}

function webhook() {
  const fixture = makeDeps();
  const handler = createWebhookHandler(
    {
      ...fixture.deps,
      verifier,
      policy: { repositories: ['acme/platform-config'], branches: ['main'] },
    },
    logger,
  );
  return { ...fixture, handler };
}

describe('webhook function', () => {
  it('answers 202 to a signed push (mixed-case headers, base64 body) and dispatches one job', async () => {
    const { handler, jobs } = webhook();
    const result = await handler(await webhookEvent('push', read('github/push.json')), localContext('webhook'));
    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body ?? '{}')).toMatchObject({ status: 'accepted', type: 'plan-push' });
    expect(jobs).toHaveLength(1);
  });

  it('answers 401 to an unsigned delivery and starts nothing', async () => {
    const { handler, jobs } = webhook();
    const result = await handler(
      await webhookEvent('push', read('github/push.json'), { sign: false }),
      localContext('webhook'),
    );
    expect(result.statusCode).toBe(401);
    expect(jobs).toHaveLength(0);
  });

  it('answers 2xx to ping, to pull requests and to a replay (which does nothing)', async () => {
    const { handler, jobs } = webhook();
    const ping = await handler(await webhookEvent('ping', read('github/ping.json')), localContext('webhook'));
    expect(ping.statusCode).toBe(200);
    const opened = await webhookEvent('pull_request', read('github/pull_request.opened.json'), { delivery: 'pr-1' });
    expect((await handler(opened, localContext('webhook'))).statusCode).toBe(202);
    expect((await handler(opened, localContext('webhook'))).statusCode).toBe(200);
    expect(jobs.map((j) => j.type)).toEqual(['plan-pull-request']);
  });
});

describe('api function', () => {
  async function api() {
    const fixture = makeDeps();
    const sha = fixture.git.commit({ 'env.yaml': environmentYaml(), 'topics.yaml': topicDocument('t.one') });
    await planPush(fixture, sha);
    const planId = fixture.applies[0]?.planId ?? '';
    const handler = createApiHandler(fixture.deps, logger, { mode: 'iam' });
    return { ...fixture, handler, planId, sha };
  }

  it('serves GET /plans/{id} and GET /status to an IAM caller', async () => {
    const { handler, planId } = await api();
    const plan = await handler(apiEvent('get-plan', { PLAN_ID: planId }), localContext('api'));
    expect(plan.statusCode).toBe(200);
    expect(JSON.parse(plan.body ?? '{}')).toMatchObject({ id: planId, status: 'Planned' });
    const status = await handler(apiEvent('status'), localContext('api'));
    expect(JSON.parse(status.body ?? '{}').environments[0]).toMatchObject({ environment: 'prod' });
  });

  it('approves a plan bound to its hash and starts the apply', async () => {
    const { handler, planId, store, applies } = await api();
    const hash = (await store.getPlan(planId))?.plan.hash ?? '';
    const result = await handler(apiEvent('approve', { PLAN_ID: planId, PLAN_HASH: hash }), localContext('api'));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? '{}')).toMatchObject({
      status: 'Approved',
      approval: { by: 'arn:aws:sts::123456789012:assumed-role/PlatformOperator/alice' },
    });
    expect(applies).toHaveLength(2);
  });

  it('maps user failures to 4xx with their message, platform failures to a generic 502, faults to a generic 500', async () => {
    const { handler, deps } = await api();
    const missing = await handler(apiEvent('get-plan', { PLAN_ID: 'nope' }), localContext('api'));
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body ?? '{}')).toEqual({
      error: { code: 'PlanNotFound', message: 'plan "nope" does not exist' },
    });
    deps.store.getPlan = async () => Promise.reject(new Error('dynamodb: connection reset by 10.0.3.7'));
    const broken = await handler(apiEvent('get-plan', { PLAN_ID: 'x' }), localContext('api'));
    expect(broken.statusCode).toBe(500);
    expect(broken.body).not.toContain('10.0.3.7');
    expect(JSON.parse(broken.body ?? '{}').error).toMatchObject({ code: 'InternalError', message: 'internal error' });
    deps.store.getPlan = async () =>
      Promise.reject(new AdapterError('reading plan "x" from the state table: throttled', { retryable: true }));
    const platform = await handler(apiEvent('get-plan', { PLAN_ID: 'x' }), localContext('api'));
    expect(platform.statusCode).toBe(502);
    // The adapter's message (calls, table and resource names) stays in the log: the body is generic.
    expect(platform.body).not.toContain('state table');
    expect(JSON.parse(platform.body ?? '{}')).toEqual({
      error: {
        code: 'PlatformError',
        message: 'a platform call failed',
        retryable: true,
        requestId: expect.any(String),
      },
    });
    deps.store.getPlan = async () =>
      Promise.reject(new StateDamagedError('/srv/landscape/state/plans/x.json', 'not JSON', 'restore it'));
    const damaged = await handler(apiEvent('get-plan', { PLAN_ID: 'x' }), localContext('api'));
    expect(damaged.statusCode).toBe(500);
    expect(damaged.body).not.toContain('/srv/landscape');
    expect(JSON.parse(damaged.body ?? '{}').error).toMatchObject({
      code: 'StateDamaged',
      requestId: expect.any(String),
    });
  });

  it('queues POST /reapply, lists and breaks locks', async () => {
    const { handler, jobs, deps } = await api();
    const reapply = await handler(apiEvent('reapply'), localContext('api'));
    expect(reapply.statusCode).toBe(202);
    expect(jobs[0]).toMatchObject({ type: 'plan-environment', environment: 'prod', trigger: 'reapply' });
    await deps.locker.tryLock('prod', 'stuck-apply', 600);
    const locks = await handler(apiEvent('locks'), localContext('api'));
    expect(JSON.parse(locks.body ?? '{}').locks[0]).toMatchObject({ environment: 'prod', holder: 'stuck-apply' });
    expect((await handler(apiEvent('delete-lock'), localContext('api'))).statusCode).toBe(200);
    expect((await handler(apiEvent('delete-lock'), localContext('api'))).statusCode).toBe(404);
  });

  it('serves topic samples masked by the published DataPolicies, audits each, and answers 400/404 clearly', async () => {
    // Prepare
    const fixture = makeDeps();
    const sha = fixture.git.commit({
      'env.yaml': environmentYaml(),
      'topics.yaml': topicDocument('payments.orders'),
      'pii.yaml': [
        'apiVersion: landscape.dev/v1',
        'kind: DataPolicy',
        'metadata: { name: pii }',
        'spec: { topics: ["payments.*"], fields: [customer.email] }',
        '',
      ].join('\n'),
    });
    await planPush(fixture, sha);
    await applyStoredPlan(fixture.deps, fixture.applies.at(-1) ?? { environment: '', planId: '' });
    const record: RawRecord = {
      topic: 'payments.orders',
      partition: 0,
      offset: 7n,
      timestamp: Date.parse('2026-11-25T10:00:00.000Z'),
      key: Buffer.from('o-1'),
      value: Buffer.from(JSON.stringify({ id: 1, customer: { email: 'ann@example.com', name: 'Ann' } })),
      headers: [],
    };
    const opened: string[] = [];
    const sampler = {
      recent: async () => [record],
      schema: async () => ({ schema: '{}', schemaType: 'JSON' }),
      close: async () => undefined,
    };
    const sampleTopic = (request: Parameters<typeof samplePublishedTopic>[1], actor: string) =>
      samplePublishedTopic(
        {
          ...fixture.deps,
          openSampler: async (connections) => {
            opened.push(connections.kafka.bootstrapServers.join(','));
            return sampler;
          },
        },
        request,
        actor,
      );
    const handler = createApiHandler({ ...fixture.deps, sampleTopic }, logger, { mode: 'iam' });
    const event = (replace: Record<string, string>) =>
      apiEvent('topic-sample', { TOPIC: 'payments.orders', ENVIRONMENT: 'prod', COUNT: '5', ...replace });

    // Act
    const ok = await handler(event({}), localContext('api'));
    const badCount = await handler(event({ COUNT: 'lots' }), localContext('api'));
    const unknownEnvironment = await handler(event({ ENVIRONMENT: 'staging' }), localContext('api'));
    const undeclared = await handler(event({ TOPIC: 'connect-configs' }), localContext('api'));
    const disabled = await createApiHandler(fixture.deps, logger, { mode: 'iam' })(event({}), localContext('api'));

    // Assess
    expect(ok.statusCode).toBe(200);
    const body = JSON.parse(ok.body ?? '{}') as {
      environment: string;
      policies: string[];
      records: { value: unknown }[];
    };
    expect(body.environment).toBe('prod');
    expect(body.policies).toEqual(['pii']);
    expect(body.records[0]?.value).toEqual({ id: 1, customer: { email: MASK, name: 'Ann' } });
    expect(opened).toEqual(['127.0.0.1:9092']);
    expect(badCount.statusCode).toBe(400);
    expect(badCount.body).toContain('count must be a whole number');
    expect(unknownEnvironment.statusCode).toBe(404);
    expect(JSON.parse(unknownEnvironment.body ?? '{}')).toMatchObject({
      error: {
        code: 'NotFound',
        message: expect.stringContaining('nothing has been deployed to environment "staging"'),
      },
    });
    expect(disabled.statusCode).toBe(404);
    expect(JSON.parse(undeclared.body ?? '{}')).toMatchObject({
      error: { code: 'NotFound', message: expect.stringContaining('only declared topics can be sampled') },
    });
    expect(opened).toEqual(['127.0.0.1:9092']);
    const audit = (await fixture.deps.store.listAudit('prod')).filter((r) => r.type === 'sample');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: 'arn:aws:sts::123456789012:assumed-role/PlatformOperator/alice',
      commit: sha,
      outcome: 'Masked',
      summary: { records: 1 },
    });
    expect(JSON.stringify(audit)).not.toContain('ann@example.com');
  });

  it('lists the newest audit records of an environment', async () => {
    const { handler } = await api();
    const base = apiEvent('status');
    const request = (query: string) => ({
      ...base,
      rawPath: '/audit',
      rawQueryString: query,
      requestContext: { ...base.requestContext, http: { ...base.requestContext.http, path: '/audit' } },
    });
    const listed = await handler(request('environment=prod&limit=5'), localContext('api'));
    expect(listed.statusCode).toBe(200);
    const body = JSON.parse(listed.body ?? '{}') as { environment: string; records: { type: string }[] };
    expect(body.environment).toBe('prod');
    expect(body.records.map((r) => r.type)).toContain('plan');
    expect((await handler(request('environment=prod&limit=0'), localContext('api'))).statusCode).toBe(400);
    expect((await handler(request(''), localContext('api'))).statusCode).toBe(400);
  });

  it('refuses callers without an IAM identity, or without the bearer token', async () => {
    const { deps } = await api();
    const iam = createApiHandler(deps, logger, { mode: 'iam' });
    const anonymous = apiEvent('status');
    delete (anonymous.requestContext as { authorizer?: unknown }).authorizer;
    expect((await iam(anonymous, localContext('api'))).statusCode).toBe(401);
    const bearer = createApiHandler(deps, logger, { mode: 'bearer', token: 'local-api-token-0123456789' });
    expect((await bearer(apiEvent('status'), localContext('api'))).statusCode).toBe(401);
    const withToken = apiEvent('status');
    withToken.headers.authorization = 'Bearer local-api-token-0123456789';
    expect((await bearer(withToken, localContext('api'))).statusCode).toBe(200);
  });
});

describe('apply and drift functions', () => {
  it('runs a dispatched job, then applies the plan it stored', async () => {
    const fixture = makeDeps();
    const sha = fixture.git.commit({ 'env.yaml': environmentYaml(), 'topics.yaml': topicDocument('t.one') });
    const handler = createApplyHandler(fixture.deps, logger);
    const job = {
      type: 'plan-push' as const,
      id: 'job-1',
      receivedAt: '2026-11-25T10:00:00.000Z',
      actor: 'octocat',
      deliveryId: 'd',
      repo: REPO,
      branch: 'main',
      commit: sha,
    };
    expect(await handler({ job }, localContext('apply'))).toEqual({ status: 'job-done', jobId: 'job-1' });
    const request = fixture.applies[0] ?? { environment: '', planId: '' };
    expect(await handler(request, localContext('apply'))).toMatchObject({ status: 'applied', planStatus: 'Applied' });
    expect(fixture.kafka.state.has('kafka/topic/t.one')).toBe(true);

    const drift = createDriftHandler(fixture.deps, logger, { environments: [] });
    const scheduled = JSON.parse(read('scheduler/drift.json'));
    expect(await drift(scheduled, localContext('drift'))).toEqual({
      outcomes: [{ environment: 'prod', status: 'in-sync', commit: sha, notified: false }],
    });
    const named = JSON.parse(read('scheduler/drift-environment.json'));
    expect((await drift(named, localContext('drift'))).outcomes).toHaveLength(1);
  });

  it('rejects an event of the wrong shape', async () => {
    const handler = createApplyHandler(makeDeps().deps, logger);
    await expect(handler({} as never, localContext('apply'))).rejects.toMatchObject({ code: 'BadRequest' });
  });
});

describe('function configuration', () => {
  it('refuses to start the webhook function without a secret or an allowlist', () => {
    const start = () => parseConfig(WebhookConfigSchema, { LANDSCAPE_STORE: 'file', STATE_DIR: '/tmp/x' });
    expect(start).toThrow(/GITHUB_WEBHOOK_SECRET or GITHUB_WEBHOOK_SECRET_ID is required/);
    expect(start).toThrow(/ALLOWED_REPOSITORIES: name at least one repository/);
    const config = parseConfig(WebhookConfigSchema, {
      LANDSCAPE_STORE: 'file',
      STATE_DIR: '/tmp/x',
      GITHUB_WEBHOOK_SECRET: SECRET,
      ALLOWED_REPOSITORIES: 'acme/platform-config, acme/other',
    });
    expect(config.ALLOWED_REPOSITORIES).toEqual(['acme/platform-config', 'acme/other']);
    expect(config.store).toEqual({ LANDSCAPE_STORE: 'file', STATE_DIR: '/tmp/x' });
  });

  it('needs the AWS store names by default and a token for bearer auth', () => {
    expect(() => parseConfig(ApiConfigSchema, {})).toThrow(/STATE_BUCKET/);
    expect(() =>
      parseConfig(ApiConfigSchema, { LANDSCAPE_STORE: 'file', STATE_DIR: '/x', API_AUTH: 'bearer' }),
    ).toThrow(/API_TOKEN/);
  });
});
