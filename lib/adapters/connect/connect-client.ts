import { AdapterError } from '../../errors.ts';

/** A non-2xx answer from a Connect worker, with its message (`{"error_code": 400, "message": "..."}`). */
export class ConnectHttpError extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(method: string, path: string, status: number, body: unknown) {
    super(`${method} ${path}: HTTP ${status}${describeBody(body) ? `: ${describeBody(body)}` : ''}`);
    this.name = 'ConnectHttpError';
    this.status = status;
    this.body = body;
  }
  /** The worker's own message, without method and path. */
  get detail(): string {
    return describeBody(this.body) || `HTTP ${this.status}`;
  }
}

function describeBody(body: unknown): string {
  if (body === null || body === undefined) return '';
  if (typeof body === 'string') return body.slice(0, 1000);
  const message = (body as { message?: unknown }).message;
  return typeof message === 'string' ? message : JSON.stringify(body).slice(0, 1000);
}

export interface ConnectClientOptions {
  /** The worker's REST URL, e.g. http://127.0.0.1:8083 (a path prefix is kept). */
  url: string;
  /** `Authorization` header value built from resolved secrets; never logged or put in errors. */
  authorization?: string;
  timeoutMs?: number;
  retries?: number;
}

/**
 * Kafka Connect REST over fetch. Retries network errors, 5xx and 409 ("rebalance in progress", which Connect
 * answers while the group settles) with backoff, for every call: Connect's mutating calls are idempotent
 * (PUT config, pause, resume, DELETE) except POST /connectors, which answers 409 when the connector exists.
 */
export class ConnectClient {
  readonly url: string;
  readonly #authorization: string | undefined;
  readonly #timeoutMs: number;
  readonly #retries: number;

  constructor(options: ConnectClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.#authorization = options.authorization;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#retries = options.retries ?? 4;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(`${this.url}${path}`, {
          method,
          headers: {
            accept: 'application/json',
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...(this.#authorization ? { authorization: this.#authorization } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
      } catch (error) {
        if (attempt < this.#retries) {
          await sleep(250 * 2 ** attempt);
          continue;
        }
        throw new AdapterError(`calling Kafka Connect at ${this.url} (${method} ${path}): ${causeOf(error)}`, {
          cause: error,
          retryable: true,
        });
      }
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      if (response.ok) return parsed as T;
      const rebalancing = response.status === 409 && /rebalanc/i.test(describeBody(parsed));
      if (attempt < this.#retries && (response.status >= 500 || rebalancing)) {
        await sleep(250 * 2 ** attempt);
        continue;
      }
      if (response.status === 401 || response.status === 403) {
        throw new AdapterError(
          `Kafka Connect at ${this.url} refused the credentials (HTTP ${response.status} on ${method} ${path})`,
        );
      }
      throw new ConnectHttpError(method, path, response.status, parsed);
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

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const seg = (value: string) => encodeURIComponent(value);

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
