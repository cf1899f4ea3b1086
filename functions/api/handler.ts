import { randomUUID } from 'node:crypto';
import { LambdaWorker } from '../../lib/adapters/aws/index.ts';
import { openTopicSampler } from '../../lib/adapters/kafka/topic-sampler.ts';
import { doctorOfStoredEnvironment } from '../../lib/use-cases/doctor.ts';
import { samplePublishedTopic } from '../../lib/use-cases/sample-published-topic.ts';
import { doctorProbeFactory } from '../../lib/wiring/doctor.ts';
import { ApiConfigSchema, parseConfig } from '../shared/config.ts';
import { logger, pipelineLogger } from '../shared/logger.ts';
import { buildSecrets } from '../shared/platform-secrets.ts';
import { withAuditSinks } from '../shared/wiring-audit.ts';
import { buildState } from '../shared/wiring-state.ts';
import { createApiHandler } from './app.ts';

// Composition root (cold start). Reapply jobs and approved applies run in the worker (the apply function).
// The api runs in the VPC: topic samples read the brokers, and AuditSinks may be Kafka topics.
const config = parseConfig(ApiConfigSchema);
const log = pipelineLogger(logger);
const secrets = buildSecrets(config);
const state = buildState(config.store);
const store = withAuditSinks(state.store, secrets, log);
const now = () => new Date();
const API_DOCTOR_TIMEOUT_MS = 5000;
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
    // In the VPC, with the environment's own platform secrets; 5 s per call keeps an answer inside API
    // Gateway's 29 s integration timeout (a connection gets three times that, all at once).
    doctor: (environment) =>
      doctorOfStoredEnvironment(
        {
          store,
          secrets,
          probesFor: doctorProbeFactory({
            unsetReason:
              'the api function holds no GitHub credentials: run landscape doctor with GITHUB_TOKEN to check them',
          }),
          now,
        },
        environment,
        { timeoutMs: API_DOCTOR_TIMEOUT_MS },
      ),
  },
  logger,
  config.API_AUTH === 'bearer' && config.API_TOKEN ? { mode: 'bearer', token: config.API_TOKEN } : { mode: 'iam' },
);
