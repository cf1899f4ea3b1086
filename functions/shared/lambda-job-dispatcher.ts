import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AdapterError } from '../../lib/errors.ts';
import type { PipelineJob } from '../../lib/model/job.ts';
import type { JobDispatcher } from '../../lib/ports/job-dispatcher.ts';

/**
 * Sends a plan job to the worker (the apply function, in the VPC) with an asynchronous invoke: Lambda
 * answers 202 at once and retries the worker twice on faults (ADR 0010). The event is `{ job }`.
 */
export class LambdaJobDispatcher implements JobDispatcher {
  readonly #functionName: string;
  readonly #lambda: LambdaClient;

  constructor(options: { functionName: string; lambda?: LambdaClient }) {
    this.#functionName = options.functionName;
    this.#lambda = options.lambda ?? new LambdaClient({});
  }

  async dispatch(job: PipelineJob): Promise<void> {
    let statusCode: number | undefined;
    try {
      const out = await this.#lambda.send(
        new InvokeCommand({
          FunctionName: this.#functionName,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(JSON.stringify({ job })),
        }),
      );
      statusCode = out.StatusCode;
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
}
