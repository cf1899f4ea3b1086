import { generateKeyPairSync, type KeyObject, verify } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import { create as createTar } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOctokit, resolveGitHubAuth } from '../../../functions/shared/wiring-github.ts';
import { GitHubTarballSource } from '../../../lib/adapters/git/github-tarball-source.ts';
import { OctokitGitHubReporter } from '../../../lib/adapters/github/octokit-reporter.ts';
import { LocalSecretResolver } from '../../../lib/adapters/secrets/env-secret-resolver.ts';
import { freePort } from '../../support/net.ts';
import { registerTestSecret, SUITE_SECRETS } from '../../support/scan/suite-secrets.ts';

/** A GitHub REST API stand-in on loopback: records requests, answers like api.github.com. */
interface Recorded {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
  authorization: string | undefined;
}

const APP_ID = '12345';
const INSTALLATION_ID = '42';
const INSTALLATION_TOKEN = SUITE_SECRETS.GITHUB_INSTALLATION_TOKEN as string;
let appPublicKey: KeyObject | undefined;

/** Checks a GitHub App JWT as GitHub does: RS256 over header.payload with the app's public key, iss = app id. */
function verifiedAppJwt(authorization: string | undefined): { iss?: string; exp?: number; iat?: number } | undefined {
  const [header, payload, signature] = (authorization ?? '').replace(/^bearer /i, '').split('.');
  if (!header || !payload || !signature || !appPublicKey) return undefined;
  const ok = verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${payload}`),
    appPublicKey,
    Buffer.from(signature, 'base64url'),
  );
  return ok ? (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: string }) : undefined;
}

const SHA = '0123456789abcdef0123456789abcdef01234567';
const BASE_SHA = 'fedcba9876543210fedcba9876543210fedcba98';
let work: string;
let server: Server;
let octokit: Octokit;
const requests: Recorded[] = [];
let tarball: Buffer;
const comments: { id: number; body: string }[] = [{ id: 7, body: 'unrelated' }];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'landscape-gh-'));
  const src = join(work, 'src', 'acme-platform-config-0123456');
  await mkdir(join(src, 'topics'), { recursive: true });
  await writeFile(join(src, 'topics', 'a.yaml'), 'kind: Topic\n');
  const chunks: Buffer[] = [];
  for await (const chunk of createTar({ gzip: true, cwd: join(work, 'src') }, ['acme-platform-config-0123456'])) {
    chunks.push(chunk as Buffer);
  }
  tarball = Buffer.concat(chunks);

  server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const text = Buffer.concat(parts).toString('utf8');
      const path = (req.url ?? '').split('?')[0] ?? '';
      requests.push({
        method: req.method ?? '',
        path,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
        authorization: req.headers.authorization,
      });
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (path === `/app/installations/${INSTALLATION_ID}/access_tokens` && req.method === 'POST') {
        const claims = verifiedAppJwt(req.headers.authorization);
        if (claims?.iss !== APP_ID) send(401, { message: 'A JSON web token could not be decoded' });
        else send(201, { token: INSTALLATION_TOKEN, expires_at: new Date(Date.now() + 3600_000).toISOString() });
      } else if (path === `/repos/acme/platform-config/tarball/${SHA}`) {
        res.writeHead(200, { 'content-type': 'application/x-gzip' });
        res.end(tarball);
      } else if (path === '/repos/acme/platform-config/branches/main')
        send(200, { name: 'main', commit: { sha: SHA } });
      else if (path === '/repos/acme/platform-config/branches/gone') send(404, { message: 'Branch not found' });
      else if (path === '/repos/acme/platform-config/check-runs') send(201, { id: 99 });
      else if (path === '/repos/acme/platform-config/check-runs/99') send(200, { id: 99 });
      else if (path === '/repos/acme/platform-config/issues/43/comments' && req.method === 'GET') send(200, comments);
      else if (path === '/repos/acme/platform-config/issues/43/comments') {
        const body = JSON.parse(text) as { body: string };
        comments.push({ id: 8, body: body.body });
        send(201, { id: 8 });
      } else if (path.startsWith('/repos/acme/platform-config/issues/comments/')) send(200, { id: 8 });
      else if (path.startsWith('/repos/acme/platform-config/statuses/')) send(201, { id: 1 });
      else if (path === '/repos/acme/platform-config/pulls/43')
        send(200, {
          number: 43,
          state: 'open',
          head: { sha: SHA, ref: 'feature' },
          base: { sha: BASE_SHA, ref: 'main' },
        });
      else if (path === '/repos/acme/platform-config/pulls/404') send(404, { message: 'Not Found' });
      else send(500, { message: 'unexpected' });
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  octokit = new Octokit({ baseUrl: `http://127.0.0.1:${port}`, auth: 'test-token', request: { retries: 0 } });
});

afterAll(async () => {
  server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('GitHubTarballSource', () => {
  it('unpacks the tarball of a commit without its top folder and reuses it', async () => {
    const source = new GitHubTarballSource({ octokit, cacheDir: join(work, 'cache') });
    const dir = await source.checkout('acme/platform-config', SHA);
    expect(await readFile(join(dir, 'topics', 'a.yaml'), 'utf8')).toBe('kind: Topic\n');
    const before = requests.length;
    expect(await source.checkout('acme/platform-config', SHA)).toBe(dir);
    expect(requests.length).toBe(before);
  });

  it('resolves branches and refuses anything that is not a full SHA', async () => {
    const source = new GitHubTarballSource({ octokit, cacheDir: join(work, 'cache') });
    expect(await source.resolveBranch('acme/platform-config', 'main')).toBe(SHA);
    await expect(source.resolveBranch('acme/platform-config', 'gone')).rejects.toMatchObject({ code: 'NotFound' });
    await expect(source.checkout('acme/platform-config', 'main')).rejects.toMatchObject({ code: 'BadRequest' });
  });

  it('marks what GitHub may answer differently later as retryable (5xx), and a missing object as not (404)', async () => {
    const source = new GitHubTarballSource({ octokit, cacheDir: join(work, 'cache') });
    await expect(source.checkout('acme/platform-config', 'f'.repeat(40))).rejects.toMatchObject({
      name: 'AdapterError',
      retryable: true,
    });
    await expect(source.pullRequest('acme/platform-config', 404)).rejects.toMatchObject({
      name: 'AdapterError',
      retryable: false,
    });
  });
});

describe('GitHubTarballSource.pullRequest (for /landscape plan comments)', () => {
  it("returns a pull request's state, head and base, and names the pull request when GitHub refuses", async () => {
    const source = new GitHubTarballSource({ octokit, cacheDir: join(work, 'prs') });
    expect(await source.pullRequest('acme/platform-config', 43)).toEqual({
      number: 43,
      state: 'open',
      headSha: SHA,
      baseSha: BASE_SHA,
      baseRef: 'main',
    });
    await expect(source.pullRequest('acme/platform-config', 404)).rejects.toThrow(
      /reading pull request acme\/platform-config#404: .*404/,
    );
  });
});

describe('OctokitGitHubReporter', () => {
  const reporter = () => new OctokitGitHubReporter(octokit);

  it('creates a completed check run and sends annotations 50 at a time', async () => {
    requests.length = 0;
    const annotations = Array.from({ length: 60 }, (_, i) => ({
      path: 'topics/a.yaml',
      startLine: i + 1,
      endLine: i + 1,
      level: 'failure' as const,
      message: `problem ${i}`,
    }));
    await reporter().createCheckRun({
      repo: 'acme/platform-config',
      headSha: SHA,
      name: 'landscape plan (prod)',
      conclusion: 'failure',
      title: 'configuration has 60 problems',
      summary: 'see annotations',
      annotations,
    });
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /repos/acme/platform-config/check-runs',
      'PATCH /repos/acme/platform-config/check-runs/99',
    ]);
    const output = requests[0]?.body?.output as { annotations: { start_line: number; annotation_level: string }[] };
    expect(requests[0]?.body).toMatchObject({ head_sha: SHA, status: 'completed', conclusion: 'failure' });
    expect(output.annotations).toHaveLength(50);
    expect(output.annotations[0]).toMatchObject({ start_line: 1, annotation_level: 'failure', path: 'topics/a.yaml' });
  });

  it('adds one PR comment per marker and updates it afterwards', async () => {
    requests.length = 0;
    const input = { repo: 'acme/platform-config', number: 43, marker: '<!-- landscape:plan -->' };
    await reporter().commentOnPullRequest({ ...input, body: '<!-- landscape:plan -->\nfirst' });
    await reporter().commentOnPullRequest({ ...input, body: 'second' });
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /repos/acme/platform-config/issues/43/comments',
      'POST /repos/acme/platform-config/issues/43/comments',
      'GET /repos/acme/platform-config/issues/43/comments',
      'PATCH /repos/acme/platform-config/issues/comments/8',
    ]);
    expect(requests[3]?.body?.body).toBe('<!-- landscape:plan -->\nsecond');
  });

  it('sets commit statuses and turns API failures into AdapterErrors', async () => {
    requests.length = 0;
    await reporter().setCommitStatus({
      repo: 'acme/platform-config',
      sha: SHA,
      state: 'success',
      context: 'landscape/prod',
      description: 'x'.repeat(200),
    });
    expect(requests[0]).toMatchObject({ path: `/repos/acme/platform-config/statuses/${SHA}` });
    expect(String(requests[0]?.body?.description)).toHaveLength(140);
    await expect(
      reporter().setCommitStatus({ repo: 'acme/other', sha: SHA, state: 'success', context: 'c', description: 'd' }),
    ).rejects.toMatchObject({ name: 'AdapterError', retryable: true });
  });
});

describe('GitHub App authentication (functions/shared/wiring-github.ts)', () => {
  it('mints an installation token with a JWT signed by the app key, and sends it on every call', async () => {
    // Prepare: a fresh app key pair; GitHub keeps the public half.
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    appPublicKey = keys.publicKey;
    const privateKey = registerTestSecret(
      'GITHUB_APP_PRIVATE_KEY',
      keys.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    );
    const auth = await resolveGitHubAuth(new LocalSecretResolver({ env: {} }), {
      GITHUB_APP_ID: APP_ID,
      GITHUB_APP_INSTALLATION_ID: INSTALLATION_ID,
      GITHUB_APP_PRIVATE_KEY: privateKey,
    });
    const app = buildOctokit(auth, `http://127.0.0.1:${(server.address() as { port: number }).port}`);
    if (!app) throw new Error('expected an Octokit');
    requests.length = 0;
    const status = { repo: 'acme/platform-config', sha: SHA, state: 'success' as const, context: 'landscape/prod' };

    // Act
    await new OctokitGitHubReporter(app).setCommitStatus({ ...status, description: 'first' });
    await new OctokitGitHubReporter(app).setCommitStatus({ ...status, description: 'second' });

    // Assess: one token exchange (cached for its hour), then the installation token on each call.
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /app/installations/${INSTALLATION_ID}/access_tokens`,
      `POST /repos/acme/platform-config/statuses/${SHA}`,
      `POST /repos/acme/platform-config/statuses/${SHA}`,
    ]);
    const claims = verifiedAppJwt(requests[0]?.authorization);
    expect(claims?.iss).toBe(APP_ID);
    expect((claims?.exp ?? 0) - (claims?.iat ?? 0)).toBeLessThanOrEqual(600);
    expect(requests.slice(1).map((r) => r.authorization)).toEqual([
      `token ${INSTALLATION_TOKEN}`,
      `token ${INSTALLATION_TOKEN}`,
    ]);
  });

  it('names what an incomplete App setting lacks, and falls back to a token or to none', async () => {
    const secrets = new LocalSecretResolver({ env: {} });
    await expect(resolveGitHubAuth(secrets, { GITHUB_APP_ID: APP_ID })).rejects.toThrow(
      'GITHUB_APP_ID is set, so GitHub App authentication also needs GITHUB_APP_INSTALLATION_ID and GITHUB_APP_PRIVATE_KEY or GITHUB_APP_PRIVATE_KEY_SECRET_ID',
    );
    expect(await resolveGitHubAuth(secrets, { GITHUB_TOKEN: 'test-token' })).toEqual({
      type: 'token',
      token: 'test-token',
    });
    expect(await resolveGitHubAuth(secrets, {})).toBeUndefined();
  });
});
