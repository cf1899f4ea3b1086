import { AdapterError, messageOf } from '../../errors.ts';

/** What a client-credentials token request needs (RFC 6749 section 4.4). Secrets are already resolved. */
export interface ClientCredentialsOptions {
  tokenEndpoint: string;
  clientId: string;
  clientSecret: string;
  scope?: string | undefined;
  /** Sent as the `audience` form field (Auth0, Okta and Keycloak read it; others ignore it). */
  audience?: string | undefined;
  /** Per token request; default 10 s. */
  timeoutMs?: number;
  /** Largest token response read; default 64 KiB (a token answer is a few KiB at most). */
  maxResponseBytes?: number;
  /** Test seam: the clock (epoch ms). */
  now?: () => number;
}

export interface AccessToken {
  value: string;
  /** Epoch ms at which the endpoint said the token expires. */
  expiresAt: number;
}

/** Used when an answer has no `expires_in` (the RFC makes it optional): the token is fetched again this soon. */
const DEFAULT_LIFETIME_MS = 60_000;
/** Never refresh later than this before expiry, so that a token handed out is still valid on the wire. */
const MAX_REFRESH_MARGIN_MS = 60_000;

/**
 * Client-credentials access tokens from an OAuth 2.0 / OIDC token endpoint, cached and refreshed before they
 * expire: a token is reused until 80% of its lifetime (at most one minute before expiry) has passed. Concurrent
 * callers share one request. Errors name the token endpoint and the HTTP status (and the OAuth `error` code),
 * never the client secret or a token.
 */
export class ClientCredentialsTokenSource {
  readonly #options: ClientCredentialsOptions;
  #cached: { token: AccessToken; refreshAt: number } | undefined;
  #inflight: Promise<AccessToken> | undefined;

  constructor(options: ClientCredentialsOptions) {
    this.#options = options;
  }

  /** A valid access token: the cached one while fresh, else a new one. */
  async token(): Promise<AccessToken> {
    const now = this.#now();
    if (this.#cached && now < this.#cached.refreshAt) return this.#cached.token;
    this.#inflight ??= this.#fetch().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  /**
   * Drops the cached token if it is `refused` (a server answered 401 to it: revoked, or the issuer rotated its
   * keys), so that the next `token()` asks the endpoint again. A newer token already cached is kept.
   */
  discard(refused: string): void {
    if (this.#cached?.token.value === refused) this.#cached = undefined;
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  async #fetch(): Promise<AccessToken> {
    const o = this.#options;
    const where = `the token endpoint ${o.tokenEndpoint}`;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (o.scope !== undefined) form.set('scope', o.scope);
    if (o.audience !== undefined) form.set('audience', o.audience);
    // RFC 6749 section 2.3.1: id and secret are form-url-encoded before they are joined for Basic.
    const basic = Buffer.from(`${formEncode(o.clientId)}:${formEncode(o.clientSecret)}`).toString('base64');
    const requestedAt = this.#now();
    let response: Response;
    try {
      response = await fetch(o.tokenEndpoint, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form.toString(),
        redirect: 'error',
        signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new AdapterError(`requesting an access token from ${where}: ${networkReason(error)}`, {
        cause: error,
        retryable: true,
      });
    }
    let text: string;
    try {
      text = await readBounded(response, o.maxResponseBytes ?? 65_536);
    } catch (error) {
      throw new AdapterError(`reading the answer of ${where} (HTTP ${response.status}): ${messageOf(error)}`, {
        cause: error,
        retryable: true,
      });
    }
    const body = parseJson(text);
    if (!response.ok) {
      const code = typeof body?.error === 'string' && /^[\w.-]{1,64}$/.test(body.error) ? ` (${body.error})` : '';
      throw new AdapterError(`${where} refused the client-credentials request: HTTP ${response.status}${code}`, {
        retryable: response.status >= 500 || response.status === 429,
      });
    }
    const value = body?.access_token;
    if (typeof value !== 'string' || value.length === 0) {
      throw new AdapterError(`${where} answered HTTP ${response.status} without an access_token`);
    }
    if (typeof body?.token_type === 'string' && body.token_type.toLowerCase() !== 'bearer') {
      throw new AdapterError(`${where} issued a "${body.token_type}" token, not a bearer token`);
    }
    const expiresIn = body?.expires_in;
    const lifetimeMs =
      typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : undefined;
    // Lifetimes count from the request, not the answer: the token may have been issued a moment before it arrived.
    const token = { value, expiresAt: requestedAt + (lifetimeMs ?? DEFAULT_LIFETIME_MS) };
    const life = lifetimeMs ?? DEFAULT_LIFETIME_MS;
    const margin = Math.min(life * 0.2, MAX_REFRESH_MARGIN_MS);
    this.#cached = { token, refreshAt: token.expiresAt - margin };
    return token;
  }
}

/** application/x-www-form-urlencoded, as RFC 6749 appendix B spells it (space as +). */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

async function readBounded(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new Error(`answer of ${declared} bytes is larger than the ${maxBytes} bytes allowed`);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`answer is larger than the ${maxBytes} bytes allowed`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function networkReason(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timed out';
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  return cause ? messageOf(cause) : messageOf(error);
}
