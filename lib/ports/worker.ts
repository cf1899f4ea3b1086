import type { PipelineJob } from '../model/job.ts';

/**
 * The worker: the one function (in the VPC on AWS, ADR 0010; background tasks in `landscape serve`) that
 * applies stored plans and runs plan jobs. Both calls start the work asynchronously and return once it is
 * queued: Lambda Invoke (Event) on AWS, a background promise locally.
 */
export interface Worker {
  /** Applies one stored plan (payload `{ environment, planId }`). */
  invokeApply(request: { environment: string; planId: string }): Promise<void>;
  /** Runs one stored job (payload `{ job }`). */
  dispatch(job: PipelineJob): Promise<void>;
}
