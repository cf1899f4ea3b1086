import { randomUUID } from 'node:crypto';
import { LambdaApplyInvoker } from '../../lib/adapters/aws/index.ts';
import { ApiConfigSchema, parseConfig } from '../shared/config.ts';
import { LambdaJobDispatcher } from '../shared/lambda-job-dispatcher.ts';
import { logger, pipelineLogger } from '../shared/logger.ts';
import { buildState } from '../shared/wiring-state.ts';
import { createApiHandler } from './app.ts';

// Composition root (cold start). Reapply jobs and approved applies run in the worker (the apply function).
const config = parseConfig(ApiConfigSchema);
const worker = config.WORKER_FUNCTION_NAME ?? config.APPLY_FUNCTION_NAME;
if (!worker || !config.APPLY_FUNCTION_NAME) throw new Error('APPLY_FUNCTION_NAME is required');

export const handler = createApiHandler(
  {
    ...buildState(config.store),
    invoker: new LambdaApplyInvoker({ functionName: config.APPLY_FUNCTION_NAME }),
    dispatcher: new LambdaJobDispatcher({ functionName: worker }),
    now: () => new Date(),
    newId: randomUUID,
    log: pipelineLogger(logger),
  },
  logger,
  config.API_AUTH === 'bearer' && config.API_TOKEN ? { mode: 'bearer', token: config.API_TOKEN } : { mode: 'iam' },
);
