import { AdapterError, type HttpStatusError } from '../../../errors.ts';
import { sleep } from '../concurrency.ts';

export interface JsonHttpClientOptions {
  /** Who is called, for error messages: `Kafka Connect`, `the schema registry`. */
  service: string;
  /** Base URL; a path prefix is kept (Apicurio serves its Confluent API under /apis/ccompat/v7). */
  url: string;
  /** `Authorization` header value built from resolved secrets; never logged or put in errors. */
  authorization?: string | undefined;
  /** `accept` header; default JSON. */
  accept?: string;
  timeoutMs: number;
  /** How many times a retryable failure is tried again, with exponential backoff from `backoffMs`. */
  retries: number;
  backoffMs: number;
  /** Whether a call may be sent again after a network error. */
  retriesNetworkErrors: (method: string) => boolean;
  /** Whether a non-2xx answer is worth another try (5xx, 429, Connect's 409 during a rebalance). */
  retriesAnswer: (method: string, status: number, body: unknown) => boolean;
  /** The error for a non-2xx answer that is not retried (401/403 are answered by the client itself). */
  httpError: (method: string, path: string, status: number, body: unknown) => HttpStatusError;
}

/**
 * JSON over fetch with the retry and error policy of one REST service (Kafka Connect, the schema registry):
 * the base path kept, a timeout per call, backoff on what the service says is transient, credentials refused
 * named as such, and errors that name the call but never the credentials.
 */
export class JsonHttpClient {
  readonly url: string;
  readonly #options: JsonHttpClientOptions;

  constructor(options: JsonHttpClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.#options = options;
  }

  /** Calls `path` (starting with '/'); an absolute URL is used as it is. */
  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const o = this.#options;
    const url = path.startsWith('http') ? path : `${this.url}${path}`;
    for (let attempt = 0; ; attempt++) {
      const retry = attempt < o.retries;
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: {
            accept: o.accept ?? 'application/json',
            ...(body !== undefined ? { 'content-type': contentType } : {}),
            ...(o.authorization ? { authorization: o.authorization } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(o.timeoutMs),
        });
      } catch (error) {
        if (retry && o.retriesNetworkErrors(method)) {
          await sleep(o.backoffMs * 2 ** attempt);
          continue;
        }
        throw new AdapterError(`calling ${o.service} at ${this.url} (${method} ${path}): ${causeOf(error)}`, {
          cause: error,
          retryable: true,
        });
      }
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        // not JSON: keep the text for the error message
      }
      if (response.ok) return parsed as T;
      if (retry && o.retriesAnswer(method, response.status, parsed)) {
        await sleep(o.backoffMs * 2 ** attempt);
        continue;
      }
      if (response.status === 401 || response.status === 403) {
        throw new AdapterError(
          `${o.service} at ${this.url} refused the credentials (HTTP ${response.status} on ${method} ${path})`,
        );
      }
      throw o.httpError(method, path, response.status, parsed);
    }
  }
}

/** A service's error body as one line: its `message` (or `detail`, `title`), else the body itself, cut short. */
export function describeErrorBody(body: unknown, max = 1000): string {
  if (body === null || body === undefined) return '';
  if (typeof body === 'string') return body.slice(0, max);
  const b = body as { message?: unknown; detail?: unknown; title?: unknown };
  const text = b.message ?? b.detail ?? b.title;
  return typeof text === 'string' ? text : JSON.stringify(body).slice(0, max);
}

function causeOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}

/** Path segment encoding (connector and subject names may contain '/', ':' and the like). */
export const seg = (value: string) => encodeURIComponent(value);
