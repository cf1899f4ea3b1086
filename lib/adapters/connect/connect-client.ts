import { HttpStatusError } from '../../errors.ts';
import {
  type AuthorizationSource,
  describeErrorBody,
  type HttpTls,
  JsonHttpClient,
} from '../common/http/json-http-client.ts';

export { mapLimit, sleep } from '../common/concurrency.ts';
export { seg } from '../common/http/json-http-client.ts';

/** A non-2xx answer from a Connect worker, with its message (`{"error_code": 400, "message": "..."}`). */
export class ConnectHttpError extends HttpStatusError {
  constructor(method: string, path: string, status: number, body: unknown) {
    const detail = describeErrorBody(body);
    super(`${method} ${path}: HTTP ${status}${detail ? `: ${detail}` : ''}`, status, body);
    this.name = 'ConnectHttpError';
  }
  /** The worker's own message, without method and path. */
  get detail(): string {
    return describeErrorBody(this.body) || `HTTP ${this.status}`;
  }
}

export interface ConnectClientOptions {
  /** The worker's REST URL, e.g. http://127.0.0.1:8083 (a path prefix is kept). */
  url: string;
  /** `Authorization` header value (or a source of one) built from resolved secrets; never logged or in errors. */
  authorization?: string | AuthorizationSource;
  /** A private CA and a client certificate (mutual TLS). */
  tls?: HttpTls;
  /** Named when the service refuses the credentials. */
  authType?: string;
  timeoutMs?: number;
  retries?: number;
}

/**
 * Kafka Connect REST. Retries network errors, 5xx and 409 ("rebalance in progress", which Connect answers
 * while the group settles) with backoff, for every call: Connect's mutating calls are idempotent (PUT config,
 * pause, resume, DELETE) except POST /connectors, which answers 409 when the connector exists.
 */
export class ConnectClient extends JsonHttpClient {
  constructor(options: ConnectClientOptions) {
    super({
      service: 'Kafka Connect',
      url: options.url,
      authorization: options.authorization,
      tls: options.tls,
      authType: options.authType,
      timeoutMs: options.timeoutMs ?? 30_000,
      retries: options.retries ?? 4,
      backoffMs: 250,
      retriesNetworkErrors: () => true,
      retriesAnswer: (_method, status, body) =>
        status >= 500 || (status === 409 && /rebalanc/i.test(describeErrorBody(body))),
      httpError: (method, path, status, body) => new ConnectHttpError(method, path, status, body),
    });
  }
}
