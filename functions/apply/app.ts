import type { Logger } from '@aws-lambda-powertools/logger';
import { ReconcilerError } from '../../lib/errors.ts';
import type { PipelineJob } from '../../lib/model/job.ts';
import { type ApplyOutcome, applyStoredPlan } from '../../lib/use-cases/apply-stored-plan.ts';
import { type RunJobDeps, runJob } from '../../lib/use-cases/run-job.ts';
import { eventStack } from '../shared/http.ts';

/** `{ environment, planId }` from `Worker.invokeApply`, or `{ job }` from `Worker.dispatch` from the webhook / API (ADR 0010). */
export type WorkerEvent = { environment: string; planId: string } | { job: PipelineJob };

export type WorkerResult = ApplyOutcome | { status: 'job-done'; jobId: string };

/**
 * The worker in the VPC: applies stored plans and runs plan jobs. Asynchronous invokes only; a retryable
 * fault (lock still held, broker unreachable while planning) is rethrown so Lambda retries the event.
 */
export function createApplyHandler(deps: RunJobDeps, log: Logger) {
  return eventStack<WorkerEvent, WorkerResult>(log, async (event) => {
    if ('job' in event && event.job && typeof event.job.id === 'string') {
      log.appendKeys({ jobId: event.job.id, jobType: event.job.type });
      await runJob(deps, event.job);
      return { status: 'job-done', jobId: event.job.id };
    }
    if ('planId' in event && typeof event.planId === 'string' && typeof event.environment === 'string') {
      log.appendKeys({ environment: event.environment, planId: event.planId });
      return applyStoredPlan(deps, { environment: event.environment, planId: event.planId });
    }
    throw new ReconcilerError('BadRequest', 'expected { environment, planId } or { job }');
  });
}
