import { randomUUID } from 'node:crypto';
import { LambdaWorker } from '../../lib/adapters/aws/index.ts';
import { openTopicSampler } from '../../lib/adapters/kafka/topic-sampler.ts';
import { samplePublishedTopic } from '../../lib/use-cases/sample-published-topic.ts';
import { ApiConfigSchema, parseConfig } from '../shared/config.ts';
import { logger, pipelineLogger } from '../shared/logger.ts';
import { withAuditSinks } from '../shared/wiring-audit.ts';
import { buildSecrets, buildState } from '../shared/wiring-state.ts';
import { createApiHandler } from './app.ts';

// Composition root (cold start). Reapply jobs and approved applies run in the worker (the apply function).
// The api runs in the VPC: topic samples read the brokers, and AuditSinks may be Kafka topics.
const config = parseConfig(ApiConfigSchema);
const log = pipelineLogger(logger);
const secrets = buildSecrets(config);
const state = buildState(config.store);
const store = withAuditSinks(state.store, secrets, log);
const now = () => new Date();
if (!config.WORKER_FUNCTION_NAME) throw new Error('WORKER_FUNCTION_NAME is required: it applies plans and runs jobs');

export const handler = createApiHandler(
  {
    ...state,
    store,
    worker: new LambdaWorker({ functionName: config.WORKER_FUNCTION_NAME }),
    now,
    newId: randomUUID,
    log,
    sampleTopic: (request, actor) =>
      samplePublishedTopic({ store, secrets, openSampler: openTopicSampler, now, newId: randomUUID }, request, actor),
  },
  logger,
  config.API_AUTH === 'bearer' && config.API_TOKEN ? { mode: 'bearer', token: config.API_TOKEN } : { mode: 'iam' },
);
