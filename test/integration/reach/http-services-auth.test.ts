import { createPublicKey, type JsonWebKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTopicSampler } from '../../../lib/adapters/kafka/topic-sampler.ts';
import { testKafkaConnection } from '../../../scripts/services/kafka-broker.ts';
import { writeFiles } from '../../support/builders.ts';
import { type CliResult, landscapeCli } from '../../support/cli/landscape-cli.ts';
import { envSecretResolver, testEnvironmentYaml } from '../../support/kafka.ts';
import { registerTestSecret } from '../../support/scan/suite-secrets.ts';
import { registerPrivateKey } from './kubernetes-support.ts';

/**
 * The schema registry and Connect clients over mutual TLS with an OAuth bearer token from the real token issuer
 * of scripts/services/auth.sh (RECIPES.md section 10). The shared Apicurio and Connect of the test bench are
 * plain HTTP without authentication and cannot be reconfigured (other tests use them), so this test puts its own
 * node:https server in front of them that REQUIRES a client certificate signed by the test CA (a real TLS
 * handshake) and VALIDATES the bearer JWT against the issuer's JWKS (RS256 signature, issuer, audience, expiry),
 * then forwards the call. It proves Landscape's HTTP client side (certificate, CA, token fetching, refusals),
 * not Apicurio's or Connect's own mTLS/OIDC configuration.
 */
const up = Boolean(
  process.env.OAUTH_TOKEN_URL &&
    process.env.AUTH_CA_FILE &&
    process.env.KAFKA_MTLS_CERT_FILE &&
    process.env.SCHEMA_REGISTRY_URL &&
    process.env.KAFKA_CONNECT_URL,
);
const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: start the services with \`bash scripts/services/up.sh auth-kafka\``);
  return value;
};
for (const name of ['OAUTH_CLIENT_SECRET', 'OAUTH_EXPIRED_CLIENT_SECRET']) {
  if (process.env[name]) registerTestSecret(name, process.env[name] as string);
}

/** Why a request was refused, as the front server saw it (the test asserts on it). */
type Refusal = 'no token' | 'bad signature' | 'wrong issuer' | 'wrong audience' | 'expired';

async function jwtChecker(): Promise<(token: string) => Refusal | undefined> {
  const { keys } = (await (await fetch(env('OAUTH_JWKS_URL'))).json()) as { keys: (JsonWebKey & { kid: string })[] };
  return (token) => {
    const [header, payload, signature] = token.split('.');
    if (!header || !payload || !signature) return 'no token';
    const { kid, alg } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string; alg: string };
    const jwk = keys.find((k) => k.kid === kid);
    if (!jwk || alg !== 'RS256') return 'bad signature';
    const ok = verify(
      'RSA-SHA256',
      Buffer.from(`${header}.${payload}`),
      createPublicKey({ key: jwk, format: 'jwk' }),
      Buffer.from(signature, 'base64url'),
    );
    if (!ok) return 'bad signature';
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
      iss: string;
      aud: string;
      exp: number;
    };
    if (claims.iss !== env('OAUTH_ISSUER_URL')) return 'wrong issuer';
    if (claims.aud !== env('OAUTH_AUDIENCE')) return 'wrong audience';
    if (claims.exp * 1000 <= Date.now()) return 'expired';
    return undefined;
  };
}

describe.skipIf(!up)(
  'schema registry and Connect clients over mutual TLS with OAuth tokens',
  { timeout: 180_000 },
  () => {
    let front: https.Server;
    let origin = '';
    const refusals: Refusal[] = [];
    const clientSubjects: string[] = [];
    let work = '';
    const ca = () => readFileSync(env('AUTH_CA_FILE'), 'utf8');
    const clientKey = () =>
      registerPrivateKey('REACH_HTTP_CLIENT_KEY', readFileSync(env('KAFKA_MTLS_KEY_FILE'), 'utf8'));

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'landscape-reach-http-'));
      const check = await jwtChecker();
      const registry = new URL(env('SCHEMA_REGISTRY_URL'));
      const connect = new URL(env('KAFKA_CONNECT_URL'));
      front = https.createServer(
        {
          cert: readFileSync(join(env('AUTH_DIR'), 'broker.crt')),
          key: readFileSync(join(env('AUTH_DIR'), 'broker.key')),
          ca: ca(),
          requestCert: true,
          rejectUnauthorized: true,
        },
        (req, res) => {
          const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
          clientSubjects.push(String(peer.subject?.CN ?? ''));
          const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
          const refusal = token ? check(token) : 'no token';
          if (refusal) {
            refusals.push(refusal);
            res.writeHead(401, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ error_code: 40101, message: 'Unauthorized' }));
            return;
          }
          // Registry paths (Confluent and Apicurio native APIs) live under /apis; everything else is Connect.
          const target = new URL(req.url ?? '/', req.url?.startsWith('/apis/') ? registry.origin : connect.origin);
          const headers = { ...req.headers, host: target.host };
          delete headers.authorization;
          const upstream = http.request(target, { method: req.method, headers }, (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          });
          upstream.on('error', () => {
            res.writeHead(502);
            res.end();
          });
          req.pipe(upstream);
        },
      );
      await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
      origin = `https://127.0.0.1:${(front.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      front?.close();
      if (work) await rm(work, { recursive: true, force: true });
    });

    const pem = (text: string, indent: number) =>
      `|\n${text
        .trim()
        .split('\n')
        .map((l) => `${' '.repeat(indent)}${l}`)
        .join('\n')}`;

    /** `schemaRegistry` and `connect` blocks through the front server with the given TLS and OAuth settings. */
    function services(
      options: { clientCert?: boolean; certFile?: string; clientId?: string; secretVar?: string } = {},
    ): string {
      const tls = `tls:
      ca: ${pem(ca(), 8)}${
        options.clientCert === false
          ? ''
          : `
      clientCertificate: ${pem(readFileSync(options.certFile ?? env('KAFKA_MTLS_CERT_FILE'), 'utf8'), 8)}
      clientKey: { secretRef: { provider: env, name: REACH_CLIENT_KEY } }`
      }`;
      const oauth = `oauth:
      tokenEndpoint: ${env('OAUTH_TOKEN_URL')}
      clientId: ${options.clientId ?? env('OAUTH_CLIENT_ID')}
      clientSecret: { secretRef: { provider: env, name: ${options.secretVar ?? 'REACH_OAUTH_SECRET'} } }`;
      const registryPath = new URL(env('SCHEMA_REGISTRY_URL')).pathname;
      return `  schemaRegistry:
    url: ${origin}${registryPath}
    ${tls}
    ${oauth}
  connect:
    default:
      url: ${origin}
      ${tls.replaceAll('\n', '\n  ')}
      ${oauth.replaceAll('\n', '\n  ')}
`;
    }

    async function configFor(name: string, servicesYaml: string): Promise<{ dir: string; state: string }> {
      const dir = await mkdtemp(join(work, 'cfg-'));
      const state = join(dir, '.state');
      await mkdir(state);
      await writeFiles(dir, {
        'env.yaml': testEnvironmentYaml(name, {
          prune: ['Topic', 'Acl'],
          requireApprovalFor: 'none',
          extra: servicesYaml,
        }),
        'schema.yaml': `apiVersion: landscape.dev/v1
kind: Schema
metadata: { name: ${name}-value }
spec:
  schema: { type: record, name: Reach, namespace: reach, fields: [{ name: id, type: string }] }
---
apiVersion: landscape.dev/v1
kind: Connector
metadata: { name: ${name}-sink }
spec:
  class: FileStreamSink
  tasksMax: 1
  config: { topics: ${name}-in, file: /tmp/${name}.txt }
`,
      });
      return { dir, state };
    }

    const cliEnv = (extra: Record<string, string> = {}) => ({
      REACH_CLIENT_KEY: clientKey(),
      REACH_OAUTH_SECRET: env('OAUTH_CLIENT_SECRET'),
      REACH_EXPIRED_SECRET: env('OAUTH_EXPIRED_CLIENT_SECRET'),
      ...extra,
    });
    const secretsIn = (r: CliResult) =>
      [env('OAUTH_CLIENT_SECRET'), env('OAUTH_EXPIRED_CLIENT_SECRET'), keyLine(clientKey())].filter((s) =>
        `${r.stdout}${r.stderr}`.includes(s),
      );

    it('plans, applies and converges a Schema and a Connector with a client certificate and an OAuth token', async () => {
      const name = `rch-http-${Date.now().toString(36)}`;
      const { dir, state } = await configFor(name, services());
      const run = (...args: string[]) => landscapeCli(args, { cwd: dir, state, env: cliEnv() });

      const plan = await run('plan', '.', '--env', name);
      const apply = await run('apply', '.', '--env', name, '--auto-approve');
      const again = await run('plan', '.', '--env', name);

      expect(plan.code, plan.stderr).toBe(2);
      expect(plan.stdout).toContain(`${name}-value`);
      expect(plan.stdout).toContain(`${name}-sink`);
      expect(apply.code, `${apply.stdout}\n${apply.stderr}`).toBe(0);
      expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
      expect(refusals).toEqual([]);
      expect(new Set(clientSubjects)).toEqual(new Set(['landscape-client']));
      for (const result of [plan, apply, again]) expect(secretsIn(result)).toEqual([]);
      const live = await fetch(`${env('SCHEMA_REGISTRY_URL')}/subjects/${name}-value/versions/latest`);
      expect(live.status).toBe(200);
      await fetch(`${env('KAFKA_CONNECT_URL')}/connectors/${name}-sink`, { method: 'DELETE' });
    });

    it('the topic sampler reads registry schemas with the same client certificate and OAuth token', async () => {
      // Prepare: a schema registered directly; the sampler reaches the registry only through the front server.
      const subject = `rch-http-sample-${Date.now().toString(36)}-value`;
      const schema = JSON.stringify({ type: 'record', name: 'Sampled', fields: [{ name: 'id', type: 'string' }] });
      const registered = await fetch(`${env('SCHEMA_REGISTRY_URL')}/subjects/${subject}/versions`, {
        method: 'POST',
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({ schema }),
      });
      const { id } = (await registered.json()) as { id: number };
      const secrets = envSecretResolver({
        REACH_CLIENT_KEY: clientKey(),
        REACH_OAUTH_SECRET: env('OAUTH_CLIENT_SECRET'),
      });
      const sampler = await openTopicSampler(
        {
          kafka: testKafkaConnection(),
          schemaRegistry: {
            url: `${origin}${new URL(env('SCHEMA_REGISTRY_URL')).pathname}`,
            tls: {
              ca: ca(),
              clientCertificate: readFileSync(env('KAFKA_MTLS_CERT_FILE'), 'utf8'),
              clientKey: { secretRef: { provider: 'env', name: 'REACH_CLIENT_KEY' } },
            },
            oauth: {
              tokenEndpoint: env('OAUTH_TOKEN_URL'),
              clientId: env('OAUTH_CLIENT_ID'),
              clientSecret: { secretRef: { provider: 'env', name: 'REACH_OAUTH_SECRET' } },
            },
          },
        },
        secrets,
      );
      const refusedBefore = refusals.length;

      // Act
      let fetched: Awaited<ReturnType<typeof sampler.schema>>;
      try {
        fetched = await sampler.schema(id);
      } finally {
        await sampler.close();
        await fetch(`${env('SCHEMA_REGISTRY_URL')}/subjects/${subject}`, { method: 'DELETE' });
      }

      // Assess
      expect(JSON.parse(fetched.schema)).toEqual(JSON.parse(schema));
      expect(refusals.length).toBe(refusedBefore);
    });

    it('without a client certificate the handshake is refused: exit 1 naming the registry URL', async () => {
      const name = `rch-http-nocert-${Date.now().toString(36)}`;
      const { dir, state } = await configFor(name, services({ clientCert: false }));

      const plan = await landscapeCli(['plan', '.', '--env', name], { cwd: dir, state, env: cliEnv() });

      expect(plan.code).toBe(1);
      expect(plan.stderr).toContain(`at ${origin}`);
      expect(plan.stderr).toContain(
        '(the server requires a client certificate: set tls.clientCertificate and tls.clientKey)',
      );
    });

    it('a client certificate from another CA is refused: exit 1 naming the URL', async () => {
      const name = `rch-http-otherca-${Date.now().toString(36)}`;
      const withOtherCertificate = services({ certFile: env('KAFKA_MTLS_OTHER_CA_CERT_FILE') });
      const { dir, state } = await configFor(name, withOtherCertificate);
      const otherKey = registerPrivateKey(
        'REACH_HTTP_OTHER_KEY',
        readFileSync(env('KAFKA_MTLS_OTHER_CA_KEY_FILE'), 'utf8'),
      );

      const plan = await landscapeCli(['plan', '.', '--env', name], {
        cwd: dir,
        state,
        env: cliEnv({ REACH_CLIENT_KEY: otherKey }),
      });

      expect(plan.code).toBe(1);
      expect(plan.stderr).toContain(`at ${origin}`);
      expect(plan.stderr).toMatch(/the server (may have )?refused the client certificate/);
    });

    it('a wrong client secret: the token endpoint and its HTTP status, never the secret', async () => {
      const name = `rch-http-secret-${Date.now().toString(36)}`;
      const { dir, state } = await configFor(name, services({ secretVar: 'REACH_WRONG_SECRET' }));

      const plan = await landscapeCli(['plan', '.', '--env', name], {
        cwd: dir,
        state,
        env: cliEnv({ REACH_WRONG_SECRET: registerTestSecret('REACH_WRONG_SECRET', `${env('OAUTH_CLIENT_SECRET')}x`) }),
      });

      expect(plan.code).toBe(1);
      expect(plan.stderr).toContain(
        `the token endpoint ${env('OAUTH_TOKEN_URL')} refused the client-credentials request: HTTP 401`,
      );
      expect(secretsIn(plan)).toEqual([]);
    });

    it('an expired token is refused by the server: the URL and the auth type', async () => {
      const name = `rch-http-expired-${Date.now().toString(36)}`;
      const { dir, state } = await configFor(
        name,
        services({ clientId: env('OAUTH_EXPIRED_CLIENT_ID'), secretVar: 'REACH_EXPIRED_SECRET' }),
      );
      const before = refusals.length;

      const plan = await landscapeCli(['plan', '.', '--env', name], { cwd: dir, state, env: cliEnv() });

      expect(plan.code).toBe(1);
      expect(plan.stderr).toMatch(/refused the credentials \(auth: oauth\+mtls, HTTP 401 on GET /);
      expect(refusals.slice(before)).toContain('expired');
    });
  },
);

const keyLine = (pem: string) => pem.split('\n').find((l) => l && !l.startsWith('-----')) ?? pem;
