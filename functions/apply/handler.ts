import { randomUUID } from 'node:crypto';
import { LambdaWorker } from '../../lib/adapters/aws/index.ts';
import { DEFAULT_SETTINGS } from '../../lib/use-cases/deps.ts';
import { DEFAULT_ENGINE } from '../../lib/wiring/engine.ts';
import { createProviders } from '../../lib/wiring/providers.ts';
import { parseConfig, WorkerConfigSchema } from '../shared/config.ts';
import { logger, pipelineLogger } from '../shared/logger.ts';
import { buildSecrets } from '../shared/platform-secrets.ts';
import { withAuditSinks } from '../shared/wiring-audit.ts';
import { buildGitSource, buildOctokit, buildReporter, resolveGitHubAuth } from '../shared/wiring-github.ts';
import { buildSettingsSecrets, buildState } from '../shared/wiring-state.ts';
import { createApplyHandler } from './app.ts';

// Composition root (cold start): the worker applies plans and runs plan jobs; it re-invokes itself to apply.
const config = parseConfig(WorkerConfigSchema);
const log = pipelineLogger(logger);
const secrets = buildSecrets(config);
const github = await resolveGitHubAuth(buildSettingsSecrets(), config);
const octokit = buildOctokit(github, config.GITHUB_API_URL, log);
const functionName = config.WORKER_FUNCTION_NAME ?? process.env.AWS_LAMBDA_FUNCTION_NAME;
if (!functionName) throw new Error('WORKER_FUNCTION_NAME is required');

const state = buildState(config.store);

export const handler = createApplyHandler(
  {
    ...state,
    store: withAuditSinks(state.store, secrets, log),
    git: buildGitSource(config, octokit),
    worker: new LambdaWorker({ functionName }),
    reporter: buildReporter(octokit, log, github),
    secrets,
    createProviders,
    engine: DEFAULT_ENGINE,
    settings: {
      ...DEFAULT_SETTINGS,
      lockTtlSeconds: config.LOCK_TTL_SECONDS,
      lockWaitMs: config.LOCK_WAIT_MS,
      ...(config.PUBLIC_URL ? { publicUrl: config.PUBLIC_URL } : {}),
      ...(config.DEFAULT_REPO ? { defaultRepo: config.DEFAULT_REPO } : {}),
      allowedBranches: config.ALLOWED_BRANCHES,
    },
    now: () => new Date(),
    newId: randomUUID,
    log,
  },
  logger,
);
