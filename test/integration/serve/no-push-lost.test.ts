import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedReport } from '../../../lib/adapters/github/recording-reporter.ts';
import { LocalSecretResolver } from '../../../lib/adapters/secrets/env-secret-resolver.ts';
import type { JobRecord } from '../../../lib/model/job.ts';
import { type RunningServer, type ServeOptions, startServer } from '../../../lib/serve/server.ts';
import { cleanupPrefix, kafkaTestEnv, rawAdmin } from '../../../scripts/services/kafka-broker.ts';
import { topicYaml } from '../../support/builders.ts';
import { GitServer } from '../../support/git.ts';
import { githubHeaders, pushPayload } from '../../support/github.ts';
import { testEnvironmentYaml, uniquePrefix } from '../../support/kafka.ts';
import { freePort } from '../../support/net.ts';
import { ROOT } from '../../support/paths.ts';
import { FlakyProxy } from './flaky-proxy.ts';

/**
 * No push is lost and only the right branch deploys, on real services: the git smart-HTTP server behind a
 * proxy the test makes unavailable, `landscape serve` (in this process, and the CLI in its own), the shared
 * Kafka broker.
 */
const SECRET = 'no-push-lost-webhook-secret-0123';
const TOKEN = 'no-push-lost-api-token-0123456789';
const REPO = 'acme/no-push-lost';
const prefix = uniquePrefix('it-push');
const environment = prefix.slice(0, -1);
const admin = rawAdmin('landscape-no-push-lost');

let work: string;
let git: GitServer;
let proxy: FlakyProxy;
let server: RunningServer | undefined;

function environmentYaml(name = environment, branch = 'main', bootstrap = kafkaTestEnv.bootstrap): string {
  return testEnvironmentYaml(name, { branch, bootstrap, passwordVariable: 'PUSH_KAFKA_PASSWORD' });
}

function config(topics: string[], extra = ''): Record<string, string> {
  return {
    'environments.yaml': environmentYaml() + extra,
    'topics.yaml': topics.map((t) => `---\n${topicYaml(`${prefix}${t}`)}`).join(''),
  };
}

/** `landscape serve` on the test's state; `catchUp: 'default'` keeps serve's default catch-up (on). */
async function serve(options: Partial<ServeOptions> = {}, catchUp: 'off' | 'default' = 'off'): Promise<RunningServer> {
  await server?.close();
  server = await startServer({
    stateDir: join(work, 'state'),
    webhookSecret: SECRET,
    apiToken: TOKEN,
    repositories: [REPO],
    git: { baseUrl: proxy.url },
    secrets: new LocalSecretResolver({ env: { PUSH_KAFKA_PASSWORD: kafkaTestEnv.password } }),
    // Quick retries: the outage is a number of refused connections, so their pace does not matter.
    settings: { lockWaitMs: 30_000, jobRetries: 10, jobRetryBaseMs: 20, jobRetryMaxMs: 100 },
    ...(catchUp === 'off' ? { catchUpIntervalSeconds: 0 } : {}),
    logLevel: 'SILENT',
    ...options,
  });
  return server;
}

async function deliver(event: string, body: string, delivery: string = randomUUID()) {
  const running = server ?? (await serve());
  const response = await fetch(`${running.url}/webhooks/github`, {
    method: 'POST',
    headers: await githubHeaders(SECRET, event, body, delivery),
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function topics(): Promise<string[]> {
  return (await admin.listTopics()).filter((t) => t.startsWith(prefix)).sort();
}

const jobOf = async (jobId: unknown) => server?.deps.store.getValue<JobRecord>(`job/${String(jobId)}`);

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'landscape-no-push-lost-'));
  const gitPort = await freePort();
  git = new GitServer(work, gitPort);
  await git.start();
  proxy = await FlakyProxy.start({ host: '127.0.0.1', port: gitPort });
});

afterAll(async () => {
  await server?.close();
  await proxy?.close();
  await git?.stop();
  await admin.close().catch(() => undefined);
  await cleanupPrefix(prefix);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('no push is lost', () => {
  it('a push whose job meets a git outage is retried with backoff until it deploys', async () => {
    // Prepare: eight refused connections outlast the three attempts of old, not the retries.
    const sha = await git.commit(REPO, config(['one']));
    const running = await serve();
    proxy.refuseNext(8);

    // Act
    const response = await deliver('push', await pushPayload(REPO, sha));
    await running.idle();

    // Assess
    expect(response.status).toBe(202);
    expect(proxy.refused).toBe(8);
    expect(await topics()).toEqual([`${prefix}one`]);
    const job = await jobOf(response.json.jobId);
    expect(job?.state).toBe('Done');
    expect(job?.attempts).toBeGreaterThan(1);
    expect(await running.deps.store.getApplied(environment)).toMatchObject({ commit: sha });
  });

  it('a delivery whose job failed for good runs again when GitHub redelivers it', async () => {
    // Prepare: the git host stays down longer than the job's retries.
    const sha = await git.commit(REPO, config(['one', 'two']));
    const running = await serve({ settings: { jobRetries: 2, jobRetryBaseMs: 20, jobRetryMaxMs: 40 } });
    const body = await pushPayload(REPO, sha);
    const delivery = randomUUID();
    proxy.down();
    const first = await deliver('push', body, delivery);
    await running.idle();
    expect((await jobOf(first.json.jobId))?.state).toBe('Failed');

    // Act: the host is back; GitHub's "Redeliver" sends the same delivery again.
    proxy.up();
    const again = await deliver('push', body, delivery);
    await running.idle();

    // Assess
    expect(again).toMatchObject({ status: 202, json: { status: 'accepted' } });
    expect(await topics()).toEqual([`${prefix}one`, `${prefix}two`]);
    expect(await deliver('push', body, delivery)).toMatchObject({ status: 200, json: { status: 'duplicate' } });
  });

  it('serve runs the catch-up at start: a push whose webhook never came is deployed', async () => {
    // Prepare: a commit nobody sent a webhook for, while serve was down.
    await server?.close();
    server = undefined;
    const sha = await git.commit(REPO, config(['one', 'two', 'three']));

    // Act: serve as it starts by default (catch-up on).
    const running = await serve({}, 'default');
    await running.idle();

    // Assess
    expect(await topics()).toEqual([`${prefix}one`, `${prefix}three`, `${prefix}two`]);
    expect(await running.deps.store.getApplied(environment)).toMatchObject({ commit: sha });
    expect((await running.deps.store.listPlans(environment, { limit: 1 }))[0]?.trigger).toBe('catch-up');
  });
});

describe('repository names', () => {
  it('in another case are the same repository: cloned, deployed and deduplicated as one', async () => {
    const sha = await git.commit(REPO, config(['one', 'two', 'three', 'four']));
    const running = await serve();
    const upper = await deliver('push', await pushPayload('ACME/No-Push-Lost', sha));
    await running.idle();
    expect(upper).toMatchObject({ status: 202, json: { status: 'accepted' } });
    expect(await topics()).toContain(`${prefix}four`);
    expect(await deliver('push', await pushPayload(REPO, sha))).toMatchObject({
      status: 200,
      json: { status: 'duplicate', reason: 'commit already handled' },
    });
  });
});

describe('/landscape plan under serve', () => {
  it('plans the pull request the webhook saw, with the git source serve uses', async () => {
    // Prepare: a pull request from `feature` into main, opened (its webhook came), then commented on.
    const base = await git.commit(REPO, config(['one', 'two', 'three', 'four']));
    const head = await git.commitOn(REPO, 'feature', config(['one', 'two', 'three', 'four', 'five']));
    const running = await serve();
    const opened = JSON.parse(await readFile(join(ROOT, 'events/github/pull_request.opened.json'), 'utf8'));
    opened.repository.full_name = REPO;
    opened.pull_request.head.sha = head;
    opened.pull_request.base.sha = base;
    await deliver('pull_request', JSON.stringify(opened));
    await running.idle();
    const comment = JSON.parse(await readFile(join(ROOT, 'events/github/issue_comment.created.json'), 'utf8'));
    comment.repository.full_name = REPO;

    // Act
    const response = await deliver('issue_comment', JSON.stringify(comment));
    await running.idle();

    // Assess
    expect((await jobOf(response.json.jobId))?.message).toMatch(/^re-planned /);
    const checks = (running.reporter as unknown as { reports: RecordedReport[] }).reports.filter(
      (r) => r.type === 'check-run',
    );
    expect(checks.map((c) => c.input)).toEqual([
      expect.objectContaining({ headSha: head, name: `landscape plan (${environment})` }),
      expect.objectContaining({ headSha: head, name: `landscape plan (${environment})` }),
    ]);
    expect(await topics()).not.toContain(`${prefix}five`);
  });
});

describe('only the right branch deploys', () => {
  it('landscape serve --branch main ignores a push to production and plans no production environment', async () => {
    // Prepare: production deploys from its own branch, with brokers nobody must reach from here.
    await server?.close();
    server = undefined;
    const production = `${environment}-production`;
    const files = config(['one'], `---\n${environmentYaml(production, 'production', '127.0.0.1:1')}`);
    await git.commit(REPO, files);
    const sha = await git.commitOn(REPO, 'production', files);
    const port = await freePort();
    const state = join(work, 'cli-state');
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'bin/landscape.ts'),
        'serve',
        ...['--port', String(port), '--state', state, '--repo', REPO, '--branch', 'main', '--git-base-url', git.url],
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          LANDSCAPE_WEBHOOK_SECRET: SECRET,
          LANDSCAPE_API_TOKEN: TOKEN,
          PUSH_KAFKA_PASSWORD: kafkaTestEnv.password,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        let err = '';
        child.stderr?.on('data', (chunk: Buffer) => {
          err += chunk.toString();
          if (err.includes('listening on')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
      });
      const url = `http://127.0.0.1:${port}`;

      // Act
      const body = await pushPayload(REPO, sha, 'production');
      const push = await fetch(`${url}/webhooks/github`, {
        method: 'POST',
        headers: await githubHeaders(SECRET, 'push', body, randomUUID()),
        body,
      });
      const reapply = await fetch(`${url}/api/reapply`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ environment: production, repo: REPO }),
      });
      const { jobId } = (await reapply.json()) as { jobId: string };
      let job: JobRecord | undefined;
      const jobFile = join(state, 'values', `job_${jobId}.json`);
      while (job?.state !== 'Done' && job?.state !== 'Failed') {
        job = await readFile(jobFile, 'utf8').then(
          (text) => JSON.parse(text) as JobRecord,
          () => undefined,
        );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const status = await fetch(`${url}/api/status?environment=${production}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });

      // Assess
      expect(push.status).toBe(202);
      expect(await push.json()).toEqual({ status: 'ignored', reason: 'branch "production" is not on the allowlist' });
      expect(job).toMatchObject({ state: 'Done', message: `${production}: not-allowed (branch "production")` });
      expect(
        ((await status.json()) as { environments: { lastPlans: unknown[] }[] }).environments[0]?.lastPlans,
      ).toEqual([]);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
