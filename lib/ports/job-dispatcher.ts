import type { PipelineJob } from '../model/job.ts';

/** Starts a stored job asynchronously: Lambda Invoke (Event) on AWS, a background promise locally. */
export interface JobDispatcher {
  dispatch(job: PipelineJob): Promise<void>;
}
