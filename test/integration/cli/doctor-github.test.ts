import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../../lib/model/doctor.ts';
import { writeFiles } from '../../support/builders.ts';
import { type CliResult, landscapeCli } from '../../support/cli/landscape-cli.ts';
import { testEnvironmentYaml } from '../../support/kafka.ts';
import { registerTestSecret } from '../../support/scan/suite-secrets.ts';
import { uniqueName } from '../../support/unique-name.ts';

/**
 * The GitHub check of `landscape doctor` (GITHUB_TOKEN, GITHUB_API_URL, --repo) against a GitHub REST API
 * stand-in on loopback that answers GET /repos/{owner}/{repo} as api.github.com does: 401 for an unknown
 * token, 404 for a repository the token cannot see, `x-oauth-scopes` for classic tokens.
 */
const token = (name: string) => registerTestSecret(name, `ghp_${randomBytes(18).toString('base64url')}`);
const REPO_TOKEN = token('DOCTOR_GITHUB_REPO_TOKEN');
const NO_SCOPE_TOKEN = token('DOCTOR_GITHUB_NO_SCOPE_TOKEN');
const FINE_GRAINED_TOKEN = token('DOCTOR_GITHUB_FINE_GRAINED_TOKEN');
const UNKNOWN_TOKEN = token('DOCTOR_GITHUB_UNKNOWN_TOKEN');

const SCOPES: Record<string, string | undefined> = {
  [REPO_TOKEN]: 'repo, read:org',
  [NO_SCOPE_TOKEN]: 'read:user',
  [FINE_GRAINED_TOKEN]: undefined,
};

describe('landscape doctor: the GitHub check', { timeout: 120_000 }, () => {
  let server: Server;
  let api = '';
  let dir = '';
  const outputs: CliResult[] = [];
  const name = uniqueName('it-doctor-gh');

  beforeAll(async () => {
    server = createServer((req, res) => {
      const given = (req.headers.authorization ?? '').replace(/^(token|bearer) /i, '');
      if (!(given in SCOPES)) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Bad credentials' }));
        return;
      }
      if (req.url !== '/repos/acme/platform-config') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Not Found' }));
        return;
      }
      const scopes = SCOPES[given];
      res.writeHead(200, { 'content-type': 'application/json', ...(scopes ? { 'x-oauth-scopes': scopes } : {}) });
      res.end(
        JSON.stringify({
          full_name: 'acme/platform-config',
          private: true,
          permissions: { admin: false, push: true, pull: true },
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = await mkdtemp(join(tmpdir(), 'landscape-doctor-gh-'));
    await writeFiles(dir, { 'env.yaml': testEnvironmentYaml(name) });
  });

  afterAll(async () => {
    server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function github(githubToken: string, repo = 'acme/platform-config') {
    const result = await landscapeCli(['doctor', dir, '--env', name, '--json', '--repo', repo], {
      state: join(dir, '.state'),
      env: { GITHUB_TOKEN: githubToken, GITHUB_API_URL: api },
    });
    outputs.push(result);
    const report = JSON.parse(result.stdout) as DoctorReport;
    return { code: result.code, github: report.checks.filter((c) => c.target === 'github') };
  }

  it('passes a classic token with the repo scope', async () => {
    const { code, github: checks } = await github(REPO_TOKEN);
    expect(checks).toEqual([
      { target: 'github', check: 'repository', status: 'ok', detail: 'acme/platform-config is visible to the token' },
      { target: 'github', check: 'token scopes', status: 'ok', detail: 'classic token with scopes repo, read:org' },
    ]);
    expect(code).toBe(0);
  });

  it('names a classic token without the repo scope, an unknown token and an invisible repository', async () => {
    const scopes = await github(NO_SCOPE_TOKEN);
    expect(scopes.code).toBe(1);
    expect(scopes.github[1]).toMatchObject({
      check: 'token scopes',
      status: 'failed',
      detail: 'classic token with scopes "read:user"',
      fix: expect.stringContaining('"repo" scope'),
    });
    const unknown = await github(UNKNOWN_TOKEN);
    expect(unknown.github).toEqual([
      expect.objectContaining({ check: 'token', status: 'failed', detail: expect.stringContaining('HTTP 401') }),
    ]);
    const invisible = await github(REPO_TOKEN, 'acme/elsewhere');
    expect(invisible.github).toEqual([
      expect.objectContaining({ check: 'repository', status: 'failed', detail: expect.stringContaining('HTTP 404') }),
    ]);
  });

  it('says what a fine-grained token needs, since GitHub does not report its permissions', async () => {
    const { github: checks } = await github(FINE_GRAINED_TOKEN);
    expect(checks[1]).toMatchObject({ check: 'token permissions', status: 'ok' });
    expect(checks[1]?.detail).toContain('Pull requests: write');
  });

  it('prints no token in any output', () => {
    for (const output of outputs) {
      for (const value of [REPO_TOKEN, NO_SCOPE_TOKEN, FINE_GRAINED_TOKEN, UNKNOWN_TOKEN]) {
        expect(`${output.stdout}${output.stderr}`).not.toContain(value);
      }
    }
  });
});
