import { randomUUID } from 'node:crypto';
import { LeaseLostError } from '../errors.ts';
import type { ApplyReport, Plan } from '../model/plan.ts';
import type { Lease, Locker } from '../ports/lock.ts';
import type { ProgressListener, ResourceProvider } from '../ports/resource-provider.ts';
import type { SecretResolver } from '../ports/secret-resolver.ts';
import type { PlanStatus, StateStore } from '../ports/state-store.ts';
import { applyPlan } from './apply-plan.ts';

export interface RunApplyInput {
  plan: Plan;
  /** The stored plan's id, when it is stored and claimed (status `Applying`): its status is moved along. */
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
  | { status: 'locked'; holder: string; expiresAt: string; lease: Lease };

const STATUS_OF: Record<ApplyReport['outcome'], PlanStatus> = {
  Succeeded: 'Applied',
  PartiallyFailed: 'PartiallyApplied',
  Failed: 'Failed',
  Refused: 'Refused',
};

/** Why results of an apply that outlived its lease are not stored. */
export const LEASE_LOST_MESSAGE =
  'the lock was broken or taken by another apply during this one: the changes were made, but the store refused ' +
  'the results written after that (inventory, applied commit) and the plan is marked Failed; the next plan or ' +
  'drift check shows where the platform stands';

/**
 * The apply path every entry point shares (CLI, apply function, serve, drift remediation): one apply per
 * environment under a lease, then the report, inventory, applied-commit pointer and audit record are stored.
 */
export async function runApply(input: RunApplyInput): Promise<RunApplyResult> {
  const { plan, store, locker, now } = input;
  const attempt = await locker.tryLock(plan.environment, input.actor, input.leaseSeconds ?? 900);
  if (!attempt.acquired) {
    return {
      status: 'locked',
      holder: attempt.holder.holder,
      expiresAt: attempt.holder.expiresAt,
      lease: attempt.holder,
    };
  }
  const lease = attempt.lease;
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
    // Fencing: every write of the environment's shared state (inventory, applied commit, the plan's status) is
    // conditional on this apply's lease, checked by the store in the same write (ADR 0006). An apply that
    // outlived its lease (a long CLI run, a broken lock) must not overwrite what a newer apply stored; its
    // refused writes leave everything as the newer holder has it. A refused plan changed nothing.
    let holds = true;
    const fenced = async (write: () => Promise<unknown>) => {
      if (!holds) return;
      try {
        await write();
      } catch (error) {
        if (!(error instanceof LeaseLostError)) throw error;
        holds = false;
      }
    };
    if (report.outcome !== 'Refused')
      await fenced(() => store.saveInventory(plan.environment, result.inventory, lease));
    if (report.outcome === 'Succeeded' && plan.source.commit) {
      const commit = plan.source.commit;
      await fenced(() =>
        store.setApplied(
          {
            environment: plan.environment,
            commit,
            planId: input.planId ?? plan.hash.slice(0, 16),
            at: report.finishedAt,
          },
          lease,
        ),
      );
    }
    if (input.planId) {
      const planId = input.planId;
      if (report.outcome === 'Refused') await store.updatePlanStatus(planId, ['Applying'], 'Refused', { report });
      else
        await fenced(() => store.updatePlanStatus(planId, ['Applying'], STATUS_OF[report.outcome], { report }, lease));
      // Without the lease the applied commit was not recorded: the plan (its own single-use record) ends Failed,
      // so the drift run's catch-up plans the branch head again instead of treating it as applied.
      if (!holds) await store.updatePlanStatus(planId, ['Applying'], 'Failed', { report });
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
    await locker.release(lease);
  }
}
