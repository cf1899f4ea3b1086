import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveHttpAuth } from '../../../../lib/adapters/common/http/http-auth.ts';
import { RegistryClient } from '../../../../lib/adapters/schema-registry/registry-client.ts';
import type { SecretResolver } from '../../../../lib/ports/secret-resolver.ts';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/**
 * A token endpoint handing out token-1, token-2, … (each valid for an hour) and a service accepting only the
 * tokens in `accepted`: a token revoked before its expiry is what a 401 on a cached token means.
 */
async function tokenAndService(accepted: Set<string>) {
  const counts = { tokens: 0, calls: 0 };
  const listening = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/token') {
        counts.tokens++;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ access_token: `token-${counts.tokens}`, token_type: 'Bearer', expires_in: 3600 }));
        return;
      }
      counts.calls++;
      const ok = accepted.has((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      res.statusCode = ok ? 200 : 401;
      res.setHeader('content-type', 'application/json');
      res.end(ok ? '["orders-value"]' : '{"error_code":401,"message":"Unauthorized"}');
    });
  });
  server = listening;
  await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  const secrets: SecretResolver = { resolve: async () => 'client-secret' } as unknown as SecretResolver;
  const auth = await resolveHttpAuth(
    {
      url: base,
      oauth: {
        tokenEndpoint: `${base}/token`,
        clientId: 'landscape',
        clientSecret: { secretRef: { provider: 'env', name: 'S' } },
      },
    } as Parameters<typeof resolveHttpAuth>[0],
    secrets,
    'spec.schemaRegistry',
  );
  return { client: new RegistryClient({ url: base, ...auth, retries: 0 }), counts };
}

describe('OAuth bearer tokens refused before their expiry', () => {
  it('are discarded and the request is sent once more with a fresh token', async () => {
    const { client, counts } = await tokenAndService(new Set(['token-2']));
    await expect(client.request('GET', '/subjects')).resolves.toEqual(['orders-value']);
    expect(counts).toEqual({ tokens: 2, calls: 2 });
    // the fresh token is cached: no further token request
    await expect(client.request('GET', '/subjects')).resolves.toEqual(['orders-value']);
    expect(counts.tokens).toBe(2);
  });

  it('a fresh token refused too is reported as refused credentials, after one renewal only', async () => {
    const { client, counts } = await tokenAndService(new Set());
    await expect(client.request('GET', '/subjects')).rejects.toThrow(/refused the credentials \(auth: oauth, HTTP 401/);
    expect(counts).toEqual({ tokens: 2, calls: 2 });
  });
});
