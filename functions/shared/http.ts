import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { AdapterError, type ErrorCode, ReconcilerError } from '../../lib/errors.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** HTTP status of each user-failure code; anything else (faults, bugs) is a 500 with a generic body. */
export const STATUS_OF_CODE: Record<ErrorCode, number> = {
  InvalidConfig: 422,
  PlanStale: 409,
  PlanNotFound: 404,
  PlanAlreadyApplied: 409,
  PlanSuperseded: 409,
  ApprovalRequired: 409,
  LockHeld: 409,
  Unauthorized: 401,
  NotFound: 404,
  BadRequest: 400,
  SecretUnavailable: 422,
  PolicyViolation: 422,
  Conflict: 409,
  LeaseLost: 409,
  // Damaged stored state: the operator repairs it (the message names the file or item and the fix).
  StateDamaged: 500,
  PayloadTooLarge: 413,
};

/** The text a 5xx body carries for a code: fixed, so nothing of the failure leaks into the response. */
const SAFE_MESSAGE: Partial<Record<ErrorCode, string>> = {
  StateDamaged: 'stored state is damaged: the log of this request names the item and the repair',
};

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/**
 * The body's bytes exactly as sent (API Gateway base64-encodes binary bodies, `landscape serve` every body):
 * what webhook signatures are computed over. Never decoded to text on the way, so no byte is repaired.
 */
export function rawBody(event: Pick<HttpEvent, 'body' | 'isBase64Encoded'>): Buffer {
  if (event.body === undefined || event.body === null) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/**
 * The one onError middleware (STYLE.md section 5): a `ReconcilerError` with a 4xx code becomes that status
 * with its message and code. Every 5xx body is generic (a fixed text, the code and the request id) and the
 * details go to the log only, as the middleware anchors expose messages only below 500: an `AdapterError`
 * (the platform failed a call) is a 502, a `ReconcilerError` whose code maps to 5xx (damaged state) its
 * status, anything else a 500.
 */
export function httpErrorMapper(log: Logger): MiddlewareObj<HttpEvent, HttpResult, Error, Context> {
  return {
    onError: (request) => {
      const error = request.error;
      const requestId = request.context.awsRequestId;
      if (error instanceof ReconcilerError) {
        const statusCode = STATUS_OF_CODE[error.code] ?? 400;
        if (statusCode >= 500) {
          log.error('request failed', { code: error.code, statusCode, error });
          request.response = json(statusCode, {
            error: { code: error.code, message: SAFE_MESSAGE[error.code] ?? 'internal error', requestId },
          });
          return;
        }
        log.info('request refused', { code: error.code, statusCode, message: error.message });
        request.response = json(statusCode, { error: { code: error.code, message: error.message } });
        return;
      }
      if (error instanceof AdapterError) {
        // The platform (broker, registry, AWS) failed the call: which call and why is in the log, keyed by the
        // request id; the body says only that, and whether trying again may help.
        log.warn('platform call failed', { error, retryable: error.retryable, requestId });
        request.response = json(502, {
          error: { code: 'PlatformError', message: 'a platform call failed', retryable: error.retryable, requestId },
        });
        return;
      }
      log.error('request failed', { error });
      request.response = json(500, {
        error: { code: 'InternalError', message: 'internal error', requestId: request.context.awsRequestId },
      });
    },
  };
}

/** The middy stack of every HTTP function: Lambda context in logs, lower-case headers, error mapping. */
export function httpStack(
  log: Logger,
  handler: (event: HttpEvent, context: Context) => Promise<HttpResult>,
): middy.MiddyfiedHandler<HttpEvent, HttpResult, Error, Context> {
  return middy<HttpEvent, HttpResult, Error, Context>()
    .use(injectLambdaContext(log, { resetKeys: true }))
    .use(httpHeaderNormalizer() as MiddlewareObj<HttpEvent, HttpResult, Error, Context>)
    .use(httpErrorMapper(log))
    .handler(handler);
}

/** The middy stack of event-driven functions (async invoke, schedule): context in logs, faults rethrown. */
export function eventStack<E, R>(
  log: Logger,
  handler: (event: E, context: Context) => Promise<R>,
): middy.MiddyfiedHandler<E, R, Error, Context> {
  return middy<E, R, Error, Context>()
    .use(injectLambdaContext(log, { resetKeys: true }))
    .use({
      onError: (request) => {
        log.error('invocation failed', { error: request.error });
      },
    })
    .handler(handler);
}
