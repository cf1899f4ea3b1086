import { listEnvironments } from '../config/config-tree.ts';
import { messageOf, ReconcilerError } from '../errors.ts';
import type { PipelineDeps } from './deps.ts';
import { deployBranch, type PlanCommitDeps, type PlanCommitOutcome, planCommit } from './plan-commit.ts';
import { ENVIRONMENT_INDEX, LIVE_STATUSES, planEnvironmentValue } from './plan-policy.ts';
import { canonicalRepo } from './receive-webhook.ts';

/** A branch of a config repository whose head the catch-up compares with what its environments applied. */
export interface CatchUpTarget {
  repo: string;
  branch: string;
}

export type CatchUpOutcome =
  | { repo: string; branch: string; status: 'no-branch' }
  | { repo: string; branch: string; status: 'in-sync'; commit: string }
  | { repo: string; branch: string; status: 'caught-up'; commit: string; outcomes: PlanCommitOutcome[] }
  | { repo: string; branch: string; status: 'failed'; message: string };

export type CatchUpDeps = PlanCommitDeps;

/** Remembered per environment: a head whose config did not load is not planned again until the head moves. */
const catchUpValueName = (environment: string): string => `catch-up/${environment}`;

/**
 * Where pushes could have been missed: the branch each known environment deploys from (in the repository
 * of its newest plan), and, for repositories named exactly on the allowlist, the allowed branches (or `main`,
 * the default `spec.branch`), so an environment whose very first push was lost is found too.
 */
export async function catchUpTargets(
  deps: Pick<PipelineDeps, 'store' | 'settings'>,
  repositories: readonly string[],
): Promise<CatchUpTarget[]> {
  const targets = new Map<string, CatchUpTarget>();
  const add = (repo: string, branch: string) => {
    const target = { repo: canonicalRepo(repo), branch };
    targets.set(`${target.repo}\n${branch}`, target);
  };
  const allowed = deps.settings.allowedBranches ?? [];
  for (const environment of (await deps.store.getValue<string[]>(ENVIRONMENT_INDEX)) ?? []) {
    const [newest] = await deps.store.listPlans(environment, { limit: 1 });
    const repo = newest?.plan.source.repo ?? deps.settings.defaultRepo;
    if (!repo || !newest) continue;
    const spec = await deps.store.getValue<{ spec?: { branch?: string } }>(planEnvironmentValue(newest.id));
    add(repo, await deployBranch(deps, environment, spec?.spec?.branch ?? 'main'));
  }
  for (const repo of repositories.filter((r) => !r.includes('*'))) {
    for (const branch of allowed.length > 0 ? allowed : ['main']) add(repo, branch);
  }
  return [...targets.values()]
    .filter((t) => allowed.length === 0 || allowed.includes(t.branch))
    .sort((a, b) => `${a.repo} ${a.branch}`.localeCompare(`${b.repo} ${b.branch}`));
}

/**
 * Missed-webhook catch-up for one branch, level-triggered (ADR 0012): every environment deploying from the
 * branch whose applied commit is not the branch head, and for which no live plan covers the head, gets the
 * head planned and applied as a push would. A push that was lost (webhook never delivered, job failed after
 * its retries, server down) is deployed by the next catch-up. An operator's rollback is not undone: a head
 * that was applied before has a live plan.
 */
export async function catchUpBranch(deps: CatchUpDeps, target: CatchUpTarget): Promise<CatchUpOutcome> {
  const { repo, branch } = target;
  try {
    let head: string;
    try {
      head = await deps.git.resolveBranch(repo, branch);
    } catch (error) {
      if (error instanceof ReconcilerError && error.code === 'NotFound') return { repo, branch, status: 'no-branch' };
      throw error;
    }
    const root = await deps.git.checkout(repo, head);
    const todo: string[] = [];
    for (const entry of await listEnvironments(root)) {
      if ((await deployBranch(deps, entry.name, entry.branch)) !== branch) continue;
      const applied = await deps.store.getApplied(entry.name);
      if (applied?.commit === head) continue;
      const plans = await deps.store.listPlans(entry.name, { limit: 50 });
      if (plans.some((p) => p.plan.source.commit === head && LIVE_STATUSES.includes(p.status))) continue;
      const tried = await deps.store.getValue<{ commit: string }>(catchUpValueName(entry.name));
      if (tried?.commit === head) continue;
      todo.push(entry.name);
    }
    if (todo.length === 0) return { repo, branch, status: 'in-sync', commit: head };
    deps.log.info('branch head not applied: planning it (missed push)', { repo, branch, head, environments: todo });
    const outcomes = await planCommit(deps, {
      repo,
      commit: head,
      branch,
      environments: todo,
      trigger: 'catch-up',
      receivedAt: deps.now().toISOString(),
      actor: 'landscape-catch-up',
    });
    for (const outcome of outcomes) {
      // A config that does not load will not load on the next run either: wait for the next commit.
      if (outcome.status === 'invalid') {
        await deps.store.putValue(catchUpValueName(outcome.environment), { commit: head });
      }
    }
    return { repo, branch, status: 'caught-up', commit: head, outcomes };
  } catch (error) {
    const message = messageOf(error);
    deps.log.warn('catch-up failed', { repo, branch, error: message });
    return { repo, branch, status: 'failed', message };
  }
}

/** The catch-up of every target, one after the other (`landscape serve` runs it at start and periodically). */
export async function catchUp(deps: CatchUpDeps, repositories: readonly string[]): Promise<CatchUpOutcome[]> {
  const outcomes: CatchUpOutcome[] = [];
  for (const target of await catchUpTargets(deps, repositories)) outcomes.push(await catchUpBranch(deps, target));
  return outcomes;
}
