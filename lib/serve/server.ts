import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { bearerTokenMatches, createApiHandler } from '../../functions/api/app.ts';
import { pipelineLogger } from '../../functions/shared/logger.ts';
import { withAuditSinks } from '../../functions/shared/wiring-audit.ts';
import { createWebhookHandler } from '../../functions/webhook/app.ts';
import { GitCliSource } from '../adapters/git/git-cli-source.ts';
import { GitHubWebhookVerifier } from '../adapters/github/github-webhook-verifier.ts';
import { RecordingGitHubReporter } from '../adapters/github/recording-reporter.ts';
import { openTopicSampler } from '../adapters/kafka/topic-sampler.ts';
import { LocalSecretResolver } from '../adapters/secrets/env-secret-resolver.ts';
import { FileLocker } from '../adapters/store/file-locker.ts';
import { FileStateStore } from '../adapters/store/file-state-store.ts';
import { messageOf } from '../errors.ts';
import type { DriftNotifier, GitHubReporter } from '../ports/reporter.ts';
import type { ProviderFactory } from '../ports/resource-provider.ts';
import type { SecretResolver } from '../ports/secret-resolver.ts';
import { applyStoredPlan } from '../use-cases/apply-stored-plan.ts';
import { type CatchUpOutcome, catchUp } from '../use-cases/catch-up.ts';
import { checkDrift, type DriftOutcome } from '../use-cases/check-drift.ts';
import { DEFAULT_SETTINGS, type PipelineDeps, type PipelineEngine, type PipelineSettings } from '../use-cases/deps.ts';
import { doctorOfStoredEnvironment } from '../use-cases/doctor.ts';
import { ENVIRONMENT_INDEX } from '../use-cases/plan-policy.ts';
import { runJob } from '../use-cases/run-job.ts';
import { type OpenSampler, samplePublishedTopic } from '../use-cases/sample-published-topic.ts';
import { type ScheduledDriftOutcome, scheduledDrift } from '../use-cases/scheduled-drift.ts';
import { doctorProbeFactory } from '../wiring/doctor.ts';
import { channelDriftNotifier } from '../wiring/drift-notifier.ts';
import { DEFAULT_ENGINE } from '../wiring/engine.ts';
import { BackgroundTasks, InProcessWorker } from '../wiring/in-process.ts';
import { createProviders } from '../wiring/providers.ts';
import {
  BodyTooLargeError,
  localContext,
  readBody,
  ServerBusyError,
  sendResult,
  toHttpEvent,
} from './lambda-bridge.ts';
import { DEFAULT_SERVE_LIMITS, type ServeLimits, UnverifiedBodyBudget } from './request-limits.ts';

const DEFAULT_CATCH_UP_SECONDS = 300;
/**
 * Node ends a `connection: close` answer with `destroySoon()`, which closes the socket while the client may
 * still be sending the body it was refused; the reset that follows can overtake the answer, and the client
 * sees "connection reset" instead of the 503 or 401. Half-close instead, discard what still arrives for a
 * moment (nothing is kept), then close.
 */
function lingerOnClose(socket: Socket, lingerMs: number): void {
  socket.destroySoon = function lingeringDestroySoon(this: Socket) {
    this.end();
    const timer = setTimeout(() => this.destroy(), lingerMs);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
  };
}

export interface ServeOptions {
  /** State directory (plans, inventory, locks, audit): the same layout the CLI uses. */
  stateDir: string;
  /** Mandatory: unsigned webhooks are never accepted. At least 16 characters. */
  webhookSecret: string;
  /** Mandatory bearer token for /api/*. At least 16 characters. */
  apiToken: string;
  /** Repository allowlist (`owner/name`, `owner/*`). */
  repositories: readonly string[];
  /**
   * Branch allowlist (`--branch`): pushes and PR bases off it are ignored, and the worker plans no environment
   * whose `spec.branch` is off it (reapply, catch-up); empty = every branch an Environment names.
   */
  branches?: readonly string[];
  /** Config repositories over git (smart HTTP, SSH, file): a map `owner/name` -> clone URL, or a base URL. */
  git: { urls?: Readonly<Record<string, string>>; baseUrl?: string; cacheDir?: string };
  port?: number;
  host?: string;
  /** Where PR comments, check runs and statuses go; default: recorded and logged only. */
  reporter?: GitHubReporter;
  notifier?: DriftNotifier;
  secrets?: SecretResolver;
  createProviders?: ProviderFactory;
  engine?: Partial<PipelineEngine>;
  settings?: Partial<PipelineSettings>;
  /** Opens the Kafka reader behind GET /api/topics/{name}/sample; default: the real one. */
  openSampler?: OpenSampler;
  /**
   * The drift tick (off when absent): this often, every known environment whose `spec.drift.schedule` fired
   * since its last check is checked (`scheduledDrift`), like the drift function on AWS.
   */
  driftIntervalSeconds?: number;
  /**
   * Missed-push catch-up (each environment's branch head vs its applied commit, `catchUp`): run at start and
   * this often. Default 300; 0 turns it off.
   */
  catchUpIntervalSeconds?: number;
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /** Body sizes, unverified-body budget and request timeouts (DEFAULT_SERVE_LIMITS). */
  limits?: Partial<ServeLimits>;
}

export interface RunningServer {
  url: string;
  port: number;
  deps: PipelineDeps;
  reporter: GitHubReporter;
  /** Resolves when every background job and apply has settled (tests, graceful shutdown). */
  idle(): Promise<void>;
  /** Runs the drift check now, for the named environments or every known one, whatever their schedules. */
  checkDrift(environments?: readonly string[]): Promise<DriftOutcome[]>;
  /** Runs one drift tick now: the known environments whose schedule is due (what the drift timer runs). */
  driftTick(): Promise<ScheduledDriftOutcome[]>;
  /** Runs the missed-push catch-up now. */
  catchUp(): Promise<CatchUpOutcome[]>;
  close(): Promise<void>;
}

/**
 * `landscape serve`: the Lambda handlers on a local node:http server. POST /webhooks/github (signed
 * deliveries), /api/* (bearer token), GET /healthz. File store, in-process worker,
 * config repositories fetched over git by commit SHA.
 *
 * @example
 * const server = await startServer({ stateDir: '.landscape', webhookSecret, apiToken,
 *   repositories: ['acme/platform-config'], git: { baseUrl: 'http://127.0.0.1:8418' } });
 * console.log(`listening on ${server.url}`);
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  if (!options.webhookSecret || options.webhookSecret.length < 16) {
    throw new Error('serve: a webhook secret of at least 16 characters is required');
  }
  if (!options.apiToken || options.apiToken.length < 16) {
    throw new Error('serve: an API token of at least 16 characters is required');
  }
  if (options.repositories.length === 0) throw new Error('serve: name at least one allowed repository');
  if (!options.git.urls && !options.git.baseUrl) throw new Error('serve: give git.urls or git.baseUrl');

  // Two loggers: the handlers' one carries each request's context; background work must not inherit it.
  const logger = new Logger({ serviceName: 'landscape-serve', logLevel: options.logLevel ?? 'INFO' });
  const log = pipelineLogger(new Logger({ serviceName: 'landscape-serve', logLevel: options.logLevel ?? 'INFO' }));
  const tasks = new BackgroundTasks(log);
  const worker = new InProcessWorker(tasks);
  const reporter =
    options.reporter ??
    new RecordingGitHubReporter({
      onReport: (r) => log.info('github report (local: not sent)', { report: r.type }),
    });
  const secrets = options.secrets ?? new LocalSecretResolver();
  const store = withAuditSinks(new FileStateStore(options.stateDir), secrets, log);
  const deps: PipelineDeps = {
    store,
    locker: new FileLocker(options.stateDir),
    git: new GitCliSource({
      cacheDir: options.git.cacheDir ?? join(options.stateDir, 'git'),
      ...(options.git.urls ? { urls: options.git.urls } : {}),
      ...(options.git.baseUrl ? { baseUrl: options.git.baseUrl } : {}),
    }),
    worker,
    reporter,
    notifier: options.notifier ?? channelDriftNotifier({ store, secrets, log }),
    secrets,
    createProviders: options.createProviders ?? createProviders,
    engine: { ...DEFAULT_ENGINE, ...options.engine },
    settings: {
      ...DEFAULT_SETTINGS,
      ...(options.branches ? { allowedBranches: options.branches } : {}),
      ...options.settings,
    },
    now: () => new Date(),
    newId: randomUUID,
    log,
  };
  worker.bind({ apply: (request) => applyStoredPlan(deps, request), run: (job) => runJob(deps, job) });

  const webhook = createWebhookHandler(
    {
      ...deps,
      verifier: new GitHubWebhookVerifier(options.webhookSecret),
      policy: { repositories: options.repositories, branches: options.branches ?? [] },
    },
    logger,
  );
  const openSampler = options.openSampler ?? openTopicSampler;
  const api = createApiHandler(
    {
      ...deps,
      sampleTopic: (request, actor) => samplePublishedTopic({ ...deps, openSampler }, request, actor),
      doctor: (environment) =>
        doctorOfStoredEnvironment(
          {
            ...deps,
            probesFor: doctorProbeFactory({
              unsetReason:
                'serve sends nothing to GitHub (reports are recorded locally): run landscape doctor with GITHUB_TOKEN to check a token',
            }),
          },
          environment,
        ),
    },
    logger,
    { mode: 'bearer', token: options.apiToken },
  );

  const limits: ServeLimits = { ...DEFAULT_SERVE_LIMITS, ...options.limits };
  const unverified = new UnverifiedBodyBudget(limits);
  const refuse = (res: ServerResponse, statusCode: number, code: string, message: string, headers = {}) => {
    // `connection: close`: the rest of a body nobody will read is not worth keeping the connection for.
    if (!res.req.complete) lingerOnClose(res.req.socket, limits.refusedLingerMs);
    sendResult(res, {
      statusCode,
      headers: { 'content-type': 'application/json', connection: 'close', ...headers },
      body: JSON.stringify({ error: { code, message } }),
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    if (path === '/healthz') {
      sendResult(res, {
        statusCode: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'ok', unverifiedBodies: unverified.usage }),
      });
      return;
    }
    const route =
      path === '/webhooks/github' ? 'webhook' : path === '/api' || path.startsWith('/api/') ? 'api' : undefined;
    if (!route) return refuse(res, 404, 'NotFound', 'no such route');
    const declared = Number(req.headers['content-length'] ?? 0) || 0;
    if (route === 'api') {
      // The token is in the headers: an unauthenticated caller is answered before its body is read.
      if (!bearerTokenMatches(req.headers.authorization, options.apiToken)) {
        return refuse(res, 401, 'Unauthorized', 'missing or wrong bearer token');
      }
      if (declared > limits.maxApiBytes) return refuse(res, 413, 'PayloadTooLarge', 'request body too large');
      const event = toHttpEvent(req, await readBody(req, limits.maxApiBytes), path);
      sendResult(res, await api(event, localContext('landscape-api')));
      return;
    }
    // A webhook body must be read whole before its signature can be checked: refuse what cannot be genuine
    // from the headers, and hold only a bounded number of unverified bodies at once.
    if (req.method !== 'POST') return refuse(res, 405, 'MethodNotAllowed', 'use POST', { allow: 'POST' });
    if (!req.headers['x-hub-signature-256']) {
      return refuse(res, 401, 'Unauthorized', 'missing X-Hub-Signature-256');
    }
    if (declared > limits.maxWebhookBytes) return refuse(res, 413, 'PayloadTooLarge', 'request body too large');
    const slot = unverified.tryAcquire(declared);
    if (!slot) {
      return refuse(res, 503, 'ServerBusy', 'too many webhook deliveries being received; retry shortly', {
        'retry-after': '5',
      });
    }
    try {
      const body = await readBody(req, limits.maxWebhookBytes, (bytes) => slot.add(bytes));
      sendResult(res, await webhook(toHttpEvent(req, body, path), localContext('landscape-webhook')));
    } finally {
      slot.release();
    }
  };

  const server: Server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // How often Node checks the two timeouts above (default 30 s would let a slow upload overstay them).
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(limits.headersTimeoutMs / 2))),
    },
    (req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      handle(req, res, path).catch((error: unknown) => {
        if (res.headersSent || req.destroyed) return; // the client went away or timed out (408 was sent)
        if (error instanceof BodyTooLargeError) return refuse(res, 413, 'PayloadTooLarge', 'request body too large');
        if (error instanceof ServerBusyError) {
          return refuse(res, 503, 'ServerBusy', 'too many webhook deliveries being received; retry shortly', {
            'retry-after': '5',
          });
        }
        log.error('serve request failed', { path, error: messageOf(error) });
        refuse(res, 500, 'InternalError', 'internal error');
      });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.address}:${address.port}`;
  log.info('landscape serve listening', { url, stateDir: options.stateDir });

  const runDrift = async (environments?: readonly string[]): Promise<DriftOutcome[]> => {
    const names = environments ?? (await deps.store.getValue<string[]>(ENVIRONMENT_INDEX)) ?? [];
    const outcomes: DriftOutcome[] = [];
    for (const environment of names) outcomes.push(await checkDrift(deps, { environment }));
    return outcomes;
  };
  const driftTick = async (): Promise<ScheduledDriftOutcome[]> =>
    scheduledDrift(deps, { environments: (await deps.store.getValue<string[]>(ENVIRONMENT_INDEX)) ?? [] });
  const timer = options.driftIntervalSeconds
    ? setInterval(() => tasks.run('drift', driftTick, { retries: 0 }), options.driftIntervalSeconds * 1000)
    : undefined;
  timer?.unref();
  // A push whose webhook never came, or whose job failed after its retries, is deployed by the catch-up.
  const runCatchUp = () => catchUp(deps, options.repositories);
  const catchUpSeconds = options.catchUpIntervalSeconds ?? DEFAULT_CATCH_UP_SECONDS;
  let catchUpTimer: NodeJS.Timeout | undefined;
  if (catchUpSeconds > 0) {
    tasks.run('catch-up', runCatchUp, { retries: 0 });
    catchUpTimer = setInterval(() => tasks.run('catch-up', runCatchUp, { retries: 0 }), catchUpSeconds * 1000);
    catchUpTimer.unref();
  }

  return {
    url,
    port: address.port,
    deps,
    reporter,
    idle: () => tasks.idle(),
    checkDrift: runDrift,
    driftTick,
    catchUp: runCatchUp,
    close: async () => {
      if (timer) clearInterval(timer);
      if (catchUpTimer) clearInterval(catchUpTimer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await tasks.idle();
    },
  };
}
