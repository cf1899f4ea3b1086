import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AdapterError } from '../../errors.ts';
import type { PipelineJob } from '../../model/job.ts';
import type { Worker } from '../../ports/worker.ts';
import { toAdapterError } from './aws-errors.ts';

export interface LambdaWorkerOptions {
  /** Name or ARN of the worker function (WORKER_FUNCTION_NAME). */
  functionName: string;
  lambda?: LambdaClient;
}

/**
 * Starts work on the worker function asynchronously (`InvocationType: 'Event'`): Lambda queues the event and
 * answers 202 at once, so the webhook can answer GitHub within seconds. Payloads: `{ environment, planId }`
 * (apply a stored plan) and `{ job }` (run a stored job); the worker loads everything else from the state
 * store. Failed invocations land in the function's DLQ.
 */
export class LambdaWorker implements Worker {
  readonly #functionName: string;
  readonly #lambda: LambdaClient;

  constructor(options: LambdaWorkerOptions) {
    this.#functionName = options.functionName;
    this.#lambda = options.lambda ?? new LambdaClient({});
  }

  async invokeApply(request: { environment: string; planId: string }): Promise<void> {
    const doing = `starting the apply of plan "${request.planId}" for environment "${request.environment}"`;
    let statusCode: number | undefined;
    let functionError: string | undefined;
    try {
      const out = await this.#invoke({ environment: request.environment, planId: request.planId });
      statusCode = out.StatusCode;
      functionError = out.FunctionError;
    } catch (error) {
      throw toAdapterError(`${doing} (function "${this.#functionName}")`, error);
    }
    if (functionError || (statusCode !== undefined && statusCode !== 202)) {
      throw new AdapterError(
        `${doing}: function "${this.#functionName}" answered ${statusCode ?? 'no status'}${functionError ? ` (${functionError})` : ''}`,
        { retryable: statusCode === undefined || statusCode >= 500 },
      );
    }
  }

  async dispatch(job: PipelineJob): Promise<void> {
    let statusCode: number | undefined;
    try {
      statusCode = (await this.#invoke({ job })).StatusCode;
    } catch (error) {
      throw new AdapterError(`starting job "${job.id}" on function "${this.#functionName}"`, {
        cause: error,
        retryable: true,
      });
    }
    if (statusCode !== 202) {
      throw new AdapterError(`starting job "${job.id}": function "${this.#functionName}" answered ${statusCode}`, {
        retryable: true,
      });
    }
  }

  #invoke(payload: unknown) {
    return this.#lambda.send(
      new InvokeCommand({
        FunctionName: this.#functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
    );
  }
}
