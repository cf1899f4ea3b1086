import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { RecordingGitHubReporter } from '../../../lib/adapters/github/recording-reporter.ts';
import { loadConfig } from '../../../lib/config/load-config.ts';
import { planEnvironment } from '../../../lib/engine/plan-environment.ts';
import { runApply } from '../../../lib/engine/run-apply.ts';
import { ReconcilerError } from '../../../lib/errors.ts';
import type { PipelineJob } from '../../../lib/model/job.ts';
import type { GitSource, PullRequestRef } from '../../../lib/ports/git-source.ts';
import { LoggingDriftNotifier } from '../../../lib/report/logging-drift-notifier.ts';
import { DEFAULT_SETTINGS, type PipelineDeps, silentLogger } from '../../../lib/use-cases/deps.ts';
import { InMemoryKafkaProvider } from '../../support/fakes/in-memory-kafka-provider.ts';
import { InMemoryLocker } from '../../support/fakes/in-memory-locker.ts';
import { InMemoryStateStore } from '../../support/fakes/in-memory-state-store.ts';

export const REPO = 'acme/platform-config';

/** A git host in memory: commits are file trees, branches point at commits. Checkouts are real directories. */
export class FakeGitSource implements GitSource {
  readonly commits = new Map<string, Record<string, string>>();
  readonly branches = new Map<string, string>();
  readonly checkouts: string[] = [];
  /** Pull requests by number, for `/landscape plan` comments. */
  readonly pullRequests = new Map<number, PullRequestRef>();
  #root: string | undefined;
  #counter = 0;

  /** Adds a commit on `branch` (moving it) and returns its SHA. */
  commit(files: Record<string, string>, branch = 'main'): string {
    this.#counter++;
    const sha = this.#counter.toString(16).padStart(40, 'a');
    this.commits.set(sha, files);
    this.branches.set(branch, sha);
    return sha;
  }

  async checkout(repo: string, commit: string): Promise<string> {
    const files = this.commits.get(commit);
    if (!files || repo !== REPO) throw new Error(`unknown commit ${repo}@${commit}`);
    this.#root ??= await mkdtemp(join(tmpdir(), 'landscape-fake-git-'));
    const dir = join(this.#root, commit);
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    this.checkouts.push(commit);
    return dir;
  }

  async pullRequest(repo: string, number: number): Promise<PullRequestRef> {
    const pr = this.pullRequests.get(number);
    if (!pr || repo !== REPO) throw new Error(`unknown pull request ${repo}#${number}`);
    return pr;
  }

  async resolveBranch(repo: string, branch: string): Promise<string> {
    const sha = this.branches.get(branch);
    if (!sha || repo !== REPO) throw new ReconcilerError('NotFound', `branch "${branch}" does not exist in "${repo}"`);
    return sha;
  }
}

/** The planCommit input of a push to main, as the webhook's job makes it. */
export function pushInput(commit: string, receivedAt = '2026-11-25T10:00:00.000Z', actor = 'octocat') {
  return { repo: REPO, commit, branch: 'main', trigger: 'push', receivedAt, actor };
}

/** A clock that tests move forward explicitly. */
export function testClock(start = '2026-11-25T10:00:00.000Z') {
  let now = new Date(start).getTime();
  return {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/**
 * Pipeline deps on in-memory adapters and the real engine. Jobs and applies are queued, not run: tests run
 * them with `drain()` to control ordering.
 */
export function makeDeps(overrides: Partial<PipelineDeps> = {}) {
  const clock = testClock();
  const git = new FakeGitSource();
  const kafka = new InMemoryKafkaProvider();
  const reporter = new RecordingGitHubReporter();
  const notifier = new LoggingDriftNotifier(silentLogger);
  const applies: { environment: string; planId: string }[] = [];
  const jobs: PipelineJob[] = [];
  let ids = 0;
  const locker = new InMemoryLocker(clock.now);
  const deps: PipelineDeps = {
    // The store checks fenced writes against the locker, as the file and DynamoDB stores check their leases.
    store: new InMemoryStateStore(clock.now, { locker }),
    locker,
    git,
    worker: {
      invokeApply: async (request) => void applies.push(request),
      dispatch: async (job) => void jobs.push(job),
    },
    reporter,
    notifier,
    secrets: { resolve: async () => 'secret' },
    createProviders: async () => [kafka],
    engine: { loadConfig, planEnvironment, runApply },
    settings: { ...DEFAULT_SETTINGS, lockWaitMs: 0 },
    now: clock.now,
    newId: () => `id-${++ids}`,
    log: silentLogger,
    ...overrides,
  };
  return { deps, clock, git, kafka, reporter, notifier, applies, jobs, store: deps.store as InMemoryStateStore };
}
