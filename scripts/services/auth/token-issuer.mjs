// OAuth2 / OIDC token issuer for tests, on loopback: the identity provider that Kafka's own OIDC validator checks.
// Usage: node token-issuer.mjs <config.json>
//   config: { "port": 8490, "host": "127.0.0.1", "audience": "landscape-kafka", "tokenLifetimeSeconds": 3600,
//             "signingKeyFile"?: "<RSA private key, PEM>",
//             "clients": { "<client_id>": { "secret": "...", "subject": "...", "audience"?: "...",
//                                            "expiresInSeconds"?: -600, "scope"?: "..." } } }
// Endpoints:
//   GET  /.well-known/openid-configuration   issuer, jwks_uri, token_endpoint (discovery document)
//   GET  /jwks                               the public signing key (RSA, kid), as a JWK set
//   POST /token                              OAuth2 client-credentials grant; client authenticated by HTTP Basic
//                                            (RFC 6749 2.3.1, what Kafka's client sends) or client_id/client_secret
//                                            form fields. Issues an RS256 JWT with iss, aud, sub, iat, nbf, exp, jti.
// A client's "audience" and "expiresInSeconds" override the defaults: that is how tests get a wrong-audience or an
// already-expired token from a real token endpoint (negative expiresInSeconds = expired that many seconds ago).
// An authenticated client may also ask for them per request with the form fields test_audience and
// test_expires_in (used by tests whose client lets them add form fields).
// The signing key comes from signingKeyFile (generated at setup) or, without one, is generated at start (then a
// restart rotates it). Its kid is the RFC 7638 thumbprint.
// Prints "token issuer ready <url>" once listening. No secret is ever logged.

import {
  createHash,
  createPrivateKey,
  createPublicKey,
  createSign,
  generateKeyPairSync,
  randomUUID,
  timingSafeEqual,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

const configPath = process.argv[2];
if (!configPath) {
  console.error('usage: token-issuer.mjs <config.json>');
  process.exit(2);
}
const config = JSON.parse(readFileSync(configPath, 'utf8'));
const host = config.host ?? '127.0.0.1';
const port = Number(config.port);
const issuer = config.issuer ?? `http://${host}:${port}`;
const defaultLifetime = Number(config.tokenLifetimeSeconds ?? 3600);

// A key file keeps the key (and kid) across restarts, so brokers that cached the JWKS keep accepting new tokens.
const privateKey = config.signingKeyFile
  ? createPrivateKey(readFileSync(config.signingKeyFile))
  : generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' });
// RFC 7638 thumbprint: the same key always gets the same kid.
const kid = createHash('sha256')
  .update(JSON.stringify({ e: publicJwk.e, kty: publicJwk.kty, n: publicJwk.n }))
  .digest('base64url');
const jwk = { ...publicJwk, kid, use: 'sig', alg: 'RS256' };

const b64url = (data) => Buffer.from(data).toString('base64url');

function signJwt(claims) {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const payload = b64url(JSON.stringify(claims));
  const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(privateKey);
  return `${header}.${payload}.${b64url(signature)}`;
}

function sameSecret(given, expected) {
  const a = Buffer.from(String(given));
  const b = Buffer.from(String(expected));
  return a.length === b.length && timingSafeEqual(a, b);
}

// RFC 6749 2.3.1 says Basic credentials are form-urlencoded before base64; Kafka's client does that only with
// sasl.oauthbearer.header.urlencode=true (default false), as do many IdPs' clients. Accept either spelling.
function clientFromRequest(req, form) {
  const auth = req.headers.authorization ?? '';
  if (auth.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    const formDecode = (s) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        return s;
      }
    };
    const [rawId, rawSecret] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    return { id: formDecode(rawId), secrets: [rawSecret, formDecode(rawSecret)] };
  }
  if (form.has('client_id')) return { id: form.get('client_id'), secrets: [form.get('client_secret') ?? ''] };
  return null;
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

function issueToken(req, res, form) {
  if (form.get('grant_type') !== 'client_credentials') {
    return send(res, 400, { error: 'unsupported_grant_type' });
  }
  const given = clientFromRequest(req, form);
  const client = given ? config.clients?.[given.id] : undefined;
  if (!given || !client || !given.secrets.some((secret) => sameSecret(secret, client.secret))) {
    log(`token refused: unknown client or wrong secret (client_id ${JSON.stringify(given?.id ?? null)})`);
    return send(res, 401, { error: 'invalid_client' }, { 'www-authenticate': 'Basic realm="token"' });
  }
  const now = Math.floor(Date.now() / 1000);
  const lifetime = Number(form.get('test_expires_in') ?? client.expiresInSeconds ?? defaultLifetime);
  const audience = form.get('test_audience') ?? client.audience ?? config.audience;
  // An already-expired token was issued (and valid) in the past: keep iat/nbf before exp.
  const issuedAt = lifetime > 0 ? now : now + lifetime - 60;
  const claims = {
    iss: issuer,
    aud: audience,
    sub: client.subject ?? given.id,
    client_id: given.id,
    iat: issuedAt,
    nbf: issuedAt,
    exp: now + lifetime,
    jti: randomUUID(),
  };
  const scope = form.get('scope') || client.scope;
  if (scope) claims.scope = scope;
  log(`token issued to ${given.id}: sub ${claims.sub}, aud ${audience}, expires in ${lifetime}s`);
  return send(res, 200, {
    access_token: signJwt(claims),
    token_type: 'Bearer',
    expires_in: lifetime,
    ...(scope ? { scope } : {}),
  });
}

function log(message) {
  console.log(`[token-issuer ${new Date().toISOString()}] ${message}`);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', issuer);
  if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
    return send(res, 200, {
      issuer,
      jwks_uri: `${issuer}/jwks`,
      token_endpoint: `${issuer}/token`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
  }
  if (req.method === 'GET' && url.pathname === '/jwks') return send(res, 200, { keys: [jwk] });
  if (req.method === 'POST' && url.pathname === '/token') {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => issueToken(req, res, new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    return;
  }
  send(res, 404, { error: 'not_found' });
});

server.listen(port, host, () => console.log(`token issuer ready ${issuer}`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
