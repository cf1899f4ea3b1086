import { randomUUID } from 'node:crypto';
import type { ApplyReport, Plan } from '../model/plan.ts';
import type { Locker } from '../ports/lock.ts';
import type { ProgressListener, ResourceProvider } from '../ports/resource-provider.ts';
import type { SecretResolver } from '../ports/secret-resolver.ts';
import type { StateStore } from '../ports/state-store.ts';
import { applyPlan } from './apply-plan.ts';

export interface RunApplyInput {
  plan: Plan;
  /** The stored plan's id, when it is stored (its status is moved along). */
  planId?: string;
  store: StateStore;
  locker: Locker;
  providers: readonly ResourceProvider[];
  secrets: SecretResolver;
  actor: string;
  now: () => Date;
  progress?: ProgressListener;
  /** Lease length; an apply that outlives it can be taken over (fencing token protects the store). */
  leaseSeconds?: number;
}

export type RunApplyResult =
  | {
      status: 'applied';
      report: ApplyReport;
      /** Set when the lease was lost during the apply: the platform changed, the stored state did not. */
      leaseLost?: string;
    }
  | { status: 'locked'; holder: string; expiresAt: string };

/** Why results of an apply that outlived its lease are not stored. */
export const LEASE_LOST_MESSAGE =
  'the lock was broken or taken by another apply during this one: the changes were made, but the inventory ' +
  'and the applied commit were not updated and the plan is marked Failed; the next plan or drift check shows ' +
  'where the platform stands';

/**
 * The apply path every entry point shares (CLI, apply function, serve, drift remediation): one apply per
 * environment under a lease, then the report, inventory, applied-commit pointer and audit record are stored.
 */
export async function runApply(input: RunApplyInput): Promise<RunApplyResult> {
  const { plan, store, locker, now } = input;
  const attempt = await locker.tryLock(plan.environment, input.actor, input.leaseSeconds ?? 900);
  if (!attempt.acquired)
    return { status: 'locked', holder: attempt.holder.holder, expiresAt: attempt.holder.expiresAt };
  try {
    const inventory = await store.getInventory(plan.environment);
    const result = await applyPlan({
      plan,
      providers: input.providers,
      inventory,
      secrets: input.secrets,
      now,
      ...(input.progress ? { progress: input.progress } : {}),
    });
    const { report } = result;
    // Fencing: the environment's shared state (inventory, applied commit) is written only while this apply still
    // holds the environment. An apply that outlived its lease (a long CLI run, a broken lock) must not overwrite
    // what a newer apply stored. The plan's own record is single-use, so its status and report are kept either way.
    // A lease that cannot be checked counts as lost: not writing shared state is the safe side.
    // A refused plan changed nothing, so a lost lease costs nothing either.
    const holds = report.outcome === 'Refused' || (await locker.holds(attempt.lease).catch(() => false));
    if (holds && report.outcome !== 'Refused') await store.saveInventory(plan.environment, result.inventory);
    if (holds && report.outcome === 'Succeeded' && plan.source.commit) {
      await store.setApplied({
        environment: plan.environment,
        commit: plan.source.commit,
        planId: input.planId ?? plan.hash.slice(0, 16),
        at: report.finishedAt,
      });
    }
    if (input.planId) {
      // Without the lease the applied commit was not recorded: the plan ends Failed, so the drift run's
      // catch-up plans the branch head again instead of treating it as applied (and re-applying the old one).
      const status = !holds
        ? 'Failed'
        : report.outcome === 'Succeeded'
          ? 'Applied'
          : report.outcome === 'Refused'
            ? 'Refused'
            : report.outcome === 'Failed'
              ? 'Failed'
              : 'PartiallyApplied';
      await store.updatePlanStatus(input.planId, ['Planned', 'Approved', 'Applying'], status, { report });
    }
    const message = holds ? report.refusal?.message : LEASE_LOST_MESSAGE;
    await store.appendAudit({
      id: randomUUID(),
      at: report.finishedAt,
      type: 'apply',
      environment: plan.environment,
      actor: input.actor,
      ...(plan.source.commit ? { commit: plan.source.commit } : {}),
      planHash: plan.hash,
      outcome: holds ? report.outcome : 'LeaseLost',
      summary: { ...plan.summary },
      changes: report.results.map((r) => ({ key: r.key, action: r.action, outcome: r.outcome })),
      ...(message ? { message } : {}),
    });
    return { status: 'applied', report, ...(holds ? {} : { leaseLost: LEASE_LOST_MESSAGE }) };
  } finally {
    await locker.release(attempt.lease);
  }
}
