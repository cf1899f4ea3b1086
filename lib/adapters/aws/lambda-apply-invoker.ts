import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AdapterError } from '../../errors.ts';
import type { ApplyInvoker } from '../../ports/invoker.ts';
import { toAdapterError } from './aws-errors.ts';

export interface LambdaApplyInvokerOptions {
  /** Name or ARN of the apply function. */
  functionName: string;
  lambda?: LambdaClient;
}

/**
 * Fires the apply function asynchronously (`InvocationType: 'Event'`): Lambda queues the event and answers
 * 202 at once, so the webhook can answer GitHub within seconds. The payload is `{ environment, planId }`;
 * the apply function loads everything else from the state store. Failed applies land in the function's DLQ.
 */
export class LambdaApplyInvoker implements ApplyInvoker {
  readonly #functionName: string;
  readonly #lambda: LambdaClient;

  constructor(options: LambdaApplyInvokerOptions) {
    this.#functionName = options.functionName;
    this.#lambda = options.lambda ?? new LambdaClient({});
  }

  async invokeApply(request: { environment: string; planId: string }): Promise<void> {
    const doing = `starting the apply of plan "${request.planId}" for environment "${request.environment}"`;
    let statusCode: number | undefined;
    let functionError: string | undefined;
    try {
      const out = await this.#lambda.send(
        new InvokeCommand({
          FunctionName: this.#functionName,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(
            JSON.stringify({ environment: request.environment, planId: request.planId }),
          ),
        }),
      );
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
}
