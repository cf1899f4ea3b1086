import { execFile } from 'node:child_process';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AdapterError, ReconcilerError } from '../../errors.ts';
import type { GitSource } from '../../ports/git-source.ts';

const run = promisify(execFile);
const SHA = /^[0-9a-f]{40}$/;
const REPO = /^[\w.-]+\/[\w.-]+$/;
const BRANCH = /^(?!-)[\w./-]+$/;
/** git's words for "what you asked for does not exist": retrying cannot help. */
const PERMANENT =
  /not our ref|couldn't find remote ref|repository '[^']*' not found|does not appear to be a git repository|unadvertised object|the requested URL returned error: 40[34]/i;

export interface GitCliSourceOptions {
  /** Clone URL of a repository `owner/name`: a map entry, or `${baseUrl}/${owner}/${name}.git`. */
  urls?: Readonly<Record<string, string>>;
  baseUrl?: string;
  /** Checkouts land in `<cacheDir>/<owner>__<name>/<sha>` and are reused (a commit never changes). */
  cacheDir: string;
  /** Extra environment for git (e.g. GIT_ASKPASS); credentials never go into argv or logs. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/**
 * GitSource over any git remote (smart HTTP, SSH, file) with the git CLI: a shallow fetch of exactly the
 * commit asked for (`git init; git fetch --depth 1 <url> <sha>; git checkout`). The payload of a webhook is
 * only a hint: what is fetched is the SHA, validated, never a ref name from the payload.
 */
export class GitCliSource implements GitSource {
  readonly #options: GitCliSourceOptions;
  readonly #inflight = new Map<string, Promise<string>>();

  constructor(options: GitCliSourceOptions) {
    this.#options = options;
  }

  /**
   * The clone URL of `owner/name`. Repository names are case-insensitive (as on GitHub): a map entry is found
   * whatever its spelling, and base-URL paths use the lower-case name, so one repository is one URL and one
   * cache directory.
   */
  urlOf(repo: string): string {
    if (!REPO.test(repo)) throw new ReconcilerError('BadRequest', `repository "${repo}" is not "owner/name"`);
    const name = repo.toLowerCase();
    const mapped = Object.entries(this.#options.urls ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];
    const url =
      mapped ?? (this.#options.baseUrl ? `${this.#options.baseUrl.replace(/\/$/, '')}/${name}.git` : undefined);
    if (!url) throw new ReconcilerError('NotFound', `no clone URL configured for repository "${repo}"`);
    return url;
  }

  async checkout(repo: string, commit: string): Promise<string> {
    if (!SHA.test(commit)) throw new ReconcilerError('BadRequest', `"${commit}" is not a full commit SHA`);
    const dir = join(this.#options.cacheDir, repo.toLowerCase().replace('/', '__'), commit);
    const key = `${repo.toLowerCase()}@${commit}`;
    const running = this.#inflight.get(key);
    if (running) return running;
    const work = this.#fetch(repo, commit, dir).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, work);
    return work;
  }

  async #fetch(repo: string, commit: string, dir: string): Promise<string> {
    if (await exists(join(dir, '.landscape-complete'))) return dir;
    const url = this.urlOf(repo);
    const tmp = `${dir}.${process.pid}.${Date.now()}.tmp`;
    await mkdir(tmp, { recursive: true });
    try {
      await this.#git(tmp, ['init', '-q']);
      await this.#git(
        tmp,
        ['fetch', '-q', '--depth', '1', '--no-tags', url, commit],
        `fetching "${repo}" at ${commit.slice(0, 12)}`,
      );
      await this.#git(tmp, ['-c', 'advice.detachedHead=false', 'checkout', '-q', '--detach', 'FETCH_HEAD']);
      await rm(join(tmp, '.git'), { recursive: true, force: true });
      await writeFile(join(tmp, '.landscape-complete'), `${commit}\n`);
      await rm(dir, { recursive: true, force: true });
      await rename(tmp, dir);
      return dir;
    } catch (error) {
      await rm(tmp, { recursive: true, force: true });
      if (await exists(join(dir, '.landscape-complete'))) return dir; // a concurrent process won the race
      throw error;
    }
  }

  async resolveBranch(repo: string, branch: string): Promise<string> {
    if (!BRANCH.test(branch)) throw new ReconcilerError('BadRequest', `"${branch}" is not a branch name`);
    const { stdout } = await this.#git(
      undefined,
      ['ls-remote', '--heads', this.urlOf(repo), `refs/heads/${branch}`],
      `resolving "${repo}" branch "${branch}"`,
    );
    const sha = stdout.trim().split(/\s+/)[0] ?? '';
    if (!SHA.test(sha)) throw new ReconcilerError('NotFound', `branch "${branch}" does not exist in "${repo}"`);
    return sha;
  }

  async #git(cwd: string | undefined, args: string[], doing?: string): Promise<{ stdout: string }> {
    try {
      const { stdout } = await run('git', args, {
        ...(cwd ? { cwd } : {}),
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', ...this.#options.env },
        timeout: this.#options.timeoutMs ?? 120_000,
        maxBuffer: 16 * 1024 * 1024,
      });
      return { stdout };
    } catch (error) {
      const stderr = String((error as { stderr?: unknown }).stderr ?? '')
        .trim()
        .split('\n')
        .slice(-2)
        .join(' ');
      // The host down, refusing, timing out: worth retrying. A repository or commit that is not there: not.
      // Without a word from git (killed by the timeout, a signal), say how it ended rather than nothing.
      const failure = error as { code?: unknown; signal?: unknown };
      const ended =
        typeof failure.signal === 'string' && failure.signal
          ? `git was stopped by signal ${failure.signal}`
          : `git ended with exit code ${String(failure.code ?? 'unknown')}`;
      throw new AdapterError(`${doing ?? `running git ${args[0]}`}: ${redact(stderr) || ended}`, {
        cause: error,
        retryable: !PERMANENT.test(stderr),
      });
    }
  }
}

/** Strips userinfo from URLs in git's messages (a token in a clone URL must never reach a log). */
function redact(text: string): string {
  return text.replace(/(https?:\/\/)[^@/\s]+@/g, '$1***@');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
