import { AdapterError } from '../../errors.ts';

/** Error names the AWS SDK v3 uses for throttling and transient service trouble. */
const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'SlowDown',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalServiceError',
  'InternalFailure',
  'TransactionConflictException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** The SDK error name (`ConditionalCheckFailedException`, `NoSuchKey`, ...) or undefined. */
export function awsErrorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape).name : undefined;
}

/** Whether a fault from an AWS call is worth retrying (throttled, 5xx, connection trouble). */
export function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as SdkErrorShape;
  if (e.$retryable) return true;
  if (e.name && RETRYABLE_NAMES.has(e.name)) return true;
  if (e.code && RETRYABLE_CODES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

/**
 * Wraps an SDK failure as an `AdapterError` whose message says what was being done:
 * `reading plan "p-1" from s3://bucket/key: NoSuchKey: The specified key does not exist.`
 */
export function toAdapterError(doing: string, error: unknown): AdapterError {
  if (error instanceof AdapterError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const name = e.name && e.name !== 'Error' ? `${e.name}: ` : '';
  const message = e.message ?? String(error);
  return new AdapterError(`${doing}: ${name}${message}`, { cause: error, retryable: isRetryable(error) });
}
