import { randomUUID } from 'node:crypto';
import { LeaseLostError, messageOf } from '../errors.ts';
import { type ApplyAuditRecord, applyRecord } from '../model/audit.ts';
import { type ApplyReport, type Plan, planStatusAfter } from '../model/plan.ts';
import type { Lease, Locker } from '../ports/lock.ts';
import type { ProgressListener, ResourceProvider } from '../ports/resource-provider.ts';
import { type SecretResolver, secretsForEnvironment } from '../ports/secret-resolver.ts';
import type { StateStore } from '../ports/state-store.ts';
import { applyPlan, nextInventory } from './apply-plan.ts';
import { journalCreates, reconcileJournal } from './ownership-journal.ts';

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

/** Why results of an apply that outlived its lease are not stored. */
export const LEASE_LOST_MESSAGE =
  'the lock was broken or taken by another apply during this one: the changes were made, but the store refused ' +
  'the results written after that (inventory, applied commit) and the plan is marked Failed; the next plan or ' +
  'drift check shows where the platform stands';

/**
 * The apply path every entry point shares (CLI, apply function, serve, drift remediation): one apply per
 * environment under a lease; an `apply` audit record with outcome `Started` before any change; the ownership
 * journal reconciled, then kept ahead of every create batch (ADR 0005); finally the report, inventory,
 * applied-commit pointer, plan status and the final audit record, each shared write fenced by the lease
 * (ADR 0006). An apply that throws still ends with a final `Failed` audit record.
 *
 * @example
 * const result = await runApply({ plan, store, locker, providers, secrets, actor: 'alice@cli', now: () => new Date() });
 * if (result.status === 'locked') console.error(`locked by ${result.holder}`);
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
  const audit: ApplyAudit = ({ outcome, at, changes, message }) =>
    store.appendAudit(
      applyRecord(outcome, {
        id: randomUUID(),
        at,
        environment: plan.environment,
        actor: input.actor,
        commit: plan.source.commit || undefined,
        planHash: plan.hash,
        summary: { ...plan.summary },
        changes,
        message: message || undefined,
      }),
    );
  try {
    // Recorded before anything can change, so a killed apply leaves a trace of having started.
    await audit({
      at: now().toISOString(),
      outcome: 'Started',
      changes: plan.changes.map(({ key, action }) => ({ key, action })),
    });
    try {
      return await applyUnderLease(input, lease, audit);
    } catch (error) {
      await audit({
        at: now().toISOString(),
        outcome: 'Failed',
        changes: [],
        message: `apply stopped: ${messageOf(error)}`,
      }).catch(() => undefined);
      throw error;
    }
  } finally {
    await locker.release(lease);
  }
}

type ApplyAudit = (
  fields: Pick<ApplyAuditRecord, 'at' | 'outcome' | 'changes'> & { message?: string | undefined },
) => Promise<void>;

async function applyUnderLease(input: RunApplyInput, lease: Lease, audit: ApplyAudit): Promise<RunApplyResult> {
  const { plan, store, now } = input;
  // Fencing: every write of the environment's shared state (journal, inventory, applied commit, the plan's
  // status) is conditional on this apply's lease, checked by the store in the same write (ADR 0006). Once one
  // is refused the lease is lost: nothing more is sent to the platform and nothing more is written but the
  // plan's own record. A refused plan changed nothing.
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

  // Creates journaled by an apply that did not finish: whatever exists now is Landscape's, the rest never was.
  const stored = await store.getInventory(plan.environment);
  const reconciled = await reconcileJournal(stored, input.providers);
  if (reconciled.inventory !== stored) {
    await fenced(() => store.saveInventory(plan.environment, reconciled.inventory, lease));
  }
  let journal = reconciled.inventory;
  const result = await applyPlan({
    plan,
    providers: input.providers,
    inventory: reconciled.inventory,
    // Connector and user secrets are read as the plan's environment (its own platform secrets only).
    secrets: secretsForEnvironment(input.secrets, plan.environment),
    now,
    ...(input.progress ? { progress: input.progress } : {}),
    beforeBatch: async (changes) => {
      if (!holds) throw new LeaseLostError(plan.environment, lease.token, 'applying');
      const next = journalCreates(journal, plan, changes);
      if (next === journal) return;
      await fenced(() => store.saveInventory(plan.environment, next, lease));
      if (!holds) throw new LeaseLostError(plan.environment, lease.token, 'recording what this batch may create');
      journal = next;
    },
  });
  const { report } = result;
  // From the journal: a create that failed or was never answered stays pending ("may exist").
  const inventory = nextInventory(plan, report.results, journal);
  if (report.outcome !== 'Refused') await fenced(() => store.saveInventory(plan.environment, inventory, lease));
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
    const status = planStatusAfter(report.outcome);
    if (report.outcome === 'Refused') await store.updatePlanStatus(planId, ['Applying'], status, { report });
    else await fenced(() => store.updatePlanStatus(planId, ['Applying'], status, { report }, lease));
    // Without the lease the plan (its own single-use record, not fenced) still gets its final status.
    if (!holds) await store.updatePlanStatus(planId, ['Applying'], planStatusAfter(report.outcome, false), { report });
  }
  const reconcileNote =
    reconciled.confirmed.length + reconciled.dropped.length > 0
      ? `ownership journal of an earlier apply reconciled: ${reconciled.confirmed.length} kept, ${reconciled.dropped.length} dropped (never created)`
      : undefined;
  const message = holds ? [report.refusal?.message, reconcileNote].filter(Boolean).join('; ') : LEASE_LOST_MESSAGE;
  await audit({
    at: report.finishedAt,
    outcome: holds ? report.outcome : 'LeaseLost',
    changes: report.results.map((r) => ({ key: r.key, action: r.action, outcome: r.outcome })),
    message: message || undefined,
  });
  return { status: 'applied', report, ...(holds ? {} : { leaseLost: LEASE_LOST_MESSAGE }) };
}
