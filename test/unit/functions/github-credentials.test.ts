import { describe, expect, it } from 'vitest';
import { parseWebhookConfig } from '../../../functions/shared/config.ts';
import {
  buildOctokit,
  buildReporter,
  resolveGitHubAuth,
  UNSET_SECRET_VALUE,
} from '../../../functions/shared/wiring-github.ts';
import type { SecretRef } from '../../../lib/model/common.ts';
import { type JobRecord, jobValueName } from '../../../lib/model/job.ts';
import type { SecretResolver } from '../../../lib/ports/secret-resolver.ts';
import { runJob } from '../../../lib/use-cases/run-job.ts';
import { environmentYaml, topicDocument } from '../../support/builders.ts';
import { registerTestSecret } from '../../support/scan/suite-secrets.ts';
import { makeDeps, REPO } from '../use-cases/support.ts';

/** Secrets Manager as the functions see it: one secret per id, with what the stack or the operator put there. */
function secretsHolding(values: Record<string, string>): SecretResolver & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    resolve: async (ref: SecretRef) => {
      asked.push(ref.secretRef.name);
      const value = values[ref.secretRef.name];
      if (value === undefined) throw new Error(`no secret ${ref.secretRef.name}`);
      return value;
    },
  };
}

function recordingLog() {
  const lines: { level: string; message: string; attributes?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, attributes?: Record<string, unknown>) =>
    lines.push({ level, message, ...(attributes ? { attributes } : {}) });
  return { lines, log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

const CREDENTIALS_ID = 'landscape/github-credentials';
const APP_KEY_ID = 'landscape/github-app-key';
const SIGNING_ID = 'landscape/webhook-signing';
const REAL_TOKEN = registerTestSecret('GITHUB_UNSET_TEST_TOKEN', `ghp_${process.pid}realtoken`);
const REASON = `set the GitHub token (or the GitHub App private key) in secret ${CREDENTIALS_ID}`;

describe('GitHub credentials not set yet (issue 14, contract 3)', () => {
  it.each([
    ['the placeholder the stack creates', UNSET_SECRET_VALUE],
    ['an empty secret', ''],
    ['the placeholder with a trailing newline', `${UNSET_SECRET_VALUE}\n`],
  ])('treats %s as "not configured": no client, reports skipped with the secret to fill', async (_what, value) => {
    // Prepare: the token secret holds no token.
    const secrets = secretsHolding({ [CREDENTIALS_ID]: value });
    const { lines, log } = recordingLog();

    // Act: the cold start of the apply function, then one report.
    const auth = await resolveGitHubAuth(secrets, { GITHUB_TOKEN_SECRET_ID: CREDENTIALS_ID });
    const octokit = buildOctokit(auth, undefined, log);
    const reporter = buildReporter(octokit, log, auth);
    await reporter.createCheckRun({
      repo: 'acme/platform-config',
      headSha: 'a'.repeat(40),
      name: 'landscape plan (prod)',
      conclusion: 'success',
      title: 'no changes',
      summary: '',
      annotations: [],
    });

    // Assess: no Octokit carrying the placeholder as a token; the log says what to set, twice.
    expect(auth).toEqual({ type: 'unset', reason: REASON });
    expect(octokit).toBeUndefined();
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', attributes: { reason: REASON } }));
    expect(lines).toContainEqual(
      expect.objectContaining({
        message: 'github report skipped',
        attributes: expect.objectContaining({ report: 'check-run', reason: REASON }),
      }),
    );
    expect(JSON.stringify(lines)).not.toContain(UNSET_SECRET_VALUE);
  });

  it('treats an App private key secret that is not set the same way, naming that secret', async () => {
    const secrets = secretsHolding({ [APP_KEY_ID]: UNSET_SECRET_VALUE });
    const auth = await resolveGitHubAuth(secrets, {
      GITHUB_APP_ID: '12345',
      GITHUB_APP_INSTALLATION_ID: '678',
      GITHUB_APP_PRIVATE_KEY_SECRET_ID: APP_KEY_ID,
    });
    expect(auth).toEqual({
      type: 'unset',
      reason: `set the GitHub token (or the GitHub App private key) in secret ${APP_KEY_ID}`,
    });
  });

  it('still uses a real token, trimmed of the newline a pasted secret often has', async () => {
    const auth = await resolveGitHubAuth(secretsHolding({ [CREDENTIALS_ID]: `${REAL_TOKEN}\n` }), {
      GITHUB_TOKEN_SECRET_ID: CREDENTIALS_ID,
    });
    expect(auth).toEqual({ type: 'token', token: REAL_TOKEN });
  });
});

describe('a job while the GitHub credentials are not set', () => {
  it('plans a push and records, with its result, why nothing was reported on GitHub', async () => {
    // Prepare: the apply function's reporter as the cold start builds it from the placeholder secret.
    const { log } = recordingLog();
    const auth = await resolveGitHubAuth(secretsHolding({ [CREDENTIALS_ID]: UNSET_SECRET_VALUE }), {
      GITHUB_TOKEN_SECRET_ID: CREDENTIALS_ID,
    });
    const fixture = makeDeps({ reporter: buildReporter(buildOctokit(auth, undefined, log), log, auth) });
    const commit = 'c'.repeat(40);
    fixture.git.commits.set(commit, { 'env.yaml': environmentYaml(), 'topics.yaml': topicDocument('t.unset') });
    const job = {
      id: 'job-unset',
      type: 'plan-push' as const,
      repo: REPO,
      branch: 'main',
      commit,
      deliveryId: 'd-unset',
      receivedAt: '2026-11-25T10:00:00.000Z',
      actor: 'octocat',
    };

    // Act
    await runJob(fixture.deps, job);

    // Assess: the job is done (planned, its apply queued), and its record says what to set.
    const record = await fixture.store.getValue<JobRecord>(jobValueName(job.id));
    expect(record?.state).toBe('Done');
    expect(record?.message).toContain(`not reported on GitHub: ${REASON}`);
    expect(fixture.applies).toHaveLength(1);
  });
});

describe('webhook configuration (issue 14, contract 4)', () => {
  it('starts with the table and its own signing secret only: no bucket, no GitHub credentials', () => {
    const config = parseWebhookConfig({
      STATE_TABLE: 'landscape-state',
      GITHUB_WEBHOOK_SECRET_ID: SIGNING_ID,
      ALLOWED_REPOSITORIES: 'acme/platform-config',
      WORKER_FUNCTION_NAME: 'landscape-apply',
    });
    expect(config.store).toEqual({ LANDSCAPE_STORE: 'aws', STATE_TABLE: 'landscape-state' });
    expect(config).not.toHaveProperty('GITHUB_TOKEN_SECRET_ID');
    expect(config).not.toHaveProperty('PLATFORM_SECRETS_PREFIX');
  });
});
