import { AdapterError } from '../../errors.ts';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/** A non-2xx answer from the registry, with its Confluent error code when it sent one. */
export class RegistryHttpError extends Error {
  readonly status: number;
  readonly errorCode: number | undefined;
  readonly body: unknown;
  constructor(method: string, path: string, status: number, body: unknown) {
    const detail = describeBody(body);
    super(`${method} ${path}: HTTP ${status}${detail ? `: ${detail}` : ''}`);
    this.name = 'RegistryHttpError';
    this.status = status;
    this.body = body;
    const code = (body as { error_code?: unknown } | null)?.error_code;
    this.errorCode = typeof code === 'number' ? code : undefined;
  }
  /** The registry's own message, without method and path. */
  get detail(): string {
    return describeBody(this.body) || `HTTP ${this.status}`;
  }
}

function describeBody(body: unknown): string {
  if (body === null || body === undefined) return '';
  if (typeof body === 'string') return body.slice(0, 500);
  const b = body as { message?: unknown; detail?: unknown; title?: unknown };
  const text = b.message ?? b.detail ?? b.title;
  return typeof text === 'string' ? text : JSON.stringify(body).slice(0, 500);
}

export interface RegistryClientOptions {
  /** Base URL including any path prefix, e.g. http://host:8081/apis/ccompat/v7. */
  url: string;
  /** `Authorization` header value, already built from resolved secrets; never logged or put in errors. */
  authorization?: string;
  timeoutMs?: number;
  /** Retries of idempotent requests on network errors, 429 and 5xx. */
  retries?: number;
}

/**
 * A small Confluent REST client over fetch: JSON in and out with the registry content type, the base path kept
 * (Apicurio serves the API under /apis/ccompat/v7), retries for idempotent calls, errors that name the call but
 * never the credentials.
 */
export class RegistryClient {
  readonly url: string;
  readonly #authorization: string | undefined;
  readonly #timeoutMs: number;
  readonly #retries: number;

  constructor(options: RegistryClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.#authorization = options.authorization;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#retries = options.retries ?? 2;
  }

  /** Calls `path` (which starts with '/'); absolute URLs are used as they are (Apicurio's native API). */
  async request<T>(method: string, path: string, body?: unknown, contentType = CONTENT_TYPE): Promise<T> {
    const url = path.startsWith('http') ? path : `${this.url}${path}`;
    const idempotent = method === 'GET' || method === 'PUT' || method === 'DELETE';
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: {
            accept: `${CONTENT_TYPE}, application/json`,
            ...(body !== undefined ? { 'content-type': contentType } : {}),
            ...(this.#authorization ? { authorization: this.#authorization } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
      } catch (error) {
        if (idempotent && attempt < this.#retries) {
          await sleep(200 * 2 ** attempt);
          continue;
        }
        throw new AdapterError(`calling the schema registry at ${this.url} (${method} ${path}): ${causeOf(error)}`, {
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
      if (idempotent && attempt < this.#retries && (response.status === 429 || response.status >= 500)) {
        await sleep(200 * 2 ** attempt);
        continue;
      }
      if (response.status === 401 || response.status === 403) {
        throw new AdapterError(
          `the schema registry at ${this.url} refused the credentials (HTTP ${response.status} on ${method} ${path})`,
        );
      }
      throw new RegistryHttpError(method, path, response.status, parsed);
    }
  }
}

function causeOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Path segment encoding for subject names (they may contain '/', ':' and the like). */
export const seg = (value: string) => encodeURIComponent(value);
