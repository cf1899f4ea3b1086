// EKS-style token review webhook for the test kube-apiserver, on loopback (HTTPS).
// Usage: node eks-webhook.mjs <config.json>
//   config: { "host": "127.0.0.1", "port": 18444, "tlsCertFile": "...", "tlsKeyFile": "...",
//             "clusterId": "landscape-test", "maxClockSkewSeconds": 300,
//             "identities": [ { "accessKeyId": "...", "secretAccessKey": "...", "sessionToken"?: "...",
//                               "arn": "arn:aws:iam::...", "username": "...", "groups": ["..."] } ] }
//
// What a real EKS cluster does with `k8s-aws-v1.<base64url(presigned STS GetCallerIdentity URL)>` tokens, minus the
// call to STS: instead of forwarding the presigned URL to STS, this webhook recomputes the SigV4 query signature with
// the test credentials it knows (STS would do the same with the real ones). Checks, in the order a real
// authenticator applies them: token prefix and encoding; https scheme, an STS host, path "/"; only the query
// parameters a presigned GetCallerIdentity carries, each once; Action=GetCallerIdentity; x-k8s-aws-id among the
// signed headers; 0 <= X-Amz-Expires <= 900; X-Amz-Date no older than 15 minutes (and not in the future beyond the
// skew); credential scope <date>/<region>/sts/aws4_request matching the date and the host's region; a known access key
// (and its session token, if the identity has one); then the signature over the canonical request whose
// x-k8s-aws-id header is THIS cluster's id, so a token made for another cluster fails here.
// Answers the apiserver with a TokenReview (authentication.k8s.io/v1): the mapped username, uid and groups, or
// authenticated=false with a reason (never the token or a secret).

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';

const configPath = process.argv[2];
if (!configPath) {
  console.error('usage: eks-webhook.mjs <config.json>');
  process.exit(2);
}
const config = JSON.parse(readFileSync(configPath, 'utf8'));
const host = config.host ?? '127.0.0.1';
const port = Number(config.port);
const clusterId = config.clusterId;
const maxSkewMs = Number(config.maxClockSkewSeconds ?? 300) * 1000;
const PRESIGN_VALIDITY_MS = 15 * 60 * 1000;
const TOKEN_PREFIX = 'k8s-aws-v1.';
const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
const ALLOWED_PARAMS = new Set([
  'action',
  'version',
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-security-token',
  'x-amz-signature',
  'x-amz-signedheaders',
]);
// Global and regional STS endpoints (the regional ones name their region; the global one signs for us-east-1).
const STS_HOST = /^sts(?:-fips)?(?:\.([a-z0-9-]+))?\.amazonaws\.com(?:\.cn)?$/;

const identities = new Map((config.identities ?? []).map((identity) => [identity.accessKeyId, identity]));

class Rejected extends Error {}

const sha256Hex = (data) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key, data) => createHmac('sha256', key).update(data, 'utf8').digest();
// RFC 3986 encoding as SigV4 wants it: everything but unreserved characters, upper-case hex.
const uriEncode = (s) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function parseAmzDate(value) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  if (!m) throw new Rejected('X-Amz-Date is not in the yyyyMMddTHHmmssZ form');
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

/** Verifies one token; returns the identity it proves, or throws Rejected with a reason safe to log. */
function verifyToken(token, now = Date.now()) {
  if (typeof token !== 'string' || !token.startsWith(TOKEN_PREFIX)) throw new Rejected('not a k8s-aws-v1 token');
  const encoded = token.slice(TOKEN_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) throw new Rejected('token is not base64url');
  let url;
  try {
    url = new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw new Rejected('token does not hold a URL');
  }
  if (url.protocol !== 'https:') throw new Rejected(`unexpected scheme ${url.protocol}`);
  const hostMatch = STS_HOST.exec(url.host);
  if (!hostMatch) throw new Rejected(`host ${url.host} is not an STS endpoint`);
  if (url.pathname !== '/') throw new Rejected('unexpected path in the presigned URL');

  const params = new Map();
  for (const [key, value] of url.searchParams) {
    const lower = key.toLowerCase();
    if (!ALLOWED_PARAMS.has(lower)) throw new Rejected(`query parameter ${key} is not allowed`);
    if (params.has(lower)) throw new Rejected(`query parameter ${key} appears more than once`);
    params.set(lower, { key, value });
  }
  const get = (name) => params.get(name)?.value;
  if (get('action') !== 'GetCallerIdentity') throw new Rejected('Action is not GetCallerIdentity');
  if (get('x-amz-algorithm') !== 'AWS4-HMAC-SHA256') throw new Rejected('X-Amz-Algorithm is not AWS4-HMAC-SHA256');
  const signedHeaders = (get('x-amz-signedheaders') ?? '').split(';').filter(Boolean);
  if (!signedHeaders.includes(CLUSTER_ID_HEADER)) throw new Rejected(`the ${CLUSTER_ID_HEADER} header is not signed`);
  if (!signedHeaders.includes('host')) throw new Rejected('the host header is not signed');
  const unknownHeader = signedHeaders.find((h) => h !== 'host' && h !== CLUSTER_ID_HEADER);
  if (unknownHeader) throw new Rejected(`signed header ${unknownHeader} cannot be reproduced`);

  const expires = Number(get('x-amz-expires'));
  if (!Number.isInteger(expires) || expires < 0 || expires > 900) throw new Rejected('X-Amz-Expires is not 0..900');
  const amzDate = get('x-amz-date');
  const signedAt = parseAmzDate(amzDate);
  if (now > signedAt + PRESIGN_VALIDITY_MS) throw new Rejected('token expired (X-Amz-Date older than 15 minutes)');
  if (signedAt > now + maxSkewMs) throw new Rejected('X-Amz-Date is in the future');

  const [accessKeyId, scopeDate, region, service, terminator, ...rest] = (get('x-amz-credential') ?? '').split('/');
  if (rest.length > 0 || terminator !== 'aws4_request' || service !== 'sts') {
    throw new Rejected('X-Amz-Credential scope is not <key>/<date>/<region>/sts/aws4_request');
  }
  if (scopeDate !== amzDate.slice(0, 8)) throw new Rejected('credential scope date differs from X-Amz-Date');
  const hostRegion = hostMatch[1] ?? 'us-east-1';
  if (region !== hostRegion) throw new Rejected(`credential scope region ${region} does not match host ${url.host}`);
  const identity = identities.get(accessKeyId);
  if (!identity) throw new Rejected('unknown access key');
  if (identity.sessionToken !== undefined && get('x-amz-security-token') !== identity.sessionToken) {
    throw new Rejected('session token missing or wrong');
  }

  const canonicalQuery = [...params.values()]
    .filter(({ key }) => key !== 'X-Amz-Signature')
    .map(({ key, value }) => [uriEncode(key), uriEncode(value)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const headerValues = { host: url.host, [CLUSTER_ID_HEADER]: clusterId };
  const sortedHeaders = [...signedHeaders].sort();
  const canonicalRequest = [
    'GET',
    '/',
    canonicalQuery,
    sortedHeaders.map((h) => `${h}:${headerValues[h]}\n`).join(''),
    sortedHeaders.join(';'),
    sha256Hex(''),
  ].join('\n');
  const scope = `${scopeDate}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${identity.secretAccessKey}`, scopeDate);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const expected = Buffer.from(createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex'));
  const given = Buffer.from(get('x-amz-signature') ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new Rejected('signature does not match (wrong secret, another cluster id, or an altered URL)');
  }
  return identity;
}

function review(body) {
  const token = body?.spec?.token;
  try {
    const identity = verifyToken(token);
    const account = identity.arn.split(':')[4] ?? '';
    log(`authenticated ${identity.arn} as ${identity.username}`);
    return {
      authenticated: true,
      user: {
        username: identity.username,
        uid: `aws-iam-authenticator:${account}:${identity.accessKeyId}`,
        groups: identity.groups ?? [],
        extra: { arn: [identity.arn], accessKeyId: [identity.accessKeyId] },
      },
    };
  } catch (error) {
    if (!(error instanceof Rejected)) throw error;
    log(`refused: ${error.message}`);
    return { authenticated: false, error: error.message };
  }
}

function log(message) {
  console.log(`[eks-webhook ${new Date().toISOString()}] ${message}`);
}

const server = https.createServer(
  { cert: readFileSync(config.tlsCertFile), key: readFileSync(config.tlsKeyFile) },
  (req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('ok');
    }
    if (req.method !== 'POST' || !req.url?.startsWith('/authenticate')) {
      res.writeHead(404);
      return res.end();
    }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: 'body is not JSON' }));
      }
      const apiVersion = body?.apiVersion ?? 'authentication.k8s.io/v1';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ apiVersion, kind: 'TokenReview', status: review(body) }));
    });
  },
);

server.listen(port, host, () => console.log(`eks webhook ready https://${host}:${port}/authenticate`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
