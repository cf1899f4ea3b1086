import { listEnvironments, relativeProblems } from '../config/config-tree.ts';
import { publishMonitorConfig } from '../config/published-config.ts';
import { AdapterError, ConfigError, type ConfigProblem, formatProblem, messageOf } from '../errors.ts';
import { auditId, planFacts, planRecord, problemsMessage } from '../model/audit.ts';
import type { LoadedConfig } from '../model/documents.ts';
import type { EnvironmentSpec } from '../model/environment.ts';
import type { StoredPlan } from '../ports/state-store.ts';
import type { PipelineDeps } from './deps.ts';
import { makePlan } from './plan.ts';
import {
  ENVIRONMENT_INDEX,
  newerPlans,
  OPEN_STATUSES,
  planEnvironmentValue,
  planId,
  shortSummary,
} from './plan-policy.ts';

export interface PlanCommitInput {
  repo: string;
  commit: string;
  /** Plan the environments deploying from this branch (push)… */
  branch?: string;
  /** …or exactly these environments (reapply, drift catch-up). */
  environments?: readonly string[];
  /** `push`, `reapply`, `drift`, `replan`: stored with the plan. */
  trigger: string;
  /** When the triggering event was accepted: the plan's createdAt, which orders plans (latest wins). */
  receivedAt: string;
  actor: string;
}

export type PlanCommitOutcome =
  | { environment: string; status: 'planned'; planId: string }
  | { environment: string; status: 'superseded'; planId: string; by: string }
  | { environment: string; status: 'invalid'; problems: ConfigProblem[] }
  | { environment: string; status: 'failed'; message: string; retryable: boolean }
  /** The environment's branch is not on the allowlist (PipelineSettings.allowedBranches): nothing planned. */
  | { environment: string; status: 'not-allowed'; branch: string };

export type PlanCommitDeps = Pick<
  PipelineDeps,
  | 'store'
  | 'git'
  | 'worker'
  | 'reporter'
  | 'secrets'
  | 'createProviders'
  | 'engine'
  | 'now'
  | 'newId'
  | 'log'
  | 'settings'
>;

/** Loads one environment's config; config problems come back as values with repository-relative paths. */
export async function loadEnvironmentConfig(
  deps: Pick<PipelineDeps, 'engine'>,
  root: string,
  environment: string,
): Promise<{ config: LoadedConfig; problems?: undefined } | { config?: undefined; problems: ConfigProblem[] }> {
  try {
    return { config: await deps.engine.loadConfig(root, environment, { displayRoot: '' }) };
  } catch (error) {
    if (error instanceof ConfigError) return { problems: relativeProblems(root, error.problems) };
    throw error;
  }
}

/** The fields every plan record of one commit and environment shares. */
function planAudit(
  deps: Pick<PlanCommitDeps, 'now'>,
  input: Pick<PlanCommitInput, 'actor' | 'commit'>,
  environment: string,
  id: string,
) {
  return { id, at: deps.now().toISOString(), environment, actor: input.actor, commit: input.commit };
}

/**
 * Plans a commit for the environments it deploys and stores the plans: fetch by SHA -> load -> observe ->
 * plan -> savePlan -> supersede older unapplied plans -> invoke apply asynchronously. One environment's
 * failure does not stop the others; each outcome is reported on the commit (status `landscape/<env>`).
 */
export async function planCommit(deps: PlanCommitDeps, input: PlanCommitInput): Promise<PlanCommitOutcome[]> {
  const root = await deps.git.checkout(input.repo, input.commit);
  const entries = await listEnvironments(root);
  const claimed = new Map(entries.map((e) => [e.name, e.branch]));
  const branchOf = async (name: string) => deployBranch(deps, name, claimed.get(name) ?? 'main');
  let names: string[] = [];
  if (input.environments) {
    names = [...input.environments];
  } else {
    for (const entry of entries) {
      const branch = await branchOf(entry.name);
      if (branch === input.branch) {
        names.push(entry.name);
      } else if (entry.branch === input.branch) {
        // This commit claims the environment for its own branch, but the applied config names another one:
        // only a commit on that branch may move it (a push elsewhere must not deploy it).
        deps.log.warn('environment deploys from another branch than the commit claims', {
          environment: entry.name,
          branch,
          claimed: entry.branch,
          commit: input.commit,
        });
        await report(
          deps,
          input,
          entry.name,
          'failure',
          `not deployed: "${entry.name}" deploys from "${branch}"; a spec.branch change takes effect once merged there`,
        );
      }
    }
  }
  const outcomes: PlanCommitOutcome[] = [];
  const allowed = deps.settings.allowedBranches ?? [];
  if (allowed.length > 0) {
    // The webhook checks the pushed branch; this is checked whatever started the job (reapply, catch-up).
    const permitted: string[] = [];
    for (const environment of names) {
      const branch = await branchOf(environment);
      if (allowed.includes(branch)) {
        permitted.push(environment);
      } else {
        deps.log.warn('environment deploys from a branch off the allowlist', { environment, branch, allowed });
        outcomes.push({ environment, status: 'not-allowed', branch });
      }
    }
    names = permitted;
  }
  if (names.length === 0) {
    deps.log.info('no environment deploys from this commit', {
      repo: input.repo,
      commit: input.commit,
      branch: input.branch,
    });
    return outcomes;
  }
  for (const environment of names) {
    try {
      outcomes.push(await planOneEnvironment(deps, input, root, environment));
    } catch (error) {
      const message = messageOf(error);
      deps.log.error('planning failed', { environment, commit: input.commit, error: message });
      await report(deps, input, environment, 'error', `planning failed: ${message}`);
      await deps.store.appendAudit(
        planRecord('Failed', {
          ...planAudit(deps, input, environment, auditId.push(input.receivedAt, environment)),
          message,
        }),
      );
      outcomes.push({
        environment,
        status: 'failed',
        message,
        retryable: error instanceof AdapterError && error.retryable,
      });
    }
  }
  return outcomes;
}

async function planOneEnvironment(
  deps: PlanCommitDeps,
  input: PlanCommitInput,
  root: string,
  environment: string,
): Promise<PlanCommitOutcome> {
  const loaded = await loadEnvironmentConfig(deps, root, environment);
  if (!loaded.config) {
    const problems = loaded.problems;
    deps.log.warn('configuration invalid', { environment, commit: input.commit, problems: problems.length });
    await report(
      deps,
      input,
      environment,
      'failure',
      `invalid config: ${problems[0] ? formatProblem(problems[0]) : ''}`,
    );
    await deps.store.appendAudit(
      planRecord('InvalidConfig', {
        ...planAudit(deps, input, environment, auditId.push(input.receivedAt, environment)),
        message: problemsMessage(problems),
      }),
    );
    return { environment, status: 'invalid', problems };
  }
  const config = loaded.config;
  const spec: EnvironmentSpec = config.environment.spec;
  const result = await makePlan(deps, {
    environment,
    config,
    source: { repo: input.repo, commit: input.commit, ref: spec.branch },
  });
  if (!result.plan || result.problems.length > 0) {
    const problems = relativeProblems(root, result.problems);
    // Refused by a Policy or DataPolicy (deny) or by a renderer: a decision worth an audit record too.
    await deps.store.appendAudit(
      planRecord('Denied', {
        ...planAudit(deps, input, environment, auditId.push(input.receivedAt, environment)),
        summary: { problems: problems.length },
        message: problemsMessage(problems),
      }),
    );
    await report(
      deps,
      input,
      environment,
      'failure',
      `invalid config: ${problems[0] ? formatProblem(problems[0]) : ''}`,
    );
    return { environment, status: 'invalid', problems };
  }

  const plan = result.plan;
  const stored: StoredPlan = {
    id: planId(environment, input.receivedAt, input.commit, plan.hash, deps.newId()),
    plan,
    status: 'Planned',
    createdAt: input.receivedAt,
    trigger: input.trigger,
    actor: input.actor,
  };
  const others = await deps.store.listPlans(environment);
  const newer = newerPlans(stored, others);
  await deps.store.putValue(planEnvironmentValue(stored.id), { name: environment, spec });
  await indexEnvironment(deps, environment);
  if (newer.length > 0) {
    // A later event already planned (or applied) this environment: this older commit must not run.
    const by = newer[0]?.id ?? '';
    await deps.store.savePlan({ ...stored, status: 'Superseded' });
    await deps.store.appendAudit(
      planRecord('Superseded', {
        ...planAudit(deps, input, environment, auditId.storedPlan(stored.id)),
        ...planFacts(plan),
        message: `superseded by plan "${by}"`,
      }),
    );
    await report(deps, input, environment, 'success', `not applied: superseded by a newer commit (plan ${by})`);
    return { environment, status: 'superseded', planId: stored.id, by };
  }
  await deps.store.savePlan(stored);
  // The monitor and the drift notifier run without git access: they read the alert rules and channels of the
  // newest planned commit of this environment from the store.
  await publishMonitorConfig(deps.store, config, { commit: input.commit, now: deps.now() });
  for (const older of others.filter((o) => OPEN_STATUSES.includes(o.status) && o.id !== stored.id)) {
    if (await deps.store.updatePlanStatus(older.id, OPEN_STATUSES, 'Superseded')) {
      deps.log.info('older plan superseded', { environment, planId: older.id, by: stored.id });
    }
  }
  await deps.store.appendAudit(
    planRecord('Planned', {
      ...planAudit(deps, input, environment, auditId.storedPlan(stored.id)),
      ...planFacts(plan),
      summary: { ...plan.summary },
    }),
  );
  await report(deps, input, environment, 'pending', `planned ${shortSummary(plan)}; applying`);
  deps.log.info('plan stored', { environment, planId: stored.id, commit: input.commit, summary: plan.summary });
  await deps.worker.invokeApply({ environment, planId: stored.id });
  return { environment, status: 'planned', planId: stored.id };
}

/**
 * The branch an environment deploys from: the `spec.branch` of the config last applied to it, so that a
 * commit on another branch cannot claim it; an environment never applied takes the commit's own claim.
 * Moving an environment to another branch is itself a change deployed from its current branch.
 */
export async function deployBranch(
  deps: Pick<PipelineDeps, 'store'>,
  environment: string,
  claimed: string,
): Promise<string> {
  const applied = await deps.store.getApplied(environment);
  if (!applied) return claimed;
  const trusted = await deps.store.getValue<{ spec?: { branch?: string } }>(planEnvironmentValue(applied.planId));
  return trusted?.spec?.branch ?? claimed;
}

/** Remembers environment names so `GET /status` can list them (the store has no other index). */
export async function indexEnvironment(deps: Pick<PipelineDeps, 'store'>, environment: string): Promise<void> {
  const known = (await deps.store.getValue<string[]>(ENVIRONMENT_INDEX)) ?? [];
  if (!known.includes(environment)) await deps.store.putValue(ENVIRONMENT_INDEX, [...known, environment].sort());
}

async function report(
  deps: Pick<PipelineDeps, 'reporter' | 'log' | 'settings'>,
  input: { repo: string; commit: string },
  environment: string,
  state: 'pending' | 'success' | 'failure' | 'error',
  description: string,
): Promise<void> {
  try {
    await deps.reporter.setCommitStatus({
      repo: input.repo,
      sha: input.commit,
      state,
      context: `landscape/${environment}`,
      description: description.slice(0, 140),
      ...(deps.settings.publicUrl ? { targetUrl: deps.settings.publicUrl } : {}),
    });
  } catch (error) {
    deps.log.warn('commit status not reported', { environment, error: messageOf(error) });
  }
}

export { report as reportCommitStatus };
