import { publishMonitorConfig } from '../config/published-config.ts';
import { hasPendingEntries } from '../engine/ownership-journal.ts';
import { applyRecord, approvalRecord, planFacts } from '../model/audit.ts';
import type { LoadedConfig } from '../model/documents.ts';
import type { ApplyReport, Plan, PlannedChange } from '../model/plan.ts';
import type { Inventory } from '../model/resource.ts';
import type { Lease } from '../ports/lock.ts';
import type { ProgressListener } from '../ports/resource-provider.ts';
import { requiresApproval } from './approve.ts';
import type { PipelineDeps } from './deps.ts';

export type ApplyPlanDeps = Pick<
  PipelineDeps,
  'store' | 'locker' | 'secrets' | 'createProviders' | 'engine' | 'now' | 'newId'
>;

export type ApplyPlanOutcome =
  /** The engine ran the plan under the lease; `leaseLost` when it outlived it (the stored state did not move). */
  | { status: 'applied'; report: ApplyReport; leaseLost?: string }
  /** The environment requires approval for this plan and none was given: nothing ran, nothing was recorded. */
  | {
      status: 'awaiting-approval';
      requireApprovalFor: Plan['target']['requireApprovalFor'];
      destructive: PlannedChange[];
    }
  /** Another apply holds the environment's lease: nothing ran. */
  | { status: 'locked'; lease: Lease };

export interface ApplyPlanInput {
  plan: Plan;
  actor: string;
  approval?: {
    /** A person answered "yes" when asked whether to apply. */
    confirmed?: boolean;
    /** Destructive changes were approved explicitly; says how (e.g. "with --approve-destructive"), for the record. */
    destructive?: string;
  };
  /** The config the plan was made from: it becomes the environment's published one (its AuditSinks get this apply's records). */
  config?: LoadedConfig;
  progress?: ProgressListener;
  /** Called once the providers are open, just before the engine runs the plan. */
  onStart?: () => void;
}

/**
 * Whether a plan made against live state has nothing for apply to do: no change, no adoption to record in the
 * inventory, and no ownership journal left by an apply that did not finish (apply reconciles that).
 */
export function nothingToApply(plan: Plan, inventory: Inventory): boolean {
  return plan.changes.length === 0 && plan.adopted.length === 0 && !hasPendingEntries(inventory);
}

/**
 * Applies one plan that is not stored in the pipeline (the CLI's `apply plan.json` and `apply DIR`):
 * approval gate (`requiresApproval`) -> published config -> approval record (whenever someone approved) ->
 * providers open -> the shared apply path `engine.runApply` (lease, ownership journal, stale check, waves,
 * inventory, applied commit, `apply` records) -> providers closed, whatever happened.
 * The caller renders the outcome; faults opening the providers are thrown.
 */
export async function applyPlan(deps: ApplyPlanDeps, input: ApplyPlanInput): Promise<ApplyPlanOutcome> {
  const { plan } = input;
  const policy = plan.target.requireApprovalFor;
  const approvalRequired = requiresApproval(plan, policy);
  const destructiveApproved = input.approval?.destructive !== undefined;
  if (approvalRequired && !destructiveApproved) {
    return {
      status: 'awaiting-approval',
      requireApprovalFor: policy,
      destructive: plan.changes.filter((c) => c.destructive),
    };
  }
  if (input.config) {
    await publishMonitorConfig(deps.store, input.config, plan.source.commit ? { commit: plan.source.commit } : {});
  }
  const confirmed = input.approval?.confirmed === true;
  if ((approvalRequired && destructiveApproved) || confirmed) {
    await deps.store.appendAudit(
      approvalRecord({
        id: deps.newId(),
        at: deps.now().toISOString(),
        environment: plan.environment,
        actor: input.actor,
        commit: plan.source.commit || undefined,
        ...planFacts(plan),
        message: confirmed
          ? 'approved at the prompt'
          : `approved ${input.approval?.destructive} (requireApprovalFor: ${policy})`,
      }),
    );
  }
  const providers = await deps.createProviders(plan.environment, plan.target, deps.secrets);
  try {
    input.onStart?.();
    const result = await deps.engine.runApply({
      plan,
      store: deps.store,
      locker: deps.locker,
      providers,
      secrets: deps.secrets,
      actor: input.actor,
      now: deps.now,
      ...(input.progress ? { progress: input.progress } : {}),
    });
    if (result.status === 'locked') return { status: 'locked', lease: result.lease };
    return { status: 'applied', report: result.report, ...(result.leaseLost ? { leaseLost: result.leaseLost } : {}) };
  } finally {
    await Promise.allSettled(providers.map((p) => p.close()));
  }
}

/** Records an apply refused before it could run (e.g. a plan of an older commit than the applied one). */
export async function recordApplyRefusal(
  deps: Pick<PipelineDeps, 'store' | 'now' | 'newId'>,
  input: { plan: Plan; actor: string; message: string },
): Promise<void> {
  const { plan } = input;
  await deps.store.appendAudit(
    applyRecord('Refused', {
      id: deps.newId(),
      at: deps.now().toISOString(),
      environment: plan.environment,
      actor: input.actor,
      commit: plan.source.commit || undefined,
      planHash: plan.hash,
      message: input.message,
    }),
  );
}
