import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GitHubWebhookVerifier } from '../../lib/adapters/github/github-webhook-verifier.ts';

const run = promisify(execFile);
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SERVICES = join(ROOT, 'scripts/services');

/** A free TCP port on loopback (for services each test run starts on its own). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
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
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(src, path)), { recursive: true });
      await writeFile(join(src, path), text);
    }
    const { stdout } = await run('bash', [join(SERVICES, 'git-server.sh'), 'seed', repo, src], { env: this.env });
    return stdout.trim().split('\n').at(-1) ?? '';
  }

  /** Commits `files` as the whole tree on `branch` (created from main when new), pushes it, returns the SHA. */
  async commitOn(repo: string, branch: string, files: Record<string, string>): Promise<string> {
    const bare = join(this.#work, 'repos', `${repo}.git`);
    const wt = join(this.#work, 'src', `${repo.replace('/', '__')}@${branch.replaceAll('/', '_')}`);
    await rm(wt, { recursive: true, force: true });
    const git = (...args: string[]) =>
      run('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', ...args], { cwd: wt });
    await run('git', ['clone', '-q', bare, wt]);
    await git('checkout', '-q', '-B', branch, `origin/${branch}`).catch(() => git('checkout', '-q', '-B', branch));
    await run('git', ['rm', '-rq', '--ignore-unmatch', '.'], { cwd: wt });
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(wt, path)), { recursive: true });
      await writeFile(join(wt, path), text);
    }
    await git('add', '-A');
    await git('commit', '-q', '--allow-empty', '-m', `commit on ${branch}`);
    await git('push', '-q', 'origin', `HEAD:refs/heads/${branch}`);
    const { stdout } = await git('rev-parse', 'HEAD');
    await rm(wt, { recursive: true, force: true });
    return stdout.trim();
  }
}

/** A GitHub push delivery for `commit` on `branch` (main) of `repo`, from the captured sample payload. */
export async function pushPayload(repo: string, commit: string, branch = 'main'): Promise<string> {
  const sample = JSON.parse(await readFile(join(ROOT, 'events/github/push.json'), 'utf8')) as Record<string, unknown>;
  const repository = { ...(sample.repository as Record<string, unknown>), full_name: repo, name: repo.split('/')[1] };
  const headCommit = { ...(sample.head_commit as Record<string, unknown>), id: commit };
  return JSON.stringify({
    ...sample,
    ref: `refs/heads/${branch}`,
    after: commit,
    repository,
    head_commit: headCommit,
    commits: [headCommit],
  });
}

export async function githubHeaders(secret: string, event: string, body: string, delivery: string) {
  return {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/e2e',
    'x-github-event': event,
    'x-github-delivery': delivery,
    'x-hub-signature-256': await new GitHubWebhookVerifier(secret).sign(body),
  };
}
