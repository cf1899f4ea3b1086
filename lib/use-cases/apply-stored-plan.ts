import { setTimeout as sleep } from 'node:timers/promises';
import { AdapterError, LockHeldError, messageOf } from '../errors.ts';
import { applyRecord, auditId, planFacts } from '../model/audit.ts';
import type { EnvironmentSpec } from '../model/environment.ts';
import { type ApplyReport, planStatusAfter } from '../model/plan.ts';
import { describeHolder } from '../ports/lock.ts';
import type { ResourceProvider } from '../ports/resource-provider.ts';
import type { PlanStatus, StoredPlan } from '../ports/state-store.ts';
import { requiresApproval } from './approve.ts';
import type { PipelineDeps } from './deps.ts';
import { loadEnvironmentConfig, planCommit, reportCommitStatus } from './plan-commit.ts';
import {
  applyActor,
  isApproved,
  newerPlans,
  OPEN_STATUSES,
  planEnvironmentValue,
  shortSummary,
} from './plan-policy.ts';

export type ApplyOutcome =
  | { status: 'not-found' }
  | { status: 'skipped'; reason: string }
  | { status: 'superseded'; by: string }
  | { status: 'awaiting-approval' }
  | { status: 'applied'; planStatus: PlanStatus; report: ApplyReport; replanned?: string[] };

export type ApplyDeps = Pick<
  PipelineDeps,
  | 'store'
  | 'locker'
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

/**
 * The apply step (functions/apply): runs one stored plan, exactly once.
 *
 * latest commit wins (a plan triggered before another live plan of the environment is Superseded) ->
 * approval gate (destructive changes wait for an approval bound to the plan hash) -> claim (Planned/Approved
 * -> Applying) -> the shared apply path `runApply` (lease with fencing token, applyPlan with its stale check,
 * report, inventory, applied pointer, audit) -> commit status. A stale plan is planned again once from the
 * same commit (trigger `replan`). ADR 0012.
 *
 * Throws only a retryable `AdapterError` when the lease stays held past `lockWaitMs` (the plan is released
 * back to its previous status first, so a retried invocation can run it).
 */
export async function applyStoredPlan(
  deps: ApplyDeps,
  request: { environment: string; planId: string },
): Promise<ApplyOutcome> {
  const log = (message: string, extra: Record<string, unknown> = {}) =>
    deps.log.info(message, { environment: request.environment, planId: request.planId, ...extra });
  const first = await deps.store.getPlan(request.planId);
  if (!first || first.plan.environment !== request.environment) {
    deps.log.warn('apply requested for an unknown plan', request);
    return { status: 'not-found' };
  }
  const early = await gate(deps, first);
  if (early) return early;

  // Claim the plan (single-use): only one caller moves it from Planned/Approved to Applying.
  if (!(await deps.store.updatePlanStatus(first.id, OPEN_STATUSES, 'Applying'))) {
    return { status: 'skipped', reason: 'another apply took this plan' };
  }
  const stored: StoredPlan = { ...first, status: 'Applying' };
  log('applying plan', { commit: stored.plan.source.commit });
  let report: ApplyReport;
  let leaseLost: string | undefined;
  try {
    const spec = await environmentSpec(deps, stored);
    const providers = await deps.createProviders(request.environment, spec, deps.secrets);
    try {
      ({ report, leaseLost } = await runApplyWaiting(deps, stored, providers));
    } finally {
      await Promise.allSettled(providers.map((p) => p.close()));
    }
  } catch (error) {
    if (error instanceof LockHeldError) {
      // Give the plan back so the retried invocation can claim it again.
      await deps.store.updatePlanStatus(stored.id, ['Applying'], first.status);
      throw error;
    }
    report = await recordFault(deps, stored, error);
  }
  // runApply marked the plan Failed when its lease was lost: say so, whatever the changes' outcome.
  const planStatus = planStatusAfter(report.outcome, !leaseLost);
  await reportApply(deps, stored, report, leaseLost);
  log('plan applied', { outcome: report.outcome, planStatus });

  let replanned: string[] | undefined;
  if (
    report.refusal?.code === 'PlanStale' &&
    stored.trigger !== 'replan' &&
    stored.plan.source.repo &&
    stored.plan.source.commit
  ) {
    // Re-plan once from the same commit; a second staleness is left to the next event or drift run.
    const outcomes = await planCommit(deps, {
      repo: stored.plan.source.repo,
      commit: stored.plan.source.commit,
      environments: [request.environment],
      trigger: 'replan',
      receivedAt: deps.now().toISOString(),
      actor: 'landscape',
    });
    replanned = outcomes.flatMap((o) => ('planId' in o ? [o.planId] : []));
  }
  return { status: 'applied', planStatus, report, ...(replanned ? { replanned } : {}) };
}

/**
 * The shared apply path (lib/engine/run-apply.ts: lease, applyPlan, inventory, applied pointer, plan status,
 * audit), retried while another holder keeps the environment's lease, up to `lockWaitMs`.
 */
async function runApplyWaiting(
  deps: ApplyDeps,
  stored: StoredPlan,
  providers: readonly ResourceProvider[],
): Promise<{ report: ApplyReport; leaseLost?: string }> {
  const deadline = deps.now().getTime() + deps.settings.lockWaitMs;
  let delay = 100;
  for (;;) {
    const result = await deps.engine.runApply({
      plan: stored.plan,
      planId: stored.id,
      store: deps.store,
      locker: deps.locker,
      providers,
      secrets: deps.secrets,
      actor: applyActor(stored),
      now: deps.now,
      leaseSeconds: deps.settings.lockTtlSeconds,
    });
    if (result.status === 'applied') {
      if (!result.leaseLost) return { report: result.report };
      deps.log.warn('apply outlived its lease', { planId: stored.id, message: result.leaseLost });
      return { report: result.report, leaseLost: result.leaseLost };
    }
    if (deps.now().getTime() + delay > deadline) {
      throw new LockHeldError(
        `applying to "${stored.plan.environment}": lock held by ${describeHolder(result.lease)} until ${result.expiresAt}; ` +
          `if that apply is no longer running, release it with DELETE /api/locks/${stored.plan.environment}`,
        result,
      );
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 2000);
  }
}

/** A fault before the changes could run (providers, environment spec): the plan ends Failed, audited. */
async function recordFault(deps: ApplyDeps, stored: StoredPlan, error: unknown): Promise<ApplyReport> {
  const message = messageOf(error);
  deps.log.error('apply failed', { planId: stored.id, error: message });
  const at = deps.now().toISOString();
  const report: ApplyReport = {
    planHash: stored.plan.hash,
    environment: stored.plan.environment,
    ...(stored.plan.source.commit ? { commit: stored.plan.source.commit } : {}),
    startedAt: at,
    finishedAt: at,
    outcome: 'Failed',
    results: [],
    refusal: { code: 'ApplyFailed', message },
  };
  await deps.store.updatePlanStatus(stored.id, ['Applying'], planStatusAfter(report.outcome), { report });
  await deps.store.appendAudit(
    applyRecord('Failed', {
      id: auditId.apply(stored.id),
      at,
      environment: stored.plan.environment,
      actor: applyActor(stored),
      commit: stored.plan.source.commit || undefined,
      ...planFacts(stored.plan),
      message,
    }),
  );
  return report;
}

/** Checks that make a plan not run: closed status, a newer plan, a missing approval. */
async function gate(deps: ApplyDeps, stored: StoredPlan): Promise<ApplyOutcome | undefined> {
  if (!OPEN_STATUSES.includes(stored.status)) {
    return { status: 'skipped', reason: `plan is ${stored.status}; plans are single-use` };
  }
  const newer = newerPlans(stored, await deps.store.listPlans(stored.plan.environment));
  if (newer.length > 0) {
    const by = newer[0]?.id ?? '';
    if (await deps.store.updatePlanStatus(stored.id, OPEN_STATUSES, 'Superseded')) {
      deps.log.info('plan superseded by a newer one', { planId: stored.id, by });
      await deps.store.appendAudit(
        applyRecord('Superseded', {
          id: auditId.apply(stored.id),
          at: deps.now().toISOString(),
          environment: stored.plan.environment,
          actor: applyActor(stored),
          commit: stored.plan.source.commit || undefined,
          ...planFacts(stored.plan),
          message: `superseded by plan "${by}"`,
        }),
      );
      if (stored.plan.source.repo && stored.plan.source.commit) {
        await reportCommitStatus(
          deps,
          { repo: stored.plan.source.repo, commit: stored.plan.source.commit },
          stored.plan.environment,
          'success',
          `not applied: superseded by a newer commit (plan ${by})`,
        );
      }
    }
    return { status: 'superseded', by };
  }
  const spec = await environmentSpec(deps, stored);
  if (requiresApproval(stored.plan, spec.requireApprovalFor) && !isApproved(stored)) {
    deps.log.info('plan waits for approval', { planId: stored.id, requireApprovalFor: spec.requireApprovalFor });
    if (stored.plan.source.repo && stored.plan.source.commit) {
      await reportCommitStatus(
        deps,
        { repo: stored.plan.source.repo, commit: stored.plan.source.commit },
        stored.plan.environment,
        'pending',
        `waiting for approval: POST /plans/${stored.id}/approve (${shortSummary(stored.plan)})`,
      );
    }
    return { status: 'awaiting-approval' };
  }
  return undefined;
}

/** The Environment spec the plan was made with (stored at plan time; re-read from git as a fallback). */
async function environmentSpec(deps: ApplyDeps, stored: StoredPlan): Promise<EnvironmentSpec> {
  const saved = await deps.store.getValue<{ spec: EnvironmentSpec }>(planEnvironmentValue(stored.id));
  if (saved) return saved.spec;
  const { repo, commit } = stored.plan.source;
  if (!repo || !commit)
    throw new AdapterError(`plan "${stored.id}" names no repository and commit to read its environment from`);
  const root = await deps.git.checkout(repo, commit);
  const loaded = await loadEnvironmentConfig(deps, root, stored.plan.environment);
  if (!loaded.config)
    throw new AdapterError(`environment "${stored.plan.environment}" no longer loads at commit "${commit}"`);
  return loaded.config.environment.spec;
}

function countOutcomes(report: ApplyReport): Record<string, number> {
  const counts: Record<string, number> = { succeeded: 0, skipped: 0, failed: 0 };
  for (const r of report.results) counts[r.outcome.toLowerCase()] = (counts[r.outcome.toLowerCase()] ?? 0) + 1;
  return counts;
}

async function reportApply(
  deps: ApplyDeps,
  stored: StoredPlan,
  report: ApplyReport,
  leaseLost: string | undefined,
): Promise<void> {
  const { repo, commit } = stored.plan.source;
  if (!repo || !commit) return;
  if (leaseLost) {
    await reportCommitStatus(
      deps,
      { repo, commit },
      stored.plan.environment,
      'error',
      `${report.outcome}; ${leaseLost}`,
    );
    return;
  }
  const counts = countOutcomes(report);
  const state = report.outcome === 'Succeeded' ? 'success' : report.outcome === 'Refused' ? 'failure' : 'failure';
  const description =
    report.outcome === 'Refused' || report.refusal
      ? `${report.outcome}: ${report.refusal?.message ?? ''}`
      : `${report.outcome}: ${counts.succeeded} succeeded, ${counts.failed} failed, ${counts.skipped} skipped`;
  await reportCommitStatus(deps, { repo, commit }, stored.plan.environment, state, description);
}
