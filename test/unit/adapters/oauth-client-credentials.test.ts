import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientCredentialsTokenSource } from '../../../lib/adapters/common/oauth-client-credentials.ts';
import { AdapterError } from '../../../lib/errors.ts';

interface Seen {
  authorization: string | undefined;
  contentType: string | undefined;
  form: URLSearchParams;
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A token endpoint on loopback answering with `answer(request number)`. */
async function endpoint(answer: (n: number, res: ServerResponse) => void): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const listening = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      seen.push({
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        form: new URLSearchParams(body),
      });
      answer(seen.length, res);
    });
  });
  server = listening;
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(listening.address() as AddressInfo).port}/token`, seen };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('ClientCredentialsTokenSource', () => {
  it('posts a form with Basic credentials form-url-encoded (RFC 6749 2.3.1), scope and audience', async () => {
    const { url, seen } = await endpoint((n, res) =>
      json(res, 200, { access_token: `t${n}`, token_type: 'Bearer', expires_in: 300 }),
    );
    const source = new ClientCredentialsTokenSource({
      tokenEndpoint: url,
      clientId: 'svc:a b',
      clientSecret: 's3cr&t+/=',
      scope: 'kafka read',
      audience: 'landscape-kafka',
    });

    const token = await source.token();

    expect(token.value).toBe('t1');
    expect(seen[0]?.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(seen[0]?.form ?? [])).toEqual({
      grant_type: 'client_credentials',
      scope: 'kafka read',
      audience: 'landscape-kafka',
    });
    const basic = Buffer.from((seen[0]?.authorization ?? '').replace(/^Basic /, ''), 'base64').toString('utf8');
    expect(basic).toBe('svc%3Aa+b:s3cr%26t%2B%2F%3D');
  });

  it('reuses a token until 80% of its lifetime (at most one minute before expiry), then fetches a new one', async () => {
    const { url, seen } = await endpoint((n, res) => json(res, 200, { access_token: `t${n}`, expires_in: 100 }));
    let now = 1_000_000;
    const source = new ClientCredentialsTokenSource({
      tokenEndpoint: url,
      clientId: 'c',
      clientSecret: 's',
      now: () => now,
    });

    const first = await source.token();
    now += 79_000;
    const cached = await source.token();
    now += 2_000;
    const renewed = await source.token();

    expect([first.value, cached.value, renewed.value]).toEqual(['t1', 't1', 't2']);
    expect(first.expiresAt).toBe(1_000_000 + 100_000);
    expect(seen).toHaveLength(2);
  });

  it('shares one request among concurrent callers', async () => {
    const { url, seen } = await endpoint((n, res) => json(res, 200, { access_token: `t${n}`, expires_in: 3600 }));
    const source = new ClientCredentialsTokenSource({ tokenEndpoint: url, clientId: 'c', clientSecret: 's' });

    const tokens = await Promise.all([source.token(), source.token(), source.token()]);

    expect(tokens.map((t) => t.value)).toEqual(['t1', 't1', 't1']);
    expect(seen).toHaveLength(1);
  });

  it('names the endpoint, the HTTP status and the OAuth error code, never the secret', async () => {
    const { url } = await endpoint((_n, res) =>
      json(res, 401, { error: 'invalid_client', error_description: 'secret s3cr3t-value is wrong' }),
    );
    const source = new ClientCredentialsTokenSource({
      tokenEndpoint: url,
      clientId: 'c',
      clientSecret: 's3cr3t-value',
    });

    const error = await source.token().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).message).toBe(
      `the token endpoint ${url} refused the client-credentials request: HTTP 401 (invalid_client)`,
    );
    expect((error as AdapterError).retryable).toBe(false);
  });

  it('refuses an answer larger than the limit and one without an access token', async () => {
    const big = await endpoint((_n, res) => json(res, 200, { access_token: 'x'.repeat(5000) }));
    const source = new ClientCredentialsTokenSource({
      tokenEndpoint: big.url,
      clientId: 'c',
      clientSecret: 's',
      maxResponseBytes: 1024,
    });
    await expect(source.token()).rejects.toThrow(/larger than the 1024 bytes allowed/);
    await new Promise((resolve) => server?.close(resolve));

    const empty = await endpoint((_n, res) => json(res, 200, { token_type: 'bearer' }));
    await expect(
      new ClientCredentialsTokenSource({ tokenEndpoint: empty.url, clientId: 'c', clientSecret: 's' }).token(),
    ).rejects.toThrow(`the token endpoint ${empty.url} answered HTTP 200 without an access_token`);
  });

  it('gives up after the timeout, naming the endpoint', async () => {
    const { url } = await endpoint(() => {
      // never answers
    });
    const source = new ClientCredentialsTokenSource({
      tokenEndpoint: url,
      clientId: 'c',
      clientSecret: 's',
      timeoutMs: 200,
    });

    await expect(source.token()).rejects.toThrow(
      `requesting an access token from the token endpoint ${url}: timed out`,
    );
    server?.closeAllConnections();
  });
});
