import { Octokit } from '@octokit/rest';
import { GitCliSource } from '../../lib/adapters/git/git-cli-source.ts';
import { GitHubTarballSource } from '../../lib/adapters/git/github-tarball-source.ts';
import { OctokitGitHubReporter } from '../../lib/adapters/github/octokit-reporter.ts';
import { RecordingGitHubReporter } from '../../lib/adapters/github/recording-reporter.ts';
import type { PipelineLogger } from '../../lib/pipeline/deps.ts';
import type { GitSource } from '../../lib/ports/git-source.ts';
import type { GitHubReporter } from '../../lib/ports/reporter.ts';
import type { WorkerConfig } from './config.ts';

export function buildOctokit(
  token: string | undefined,
  apiUrl: string | undefined,
  log?: PipelineLogger,
): Octokit | undefined {
  if (!token) return undefined;
  // Failed requests become AdapterErrors logged by the pipeline; Octokit's own request log stays at debug.
  const quiet = (message: string) => log?.debug('octokit', { message });
  return new Octokit({
    auth: token,
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
