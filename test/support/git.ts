import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeFiles } from './builders.ts';
import { SERVICES } from './paths.ts';

const run = promisify(execFile);

/** Runs git in `dir` with a fixed identity; returns stdout. */
export async function git(dir: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(
    'git',
    ['-c', 'user.name=Landscape Test', '-c', 'user.email=test@example.com', ...args],
    {
      cwd: dir,
    },
  );
  return stdout.trim();
}

/** Commits everything in the work tree and returns the commit SHA. */
export async function commitAll(dir: string, message: string): Promise<string> {
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '--allow-empty', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

/** The local git smart-HTTP server (scripts/services/git-server.sh) with its own root, port and pid files. */
export class GitServer {
  readonly env: NodeJS.ProcessEnv;
  readonly url: string;
  readonly #work: string;

  constructor(work: string, port: number) {
    this.#work = work;
    this.url = `http://127.0.0.1:${port}`;
    this.env = { ...process.env, TI_RUN: join(work, 'run'), GIT_ROOT: join(work, 'repos'), GIT_PORT: String(port) };
  }

  async start(): Promise<void> {
    await run('bash', [join(SERVICES, 'git-server.sh'), 'start'], { env: this.env });
  }

  async stop(): Promise<void> {
    await run('bash', [join(SERVICES, 'git-server.sh'), 'stop'], { env: this.env }).catch(() => undefined);
  }

  /** Replaces the tree of `repo` (owner/name) with `files`, commits and pushes to main; returns the SHA. */
  async commit(repo: string, files: Record<string, string>): Promise<string> {
    const src = join(this.#work, 'src', repo.replace('/', '__'));
    await rm(src, { recursive: true, force: true });
    await writeFiles(src, files);
    const { stdout } = await run('bash', [join(SERVICES, 'git-server.sh'), 'seed', repo, src], { env: this.env });
    return stdout.trim().split('\n').at(-1) ?? '';
  }

  /** Commits `files` as the whole tree on `branch` (created from main when new), pushes it, returns the SHA. */
  async commitOn(repo: string, branch: string, files: Record<string, string>): Promise<string> {
    const bare = join(this.#work, 'repos', `${repo}.git`);
    const wt = join(this.#work, 'src', `${repo.replace('/', '__')}@${branch.replaceAll('/', '_')}`);
    await rm(wt, { recursive: true, force: true });
    await run('git', ['clone', '-q', bare, wt]);
    await git(wt, 'checkout', '-q', '-B', branch, `origin/${branch}`).catch(() =>
      git(wt, 'checkout', '-q', '-B', branch),
    );
    await git(wt, 'rm', '-rq', '--ignore-unmatch', '.');
    await writeFiles(wt, files);
    const sha = await commitAll(wt, `commit on ${branch}`);
    await git(wt, 'push', '-q', 'origin', `HEAD:refs/heads/${branch}`);
    await rm(wt, { recursive: true, force: true });
    return sha;
  }
}
