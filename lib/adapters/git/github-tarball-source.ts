import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Octokit } from '@octokit/rest';
import { x as extract } from 'tar';
import { AdapterError, ReconcilerError } from '../../errors.ts';
import type { GitSource, PullRequestRef } from '../../ports/git-source.ts';

const SHA = /^[0-9a-f]{40}$/;
const REPO = /^([\w.-]+)\/([\w.-]+)$/;

export interface GitHubTarballSourceOptions {
  octokit: Octokit;
  /** On Lambda: under /tmp. Checkouts are reused per commit. */
  cacheDir: string;
}

/**
 * GitSource over the GitHub REST API: the tarball of exactly one commit (`GET /repos/{o}/{r}/tarball/{sha}`),
 * unpacked without the top-level folder. No git binary needed (Lambda has none).
 */
export class GitHubTarballSource implements GitSource {
  readonly #octokit: Octokit;
  readonly #cacheDir: string;

  constructor(options: GitHubTarballSourceOptions) {
    this.#octokit = options.octokit;
    this.#cacheDir = options.cacheDir;
  }

  async pullRequest(repo: string, number: number): Promise<PullRequestRef> {
    const { owner, name } = parseRepo(repo);
    try {
      const { data } = await this.#octokit.rest.pulls.get({ owner, repo: name, pull_number: number });
      return {
        number,
        state: data.state === 'open' ? 'open' : 'closed',
        headSha: data.head.sha,
        baseSha: data.base.sha,
        baseRef: data.base.ref,
      };
    } catch (error) {
      throw new AdapterError(`reading pull request ${repo}#${number}: ${statusOf(error)}`, {
        cause: error,
        retryable: transient(error),
      });
    }
  }

  async checkout(repo: string, commit: string): Promise<string> {
    const { owner, name } = parseRepo(repo);
    if (!SHA.test(commit)) throw new ReconcilerError('BadRequest', `"${commit}" is not a full commit SHA`);
    const dir = join(this.#cacheDir, `${owner}__${name}`.toLowerCase(), commit);
    if (await exists(join(dir, '.landscape-complete'))) return dir;
    let data: ArrayBuffer;
    try {
      const response = await this.#octokit.rest.repos.downloadTarballArchive({ owner, repo: name, ref: commit });
      data = response.data as ArrayBuffer;
    } catch (error) {
      throw new AdapterError(`downloading "${repo}" at ${commit.slice(0, 12)}: ${statusOf(error)}`, {
        cause: error,
        retryable: transient(error),
      });
    }
    const tmp = `${dir}.${process.pid}.${Date.now()}.tmp`;
    await mkdir(tmp, { recursive: true });
    try {
      await pipeline(Readable.from(Buffer.from(data)), extract({ cwd: tmp, strip: 1 }));
      await writeFile(join(tmp, '.landscape-complete'), `${commit}\n`);
      await rm(dir, { recursive: true, force: true });
      await rename(tmp, dir);
      return dir;
    } catch (error) {
      await rm(tmp, { recursive: true, force: true });
      if (await exists(join(dir, '.landscape-complete'))) return dir;
      throw new AdapterError(`unpacking "${repo}" at ${commit.slice(0, 12)}`, { cause: error });
    }
  }

  async resolveBranch(repo: string, branch: string): Promise<string> {
    const { owner, name } = parseRepo(repo);
    try {
      const { data } = await this.#octokit.rest.repos.getBranch({ owner, repo: name, branch });
      return data.commit.sha;
    } catch (error) {
      if ((error as { status?: number }).status === 404) {
        throw new ReconcilerError('NotFound', `branch "${branch}" does not exist in "${repo}"`, { cause: error });
      }
      throw new AdapterError(`resolving "${repo}" branch "${branch}": ${statusOf(error)}`, {
        cause: error,
        retryable: transient(error),
      });
    }
  }
}

function parseRepo(repo: string): { owner: string; name: string } {
  const match = REPO.exec(repo);
  if (!match?.[1] || !match[2]) throw new ReconcilerError('BadRequest', `repository "${repo}" is not "owner/name"`);
  return { owner: match[1], name: match[2] };
}

/**
 * Whether GitHub may answer differently later: no answer at all (network), 5xx, 429, or a 403 that is a rate
 * limit. A 404 (no such commit or repository) or a refused credential will not change: the job fails at once.
 */
function transient(error: unknown): boolean {
  const { status, response } = error as { status?: number; response?: { headers?: Record<string, string> } };
  if (!status) return true;
  if (status >= 500 || status === 429) return true;
  return status === 403 && response?.headers?.['x-ratelimit-remaining'] === '0';
}

function statusOf(error: unknown): string {
  const status = (error as { status?: number }).status;
  return status ? `GitHub answered ${status}` : error instanceof Error ? error.message : String(error);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
