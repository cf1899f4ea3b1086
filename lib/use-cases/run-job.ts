import { setTimeout as sleep } from 'node:timers/promises';
import { AdapterError, messageOf, ReconcilerError } from '../errors.ts';
import { type EnvironmentJob, type JobRecord, jobValueName, type PipelineJob } from '../model/job.ts';
import type { PipelineDeps } from './deps.ts';
import { type PlanCommitOutcome, planCommit } from './plan-commit.ts';
import { planPullRequest } from './plan-pull-request.ts';
import { runPullRequestCommand } from './pull-request-command.ts';

export type RunJobDeps = Omit<PipelineDeps, 'notifier'>;

/** What a job carries from one attempt to the next: the environments of a push still to plan. */
interface JobProgress {
  pending?: readonly string[];
}

/**
 * The worker (ADR 0010): runs a job the webhook or the API stored. Records Running/Done/Failed on the
 * job record. A user failure (`ReconcilerError`) ends the job (it is reported on GitHub). A retryable fault
 * (the git host, a broker, the store unreachable) is retried with exponential backoff, `jobRetries` times;
 * a fault that outlasts them, or is not retryable, fails the job: its replay keys are forgotten so that
 * GitHub's redelivery runs it again, and the fault is rethrown (logged, dead-lettered on AWS). The catch-up
 * (serve, the drift function) deploys a branch head nobody redelivered.
 */
export async function runJob(deps: RunJobDeps, job: PipelineJob): Promise<void> {
  const mark = (state: JobRecord['state'], attempts: number, message?: string) =>
    deps.store.putValue<JobRecord>(jobValueName(job.id), {
      job,
      state,
      updatedAt: deps.now().toISOString(),
      attempts,
      ...(message ? { message } : {}),
    });
  const { jobRetries, jobRetryBaseMs, jobRetryMaxMs } = deps.settings;
  const progress: JobProgress = {};
  for (let attempt = 1; ; attempt++) {
    try {
      await mark('Running', attempt);
      const message = await execute(deps, job, progress);
      const unreported = deps.reporter.unavailable;
      await mark('Done', attempt, unreported ? `${message}; not reported on GitHub: ${unreported}` : message);
      return;
    } catch (error) {
      const context = { jobId: job.id, type: job.type, attempt, error: messageOf(error) };
      if (error instanceof ReconcilerError) {
        await mark('Failed', attempt, messageOf(error));
        deps.log.warn('job refused', { ...context, code: error.code });
        return;
      }
      if (isRetryable(error) && attempt <= jobRetries) {
        const delayMs = Math.min(jobRetryBaseMs * 2 ** (attempt - 1), jobRetryMaxMs);
        deps.log.warn('job will be retried', { ...context, delayMs });
        await mark(
          'Running',
          attempt,
          `attempt ${attempt} failed, retrying in ${delayMs} ms: ${messageOf(error)}`,
        ).catch(() => undefined);
        await sleep(delayMs);
        continue;
      }
      await mark('Failed', attempt, messageOf(error)).catch(() => undefined);
      await forgetReplayKeys(deps, job);
      deps.log.error('job failed', context);
      throw error;
    }
  }
}

function isRetryable(error: unknown): boolean {
  return error instanceof AdapterError && error.retryable;
}

/** The job failed for good: a redelivery of its webhook must start it again, not be dropped as a replay. */
async function forgetReplayKeys(deps: Pick<RunJobDeps, 'store' | 'log'>, job: PipelineJob): Promise<void> {
  for (const key of job.replayKeys ?? []) {
    try {
      await deps.store.forgetSeen(key);
    } catch (error) {
      deps.log.warn('replay key of a failed job not released', { jobId: job.id, key, error: messageOf(error) });
    }
  }
}

async function execute(deps: RunJobDeps, job: PipelineJob, progress: JobProgress): Promise<string> {
  switch (job.type) {
    case 'plan-pull-request': {
      const results = await planPullRequest(deps, job);
      return results.map((r) => `${r.environment}: ${r.conclusion}`).join(', ') || 'no environment';
    }
    case 'plan-push': {
      // Latest commit wins, level-triggered: when the branch already moved on, this commit is not planned;
      // the newer commit's own delivery (or the catch-up, if it was missed) deploys the head.
      const head = await deps.git.resolveBranch(job.repo, job.branch).catch((error: unknown) => {
        deps.log.warn('branch head not resolved; planning the pushed commit', { error: messageOf(error) });
        return undefined;
      });
      if (head && head !== job.commit) {
        deps.log.info('pushed commit already superseded on its branch', { commit: job.commit, head });
        return `superseded by ${head}`;
      }
      const outcomes = await planCommit(deps, {
        repo: job.repo,
        commit: job.commit,
        branch: job.branch,
        ...(progress.pending ? { environments: progress.pending } : {}),
        trigger: 'push',
        receivedAt: job.receivedAt,
        actor: job.actor,
      });
      retryFailedEnvironments(outcomes, progress);
      return describe(outcomes);
    }
    case 'plan-environment':
      return describe(await planEnvironmentJob(deps, job));
    case 'pull-request-command':
      return runPullRequestCommand(deps, job);
  }
}

/**
 * One environment of a push failing on a fault (its broker unreachable while observing) does not stop the
 * others; the job is retried for the failed ones only, so the push still reaches them once the fault clears.
 */
function retryFailedEnvironments(outcomes: readonly PlanCommitOutcome[], progress: JobProgress): void {
  const failed = outcomes.filter((o) => o.status === 'failed' && o.retryable);
  if (failed.length === 0) return;
  progress.pending = failed.map((o) => o.environment);
  throw new AdapterError(
    `planning ${failed.map((o) => `"${o.environment}"`).join(', ')}: ${failed.map((o) => ('message' in o ? o.message : '')).join('; ')}`,
    { retryable: true },
  );
}

/** `POST /reapply`: the given commit, or the head of the environment's branch, planned and applied. */
async function planEnvironmentJob(deps: RunJobDeps, job: EnvironmentJob): Promise<PlanCommitOutcome[]> {
  const applied = await deps.store.getApplied(job.environment);
  const appliedPlan = applied ? await deps.store.getPlan(applied.planId) : undefined;
  const repo = job.repo ?? appliedPlan?.plan.source.repo ?? deps.settings.defaultRepo;
  if (!repo) {
    throw new ReconcilerError('BadRequest', `no repository known for environment "${job.environment}"; pass "repo"`);
  }
  let commit = job.commit;
  if (!commit) {
    const branch = appliedPlan?.plan.source.ref ?? 'main';
    commit = await deps.git.resolveBranch(repo, branch);
  }
  return planCommit(deps, {
    repo,
    commit,
    environments: [job.environment],
    trigger: job.trigger,
    receivedAt: job.receivedAt,
    actor: job.actor,
  });
}

function describe(outcomes: readonly PlanCommitOutcome[]): string {
  if (outcomes.length === 0) return 'no environment deploys from this commit';
  return outcomes
    .map(
      (o) =>
        `${o.environment}: ${o.status}${'planId' in o ? ` (${o.planId})` : ''}${o.status === 'not-allowed' ? ` (branch "${o.branch}")` : ''}`,
    )
    .join(', ');
}
