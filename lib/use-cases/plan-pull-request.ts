import { listEnvironments } from '../config/config-tree.ts';
import { messageOf } from '../errors.ts';
import { auditId, type PlanAuditOutcome, planFacts, planRecord } from '../model/audit.ts';
import type { LoadedConfig } from '../model/documents.ts';
import type { PullRequestJob } from '../model/job.ts';
import type { Plan } from '../model/plan.ts';
import { summaryLine } from '../plan/render-plan.ts';
import type { CheckAnnotation, CheckConclusion } from '../ports/reporter.ts';
import {
  environmentSection,
  PLAN_COMMENT_MARKER,
  planAnnotations,
  planConclusion,
  problemAnnotations,
  truncateBody,
} from '../report/pull-request.ts';
import type { PipelineDeps } from './deps.ts';
import { makePlan } from './plan.ts';
import { loadEnvironmentConfig } from './plan-commit.ts';

export interface PullRequestPlanResult {
  environment: string;
  conclusion: CheckConclusion;
  plan?: Plan;
  problems: number;
  /** The config did not load (YAML, schema): not a Policy or DataPolicy decision. */
  invalidConfig?: boolean;
}

export type PlanPullRequestDeps = Pick<
  PipelineDeps,
  'store' | 'git' | 'reporter' | 'secrets' | 'createProviders' | 'engine' | 'log'
>;

/**
 * pull_request opened/synchronize/reopened: fetch the config at the head SHA, plan every environment that
 * deploys from the base branch against live state (read-only), and report: one check run per environment
 * (config problems annotated at file:line) and one PR comment with every rendered plan, updated in place.
 *
 * The connection settings (the Environment document) come from the base commit, not from the PR: a pull
 * request must not be able to point the planner, and the credentials it uses, at another host.
 */
export async function planPullRequest(
  deps: PlanPullRequestDeps,
  job: PullRequestJob,
): Promise<PullRequestPlanResult[]> {
  const head = await deps.git.checkout(job.repo, job.headSha);
  const base = await deps.git.checkout(job.repo, job.baseSha);
  const environments = (await listEnvironments(head)).filter((e) => e.branch === job.baseRef);
  const results: PullRequestPlanResult[] = [];
  const sections: string[] = [];
  if (environments.length === 0) {
    sections.push(`No Environment deploys from \`${job.baseRef}\`; nothing to plan.`);
  }
  for (const { name } of environments) {
    const outcome = await planOne(deps, job, head, base, name);
    results.push(outcome.result);
    sections.push(outcome.section);
    await auditPullRequestPlan(deps, job, outcome.result);
    try {
      await deps.reporter.createCheckRun({
        repo: job.repo,
        headSha: job.headSha,
        name: `landscape plan (${name})`,
        conclusion: outcome.result.conclusion,
        title: outcome.title,
        summary: truncateBody(outcome.section),
        annotations: outcome.annotations,
      });
    } catch (error) {
      deps.log.warn('check run not reported', { environment: name, error: messageOf(error) });
    }
  }
  const body = truncateBody(
    [PLAN_COMMENT_MARKER, `## Landscape plan for \`${job.headSha.slice(0, 12)}\``, '', ...sections].join('\n\n'),
  );
  try {
    await deps.reporter.commentOnPullRequest({ repo: job.repo, number: job.number, body, marker: PLAN_COMMENT_MARKER });
  } catch (error) {
    deps.log.warn('pull request comment not posted', { number: job.number, error: messageOf(error) });
  }
  deps.log.info('pull request planned', {
    repo: job.repo,
    number: job.number,
    headSha: job.headSha,
    results: results.map((r) => ({ environment: r.environment, conclusion: r.conclusion })),
  });
  return results;
}

async function planOne(
  deps: PlanPullRequestDeps,
  job: PullRequestJob,
  head: string,
  base: string,
  environment: string,
): Promise<{ result: PullRequestPlanResult; section: string; title: string; annotations: CheckAnnotation[] }> {
  const loaded = await loadEnvironmentConfig(deps, head, environment);
  if (!loaded.config) {
    const problems = loaded.problems;
    return {
      result: { environment, conclusion: 'failure', problems: problems.length, invalidConfig: true },
      section: environmentSection(environment, undefined, problems),
      title: `configuration has ${problems.length} problem${problems.length === 1 ? '' : 's'}`,
      annotations: problemAnnotations(head, problems),
    };
  }
  const trusted = await loadEnvironmentConfig(deps, base, environment).catch(() => undefined);
  if (!trusted?.config) {
    return {
      result: { environment, conclusion: 'neutral', problems: 0 },
      section: `### ${environment}\n\nThe configuration is valid. This environment is new (or broken) on \`${job.baseRef}\`, so it is planned against live state only after the merge.`,
      title: 'valid; planned after merge',
      annotations: [],
    };
  }
  const config: LoadedConfig = { ...loaded.config, environment: trusted.config.environment };
  const result = await makePlan(deps, {
    environment,
    config,
    source: { repo: job.repo, commit: job.headSha, ref: `refs/pull/${job.number}/head` },
  });
  if (!result.plan || result.problems.length > 0) {
    return {
      result: { environment, conclusion: 'failure', problems: result.problems.length },
      section: withoutRoot(environmentSection(environment, undefined, result.problems), head),
      title: `configuration has ${result.problems.length} problem(s)`,
      annotations: problemAnnotations(head, result.problems),
    };
  }
  const plan = result.plan;
  const connectionNote =
    JSON.stringify(loaded.config.environment.spec) !== JSON.stringify(trusted.config.environment.spec)
      ? `\n\n> This pull request changes Environment \`${environment}\`; the plan used the connection settings of \`${job.baseRef}\`.`
      : '';
  return {
    result: { environment, conclusion: planConclusion(plan), plan, problems: 0 },
    section: withoutRoot(environmentSection(environment, plan, []), head) + connectionNote,
    title: summaryLine(plan),
    annotations: planAnnotations(head, plan),
  };
}

/** A pull request's plan is audited like any plan: who asked, which head, what it would change, the verdict. */
async function auditPullRequestPlan(
  deps: PlanPullRequestDeps,
  job: PullRequestJob,
  result: PullRequestPlanResult,
): Promise<void> {
  const { plan } = result;
  const outcome: PlanAuditOutcome = result.invalidConfig
    ? 'InvalidConfig'
    : result.problems > 0
      ? 'Denied'
      : !plan
        ? 'Deferred'
        : plan.changes.length > 0
          ? 'Changes'
          : 'NoChanges';
  try {
    await deps.store.appendAudit(
      planRecord(outcome, {
        id: auditId.pullRequest(job.id, result.environment),
        at: job.receivedAt,
        environment: result.environment,
        actor: job.actor,
        commit: job.headSha,
        ...(plan ? planFacts(plan) : {}),
        summary: result.problems > 0 ? { problems: result.problems } : plan ? { ...plan.summary } : undefined,
        message: `pull request ${job.repo}#${job.number} (check ${result.conclusion})`,
      }),
    );
  } catch (error) {
    deps.log.warn('pull request plan not audited', { environment: result.environment, error: messageOf(error) });
  }
}

/** Rendered plans name files by their checkout path: show them relative to the repository instead. */
function withoutRoot(text: string, root: string): string {
  return text.split(`${root}/`).join('');
}
