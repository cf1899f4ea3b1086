import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { GitCliSource } from '../../lib/adapters/git/git-cli-source.ts';
import { GitHubTarballSource } from '../../lib/adapters/git/github-tarball-source.ts';
import { OctokitGitHubReporter } from '../../lib/adapters/github/octokit-reporter.ts';
import { RecordingGitHubReporter } from '../../lib/adapters/github/recording-reporter.ts';
import type { GitSource } from '../../lib/ports/git-source.ts';
import type { PipelineLogger } from '../../lib/ports/logger.ts';
import type { GitHubReporter } from '../../lib/ports/reporter.ts';
import type { SecretResolver } from '../../lib/ports/secret-resolver.ts';
import type { WorkerConfig } from './config.ts';
import { readSetting } from './wiring-state.ts';

/**
 * How the functions talk to GitHub: a token, or a GitHub App installation (tokens minted per hour), or
 * `unset`: the credentials secret exists but holds no credential yet (the stack creates it holding
 * UNSET_SECRET_VALUE), so reports are skipped with `reason` instead of being sent with a bogus credential.
 */
export type GitHubAuth =
  | { type: 'token'; token: string }
  | { type: 'app'; appId: string; installationId: string; privateKey: string }
  | { type: 'unset'; reason: string };

/** What the stack puts in the GitHub credentials secret until the operator sets a real one (docs/deploy.md). */
export const UNSET_SECRET_VALUE = 'landscape:unset';

const isUnset = (value: string): boolean => {
  const trimmed = value.trim();
  return trimmed === '' || trimmed === UNSET_SECRET_VALUE;
};

/** The reason logged for every skipped report; names the secret (or variable) to fill, never a value. */
export const githubUnsetReason = (where: string): string =>
  `set the GitHub token (or the GitHub App private key) in secret ${where}`;

type GitHubAuthConfig = Pick<
  WorkerConfig,
  | 'GITHUB_TOKEN'
  | 'GITHUB_TOKEN_SECRET_ID'
  | 'GITHUB_APP_ID'
  | 'GITHUB_APP_INSTALLATION_ID'
  | 'GITHUB_APP_PRIVATE_KEY'
  | 'GITHUB_APP_PRIVATE_KEY_SECRET_ID'
>;

/**
 * The GitHub credentials of a function (cold start): the App when GITHUB_APP_ID is set, else a token; none
 * means reports are only logged. An incomplete App setting is an error that names what is missing. A secret
 * that is empty or still holds `landscape:unset` is `unset`: the function starts and says what to set.
 */
export async function resolveGitHubAuth(
  secrets: SecretResolver,
  config: GitHubAuthConfig,
): Promise<GitHubAuth | undefined> {
  if (config.GITHUB_APP_ID) {
    const privateKey = await readSetting(
      secrets,
      config.GITHUB_APP_PRIVATE_KEY,
      config.GITHUB_APP_PRIVATE_KEY_SECRET_ID,
    );
    if (privateKey !== undefined && isUnset(privateKey)) {
      return { type: 'unset', reason: githubUnsetReason(settingName(config, 'GITHUB_APP_PRIVATE_KEY')) };
    }
    const missing = [
      ...(config.GITHUB_APP_INSTALLATION_ID ? [] : ['GITHUB_APP_INSTALLATION_ID']),
      ...(privateKey ? [] : ['GITHUB_APP_PRIVATE_KEY or GITHUB_APP_PRIVATE_KEY_SECRET_ID']),
    ];
    if (missing.length > 0 || !privateKey || !config.GITHUB_APP_INSTALLATION_ID) {
      throw new Error(`GITHUB_APP_ID is set, so GitHub App authentication also needs ${missing.join(' and ')}`);
    }
    return { type: 'app', appId: config.GITHUB_APP_ID, installationId: config.GITHUB_APP_INSTALLATION_ID, privateKey };
  }
  const token = await readSetting(secrets, config.GITHUB_TOKEN, config.GITHUB_TOKEN_SECRET_ID);
  if (token === undefined) return undefined;
  if (isUnset(token)) return { type: 'unset', reason: githubUnsetReason(settingName(config, 'GITHUB_TOKEN')) };
  return { type: 'token', token: token.trim() };
}

/** `<id>` of the Secrets Manager secret a setting came from, or the variable that held it directly. */
function settingName(config: GitHubAuthConfig, variable: 'GITHUB_TOKEN' | 'GITHUB_APP_PRIVATE_KEY'): string {
  if (config[variable] !== undefined && config[variable] !== '') return `variable ${variable}`;
  return config[`${variable}_SECRET_ID`] ?? variable;
}

export function buildOctokit(
  auth: GitHubAuth | undefined,
  apiUrl: string | undefined,
  log?: PipelineLogger,
): Octokit | undefined {
  if (!auth) return undefined;
  if (auth.type === 'unset') {
    log?.warn('GitHub credentials not set: plan comments and check runs are skipped', { reason: auth.reason });
    return undefined;
  }
  // Failed requests become AdapterErrors logged by the pipeline; Octokit's own request log stays at debug.
  const quiet = (message: string) => log?.debug('octokit', { message });
  return new Octokit({
    ...(auth.type === 'token'
      ? { auth: auth.token }
      : {
          authStrategy: createAppAuth,
          auth: { appId: auth.appId, privateKey: auth.privateKey, installationId: auth.installationId },
        }),
    userAgent: 'landscape',
    ...(apiUrl ? { baseUrl: apiUrl } : {}),
    log: { debug: quiet, info: quiet, warn: (message: string) => log?.warn('octokit', { message }), error: quiet },
  });
}

/** GitHub REST tarballs on Lambda (no git binary); the git CLI when GIT_SOURCE=git (smart HTTP, local). */
export function buildGitSource(config: WorkerConfig, octokit: Octokit | undefined): GitSource {
  if (config.GIT_SOURCE === 'git') {
    return new GitCliSource({
      cacheDir: config.GIT_CACHE_DIR,
      ...(config.GIT_URLS ? { urls: config.GIT_URLS } : {}),
      ...(config.GIT_BASE_URL ? { baseUrl: config.GIT_BASE_URL } : {}),
    });
  }
  return new GitHubTarballSource({
    octokit: octokit ?? new Octokit({ userAgent: 'landscape' }),
    cacheDir: config.GIT_CACHE_DIR,
  });
}

/**
 * Octokit when a credential exists; otherwise reports are logged, each with the reason it was not sent (the
 * secret to fill when the credentials are `unset`, no token at all for local runs without GitHub).
 */
export function buildReporter(
  octokit: Octokit | undefined,
  log: PipelineLogger,
  auth?: GitHubAuth | undefined,
): GitHubReporter {
  if (octokit) return new OctokitGitHubReporter(octokit);
  const reason = auth?.type === 'unset' ? auth.reason : 'no GitHub token or App configured';
  return new RecordingGitHubReporter({
    limit: 100,
    ...(auth?.type === 'unset' ? { unavailable: reason } : {}),
    onReport: (report) => log.info('github report skipped', { report: report.type, reason, ...summary(report.input) }),
  });
}

function summary(input: object): Record<string, unknown> {
  const { body: _body, summary: _summary, annotations, ...rest } = input as Record<string, unknown>;
  return { ...rest, ...(Array.isArray(annotations) ? { annotations: annotations.length } : {}) };
}
