import { protocolErrors, protocolErrorsCodesById } from '@platformatic/kafka';
import { AdapterError } from '../../errors.ts';

/**
 * Helpers that turn @platformatic/kafka errors into the project's error model (STYLE.md section 5).
 *
 * The library reports per-item failures of a batched request (one bad topic in a CreateTopics) as a
 * `ResponseError` that still carries the whole decoded `response`; high-level calls wrap it in one or more
 * `MultipleErrors` (one per retry). `responseOf` digs the response back out, so one failing item never
 * hides the results of the others.
 */

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  errors?: unknown;
  cause?: unknown;
  response?: unknown;
  canRetry?: unknown;
  apiId?: unknown;
  serverErrorMessage?: unknown;
}

function asErrorLike(value: unknown): ErrorLike | undefined {
  return typeof value === 'object' && value !== null ? (value as ErrorLike) : undefined;
}

/** Every error in the tree (the error, its `errors` and its `cause`), depth first. */
function* walk(error: unknown, depth = 0): Generator<ErrorLike> {
  const node = asErrorLike(error);
  if (!node || depth > 8) return;
  yield node;
  if (Array.isArray(node.errors)) for (const inner of node.errors) yield* walk(inner, depth + 1);
  if (node.cause !== undefined) yield* walk(node.cause, depth + 1);
}

/**
 * The decoded response of `apiName` (e.g. `CreateAcls`) carried by a `ResponseError` in the error tree, or
 * undefined when the request failed as a whole (network, authentication, timeout). The API name is checked
 * because a failed login is also a `ResponseError` (of SaslAuthenticate) and must never be mistaken for the
 * answer to the request. With retries, the last attempt wins.
 */
export function responseOf<T>(error: unknown, apiName: string): T | undefined {
  let found: T | undefined;
  for (const node of walk(error)) {
    if (
      node.code === 'PLT_KFK_RESPONSE' &&
      node.response !== undefined &&
      typeof node.message === 'string' &&
      node.message.includes(`API ${apiName}(v`)
    ) {
      found = node.response as T;
    }
  }
  return found;
}

/**
 * Whether retrying later may help: the broker could not be reached, a request timed out, or the broker
 * answered with a retriable protocol error (e.g. NOT_CONTROLLER). Authentication failures are not.
 */
export function isRetryableKafkaError(error: unknown): boolean {
  let retryable = false;
  for (const node of walk(error)) {
    if (node.code === 'PLT_KFK_AUTHENTICATION') return false;
    if (node.apiId === 'SASL_AUTHENTICATION_FAILED' || node.apiId === 'CLUSTER_AUTHORIZATION_FAILED') return false;
    if (node.code === 'PLT_KFK_NETWORK' || node.code === 'PLT_KFK_TIMEOUT') retryable = true;
    if (node.code === 'PLT_KFK_PROTOCOL' && node.canRetry === true) retryable = true;
    if (typeof node.code === 'string' && /^E(CONNREFUSED|CONNRESET|HOSTUNREACH|TIMEDOUT|AI_AGAIN)$/.test(node.code)) {
      retryable = true;
    }
  }
  return retryable;
}

/**
 * A short, lowercase description of a client error for messages: the most specific (innermost) reason,
 * e.g. `connection to 127.0.0.1:9092 failed: connect ECONNREFUSED 127.0.0.1:9092`. The client never puts
 * credentials into its messages; we add none.
 */
export function describeKafkaError(error: unknown): string {
  const parts: string[] = [];
  for (const node of walk(error)) {
    if (node.code === 'PLT_KFK_PROTOCOL' && typeof node.apiId === 'string') {
      const server = typeof node.serverErrorMessage === 'string' ? node.serverErrorMessage : '';
      parts.push(errorCodeText(node.apiId, server));
      continue;
    }
    // Aggregates ("Creating topics failed.", "createTopics failed 4 times.") add nothing to their leaves.
    if (Array.isArray(node.errors) && node.errors.length > 0) continue;
    if (typeof node.message === 'string' && node.message) parts.push(sentence(node.message));
  }
  // Drop a part the next one repeats ("SASL authentication failed" + "sasl authentication failed: ...").
  const unique = [...new Set(parts)].filter(
    (part, i, all) => !all[i + 1]?.toLowerCase().startsWith(part.toLowerCase()),
  );
  return unique.length > 0 ? unique.slice(-3).join(': ') : 'unknown error';
}

/** The protocol error name for a code, e.g. 40 -> `INVALID_CONFIG`. */
export function errorCodeName(code: number): string {
  return protocolErrorsCodesById[code] ?? `ERROR_${code}`;
}

/** Whether the broker marks this protocol error code as worth retrying. */
export function isRetryableErrorCode(code: number): boolean {
  return protocolErrors[errorCodeName(code)]?.canRetry === true;
}

/**
 * A lowercase message for a per-item error code, with the broker's own detail when it sent one:
 * `invalid config: Invalid value abc for configuration retention.ms`.
 */
export function itemErrorText(code: number, serverMessage: string | null | undefined): string {
  return errorCodeText(errorCodeName(code), serverMessage ?? '');
}

function errorCodeText(id: string, serverMessage: string): string {
  const name = id.toLowerCase().replaceAll('_', ' ');
  const detail = serverMessage.trim();
  return detail ? `${name}: ${detail}` : name;
}

/** `Connection failed.` -> `connection failed`; acronyms (`SASL ...`) keep their case. */
function sentence(message: string): string {
  const trimmed = message.trim().replace(/\.$/, '');
  const second = trimmed.charAt(1);
  return second && second === second.toLowerCase() ? trimmed.charAt(0).toLowerCase() + trimmed.slice(1) : trimmed;
}

/** Wraps a client error as an AdapterError `"<doing>: <cause>"`, retryable when the cause is transient. */
export function toAdapterError(doing: string, error: unknown): AdapterError {
  if (error instanceof AdapterError) return error;
  return new AdapterError(`${doing}: ${describeKafkaError(error)}`, {
    cause: error,
    retryable: isRetryableKafkaError(error),
  });
}

/**
 * A request the broker answered with a top-level error code (not a per-item one): e.g. DescribeAcls on a
 * cluster without an authorizer (SECURITY_DISABLED) or without permission (CLUSTER_AUTHORIZATION_FAILED).
 */
export class KafkaResponseError extends AdapterError {
  readonly errorCode: number;
  constructor(doing: string, errorCode: number, serverMessage: string | null | undefined) {
    super(`${doing}: ${itemErrorText(errorCode, serverMessage)}`, { retryable: isRetryableErrorCode(errorCode) });
    this.name = 'KafkaResponseError';
    this.errorCode = errorCode;
  }
}

/** Error codes meaning "this cluster does not offer that to us", as opposed to a fault. */
const UNAVAILABLE_CODES: ReadonlySet<number> = new Set([
  31, // CLUSTER_AUTHORIZATION_FAILED
  35, // UNSUPPORTED_VERSION
  54, // SECURITY_DISABLED (no authorizer: DescribeAcls)
]);

/**
 * Whether a read failed because the cluster does not offer the feature to this client (no authorizer, no
 * permission to describe it, an API the broker does not have), rather than because of a fault.
 */
export function isFeatureUnavailable(error: unknown): boolean {
  if (error instanceof KafkaResponseError) return UNAVAILABLE_CODES.has(error.errorCode);
  for (const node of walk(error)) {
    if (node.code === 'PLT_KFK_UNSUPPORTED_API') return true;
    if (
      node.code === 'PLT_KFK_PROTOCOL' &&
      (node.apiId === 'CLUSTER_AUTHORIZATION_FAILED' ||
        node.apiId === 'UNSUPPORTED_VERSION' ||
        node.apiId === 'SECURITY_DISABLED')
    ) {
      return true;
    }
  }
  return false;
}
