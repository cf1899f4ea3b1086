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

/** How the functions talk to GitHub: a token, or a GitHub App installation (tokens minted per hour). */
export type GitHubAuth =
  | { type: 'token'; token: string }
  | { type: 'app'; appId: string; installationId: string; privateKey: string };

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
 * means reports are only logged. An incomplete App setting is an error that names what is missing.
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
  return token ? { type: 'token', token } : undefined;
}

export function buildOctokit(
  auth: GitHubAuth | undefined,
  apiUrl: string | undefined,
  log?: PipelineLogger,
): Octokit | undefined {
  if (!auth) return undefined;
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

/** Octokit when a token exists; otherwise reports are logged (local runs without GitHub). */
export function buildReporter(octokit: Octokit | undefined, log: PipelineLogger): GitHubReporter {
  if (octokit) return new OctokitGitHubReporter(octokit);
  return new RecordingGitHubReporter({
    limit: 100,
    onReport: (report) =>
      log.info('github report (not sent: no token)', { report: report.type, ...summary(report.input) }),
  });
}

function summary(input: object): Record<string, unknown> {
  const { body: _body, summary: _summary, annotations, ...rest } = input as Record<string, unknown>;
  return { ...rest, ...(Array.isArray(annotations) ? { annotations: annotations.length } : {}) };
}
