import https from 'node:https';
import { AdapterError, type HttpStatusError } from '../../../errors.ts';
import { sleep } from '../concurrency.ts';

/** TLS material for an HTTPS service with a private CA or mutual TLS (resolved PEM text). */
export interface HttpTls {
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
}

/**
 * A source of `Authorization` values that may be renewed early: a token the server refuses (revoked, or
 * rotated keys at the issuer) is discarded and the request is sent once more with a fresh one.
 */
export interface AuthorizationSource {
  current(): Promise<string>;
  /** Forget the value just refused, so that the next `current()` obtains a new one. */
  discard(refused: string): void;
}

export interface JsonHttpClientOptions {
  /** Who is called, for error messages: `Kafka Connect`, `the schema registry`. */
  service: string;
  /** Base URL; a path prefix is kept (Apicurio serves its Confluent API under /apis/ccompat/v7). */
  url: string;
  /**
   * `Authorization` header value built from resolved secrets, or a function that returns a current one (an
   * OAuth token source); never logged or put in errors.
   */
  authorization?: string | AuthorizationSource | undefined;
  /** A private CA and/or a client certificate: requests then go through node:https with these. */
  tls?: HttpTls | undefined;
  /** How the client authenticates (`basic`, `bearer`, `oauth`, `mtls`): named when credentials are refused. */
  authType?: string | undefined;
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
  /** Set when `tls` is given: fetch cannot take a client certificate or a CA without another dependency. */
  readonly #agent: https.Agent | undefined;

  constructor(options: JsonHttpClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.#options = options;
    const tls = options.tls;
    this.#agent =
      tls && (tls.ca || tls.cert)
        ? new https.Agent({
            keepAlive: true,
            ...(tls.ca ? { ca: tls.ca } : {}),
            ...(tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : {}),
            ...(tls.passphrase ? { passphrase: tls.passphrase } : {}),
          })
        : undefined;
  }

  /** Releases the keep-alive connections of the TLS agent. */
  close(): void {
    this.#agent?.destroy();
  }

  /** Calls `path` (starting with '/'); an absolute URL is used as it is. */
  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const o = this.#options;
    const url = path.startsWith('http') ? path : `${this.url}${path}`;
    let renewedAuthorization = false;
    for (let attempt = 0; ; attempt++) {
      const retry = attempt < o.retries;
      let response: { ok: boolean; status: number; text(): Promise<string> };
      // A token source's failure (the token endpoint refused, unreachable) is its own error, not retried here.
      const authorization = typeof o.authorization === 'object' ? await o.authorization.current() : o.authorization;
      const headers: Record<string, string> = {
        accept: o.accept ?? 'application/json',
        ...(body !== undefined ? { 'content-type': contentType } : {}),
        ...(authorization ? { authorization } : {}),
      };
      const payload = body !== undefined ? JSON.stringify(body) : undefined;
      try {
        response = this.#agent
          ? await sendHttps(url, method, headers, payload, this.#agent, o.timeoutMs)
          : await fetch(url, {
              method,
              headers,
              ...(payload !== undefined ? { body: payload } : {}),
              signal: AbortSignal.timeout(o.timeoutMs),
            });
      } catch (error) {
        if (retry && o.retriesNetworkErrors(method)) {
          await sleep(o.backoffMs * 2 ** attempt);
          continue;
        }
        const tlsHint = this.#agent ? tlsFailureHint(causeOf(error), Boolean(o.tls?.cert)) : '';
        throw new AdapterError(`calling ${o.service} at ${this.url} (${method} ${path}): ${causeOf(error)}${tlsHint}`, {
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
      // A 401 on a token from a source: the token may have been revoked before its expiry. One fresh try,
      // not counted as a retry; a second refusal is the credentials' fault and reported below.
      if (response.status === 401 && typeof o.authorization === 'object' && authorization && !renewedAuthorization) {
        renewedAuthorization = true;
        o.authorization.discard(authorization);
        attempt--;
        continue;
      }
      if (response.status === 401 || response.status === 403) {
        throw new AdapterError(
          `${o.service} at ${this.url} refused the credentials (${o.authType ? `auth: ${o.authType}, ` : ''}HTTP ${response.status} on ${method} ${path})`,
        );
      }
      throw o.httpError(method, path, response.status, parsed);
    }
  }
}

/** What an OpenSSL failure means for the user, by its alert or verification code; '' when it is not one. */
function tlsFailureHint(message: string, hasClientCertificate: boolean): string {
  if (/alert certificate required/i.test(message)) {
    return ' (the server requires a client certificate: set tls.clientCertificate and tls.clientKey)';
  }
  if (/alert (unknown ca|bad certificate|certificate unknown|decrypt error)/i.test(message)) {
    return ' (the server refused the client certificate: is it signed by a CA the server trusts?)';
  }
  if (/self[- ]signed|unable to (verify|get local issuer)/i.test(message)) {
    return " (the server's certificate is not signed by tls.ca)";
  }
  if (hasClientCertificate && /socket hang up|ECONNRESET/.test(message)) {
    // TLS 1.3 sends the refusal of a client certificate after the handshake: the client sees a closed socket.
    return ' (the connection closed right after the TLS handshake: the server may have refused the client certificate)';
  }
  return '';
}

/** One request over node:https with `agent` (a private CA, a client certificate), answered like fetch's Response. */
function sendHttps(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  agent: https.Agent,
  timeoutMs: number,
): Promise<{ ok: boolean; status: number; text(): Promise<string> }> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      url,
      {
        method,
        agent,
        headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ ok: status >= 200 && status < 300, status, text: async () => text });
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    if (body !== undefined) request.write(body);
    request.end();
  });
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
