import { messageOf, ReconcilerError } from '../errors.ts';
import type { PipelineDeps } from './deps.ts';
import { type EnvironmentJob, type JobRecord, jobValueName, type PipelineJob } from './jobs.ts';
import { type PlanCommitOutcome, planCommit } from './plan-commit.ts';
import { planPullRequest } from './plan-pull-request.ts';
import { runPullRequestCommand } from './pull-request-command.ts';

export type RunJobDeps = Omit<PipelineDeps, 'dispatcher' | 'notifier'>;

/**
 * The plan step (ADR 0010): runs a job the webhook or the API stored. Records Running/Done/Failed on the
 * job record; never throws for a user failure (those are reported on GitHub), rethrows faults so Lambda
 * retries them.
 */
export async function runJob(deps: RunJobDeps, job: PipelineJob): Promise<void> {
  const mark = (state: JobRecord['state'], message?: string) =>
    deps.store.putValue<JobRecord>(jobValueName(job.id), {
      job,
      state,
      updatedAt: deps.now().toISOString(),
      ...(message ? { message } : {}),
    });
  await mark('Running');
  try {
    const message = await execute(deps, job);
    await mark('Done', message);
  } catch (error) {
    await mark('Failed', messageOf(error));
    if (error instanceof ReconcilerError) {
      deps.log.warn('job refused', { jobId: job.id, type: job.type, code: error.code, error: error.message });
      return;
    }
    deps.log.error('job failed', { jobId: job.id, type: job.type, error: messageOf(error) });
    throw error;
  }
}

async function execute(deps: RunJobDeps, job: PipelineJob): Promise<string> {
  switch (job.type) {
    case 'plan-pull-request': {
      const results = await planPullRequest(deps, job);
      return results.map((r) => `${r.environment}: ${r.conclusion}`).join(', ') || 'no environment';
    }
    case 'plan-push': {
      // Latest commit wins, level-triggered: when the branch already moved on, this commit is not planned;
      // the newer commit's own delivery (or the drift run, if it was missed) deploys the head.
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
        trigger: 'push',
        receivedAt: job.receivedAt,
        actor: job.actor,
      });
      return describe(outcomes);
    }
    case 'plan-environment':
      return describe(await planEnvironmentJob(deps, job));
    case 'pull-request-command':
      return runPullRequestCommand(deps, job);
  }
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
  return outcomes.map((o) => `${o.environment}: ${o.status}${'planId' in o ? ` (${o.planId})` : ''}`).join(', ');
}
