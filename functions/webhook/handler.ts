import { randomUUID } from 'node:crypto';
import { LambdaWorker } from '../../lib/adapters/aws/lambda-worker.ts';
import { GitHubWebhookVerifier } from '../../lib/adapters/github/github-webhook-verifier.ts';
import { parseWebhookConfig } from '../shared/config.ts';
import { logger, pipelineLogger } from '../shared/logger.ts';
import { buildSettingsSecrets, readSetting } from '../shared/settings-secrets.ts';
import { createWebhookHandler } from './app.ts';
import { buildWebhookStore } from './state.ts';

// Composition root, run once per cold start. A missing secret or allowlist fails here, before any request.
const config = parseWebhookConfig();
const secret = await readSetting(buildSettingsSecrets(), config.GITHUB_WEBHOOK_SECRET, config.GITHUB_WEBHOOK_SECRET_ID);
if (!secret) throw new Error('the GitHub webhook secret is empty: refusing to start');
if (!config.WORKER_FUNCTION_NAME) throw new Error('WORKER_FUNCTION_NAME is required: it runs the plan jobs');
const store = buildWebhookStore(config.store);

export const handler = createWebhookHandler(
  {
    store,
    worker: new LambdaWorker({ functionName: config.WORKER_FUNCTION_NAME }),
    verifier: new GitHubWebhookVerifier(secret),
    policy: { repositories: config.ALLOWED_REPOSITORIES, branches: config.ALLOWED_BRANCHES },
    settings: { dedupeTtlSeconds: config.DEDUPE_TTL_SECONDS },
    now: () => new Date(),
    newId: randomUUID,
    log: pipelineLogger(logger),
  },
  logger,
);
