import { randomUUID } from 'node:crypto';
import { LambdaWorker } from '../../lib/adapters/aws/index.ts';
import { DEFAULT_SETTINGS } from '../../lib/use-cases/deps.ts';
import { channelDriftNotifier } from '../../lib/wiring/drift-notifier.ts';
import { DEFAULT_ENGINE } from '../../lib/wiring/engine.ts';
import { createProviders } from '../../lib/wiring/providers.ts';
import { DriftConfigSchema, parseConfig } from '../shared/config.ts';
import { logger, pipelineLogger } from '../shared/logger.ts';
import { buildSecrets } from '../shared/platform-secrets.ts';
import { withAuditSinks } from '../shared/wiring-audit.ts';
import { buildGitSource, buildOctokit, buildReporter, resolveGitHubAuth } from '../shared/wiring-github.ts';
import { buildSettingsSecrets, buildState } from '../shared/wiring-state.ts';
import { createDriftHandler } from './app.ts';

// Composition root (cold start). Remediation and caught-up commits are applied by the apply function.
const config = parseConfig(DriftConfigSchema);
const log = pipelineLogger(logger);
const secrets = buildSecrets(config);
const state = buildState(config.store);
const github = await resolveGitHubAuth(buildSettingsSecrets(), config);
const octokit = buildOctokit(github, config.GITHUB_API_URL, log);
if (!config.WORKER_FUNCTION_NAME)
  throw new Error('WORKER_FUNCTION_NAME is required: drift remediation applies through it');

export const handler = createDriftHandler(
  {
    ...state,
    store: withAuditSinks(state.store, secrets, log),
    git: buildGitSource(config, octokit),
    worker: new LambdaWorker({ functionName: config.WORKER_FUNCTION_NAME }),
    reporter: buildReporter(octokit, log, github),
    // Drift goes to the Environment's spec.drift.channels; without published channels it is only logged.
    notifier: channelDriftNotifier({ store: state.store, secrets, log }),
    secrets,
    createProviders,
    engine: DEFAULT_ENGINE,
    settings: {
      ...DEFAULT_SETTINGS,
      ...(config.PUBLIC_URL ? { publicUrl: config.PUBLIC_URL } : {}),
      ...(config.DEFAULT_REPO ? { defaultRepo: config.DEFAULT_REPO } : {}),
      // The missed-webhook catch-up plans a branch head: the same allowlist as the webhook's.
      allowedBranches: config.ALLOWED_BRANCHES,
    },
    now: () => new Date(),
    newId: randomUUID,
    log,
  },
  logger,
  { environments: config.DRIFT_ENVIRONMENTS },
);
