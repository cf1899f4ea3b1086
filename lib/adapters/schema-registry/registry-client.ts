import { HttpStatusError } from '../../errors.ts';
import {
  type AuthorizationSource,
  describeErrorBody,
  type HttpTls,
  JsonHttpClient,
} from '../common/http/json-http-client.ts';

export { mapLimit } from '../common/concurrency.ts';
export { seg } from '../common/http/json-http-client.ts';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/** A non-2xx answer from the registry, with its Confluent error code when it sent one. */
export class RegistryHttpError extends HttpStatusError {
  readonly errorCode: number | undefined;
  constructor(method: string, path: string, status: number, body: unknown) {
    const detail = describeErrorBody(body, 500);
    super(`${method} ${path}: HTTP ${status}${detail ? `: ${detail}` : ''}`, status, body);
    this.name = 'RegistryHttpError';
    const code = (body as { error_code?: unknown } | null)?.error_code;
    this.errorCode = typeof code === 'number' ? code : undefined;
  }
  /** The registry's own message, without method and path. */
  get detail(): string {
    return describeErrorBody(this.body, 500) || `HTTP ${this.status}`;
  }
}

export interface RegistryClientOptions {
  /** Base URL including any path prefix, e.g. http://host:8081/apis/ccompat/v7. */
  url: string;
  /** `Authorization` header value (or a source of one) built from resolved secrets; never logged or in errors. */
  authorization?: string | AuthorizationSource;
  /** A private CA and a client certificate (mutual TLS). */
  tls?: HttpTls;
  /** Named when the service refuses the credentials. */
  authType?: string;
  timeoutMs?: number;
  /** Retries of idempotent requests on network errors, 429 and 5xx. */
  retries?: number;
}

const idempotent = (method: string) => method === 'GET' || method === 'PUT' || method === 'DELETE';

/**
 * A small Confluent REST client: JSON in and out with the registry content type, the base path kept (Apicurio
 * serves the API under /apis/ccompat/v7), retries for idempotent calls only (a repeated POST could register
 * twice), errors that name the call but never the credentials.
 */
export class RegistryClient extends JsonHttpClient {
  constructor(options: RegistryClientOptions) {
    super({
      service: 'the schema registry',
      url: options.url,
      authorization: options.authorization,
      tls: options.tls,
      authType: options.authType,
      accept: `${CONTENT_TYPE}, application/json`,
      timeoutMs: options.timeoutMs ?? 30_000,
      retries: options.retries ?? 2,
      backoffMs: 200,
      retriesNetworkErrors: idempotent,
      retriesAnswer: (method, status) => idempotent(method) && (status === 429 || status >= 500),
      httpError: (method, path, status, body) => new RegistryHttpError(method, path, status, body),
    });
  }

  /** Calls `path` (which starts with '/'); absolute URLs are used as they are (Apicurio's native API). */
  override request<T>(method: string, path: string, body?: unknown, contentType = CONTENT_TYPE): Promise<T> {
    return super.request<T>(method, path, body, contentType);
  }
}
