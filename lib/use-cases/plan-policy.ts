import { ReconcilerError } from '../errors.ts';
import type { Plan } from '../model/plan.ts';
import type { PlanStatus, StoredPlan } from '../ports/state-store.ts';

/** Statuses of a plan that has not run and still may. */
export const OPEN_STATUSES: PlanStatus[] = ['Planned', 'Approved'];

/** Statuses that make a plan "newer work" for latest-commit-wins: open, running or done. */
export const LIVE_STATUSES: PlanStatus[] = ['Planned', 'Approved', 'Applying', 'Applied', 'PartiallyApplied'];

/** Value name of the Environment spec a plan was made with (apply builds its providers from it). */
export const planEnvironmentValue = (planId: string): string => `plan-environment/${planId}`;

/** Value name of the set of environments this store has seen (for `GET /status`). */
export const ENVIRONMENT_INDEX = 'index/environments';

/** True when an approval exists and is bound to exactly this plan's hash. */
export function isApproved(stored: StoredPlan): boolean {
  return stored.status === 'Approved' && stored.approval?.planHash === stored.plan.hash;
}

/**
 * Plans of the same environment that were triggered later (by `createdAt`, the time the triggering event
 * was accepted) and are not dead: their existence supersedes `stored` (latest commit wins).
 */
export function newerPlans(stored: StoredPlan, others: readonly StoredPlan[]): StoredPlan[] {
  return others.filter(
    (o) =>
      o.id !== stored.id &&
      LIVE_STATUSES.includes(o.status) &&
      (o.createdAt > stored.createdAt || (o.createdAt === stored.createdAt && o.id > stored.id)),
  );
}

/** Who an apply of a stored plan acts for, in audit records and lock listings: approver, else requester. */
export function applyActor(stored: StoredPlan): string {
  return `${stored.approval?.by ?? stored.actor ?? 'landscape'} (${stored.trigger} ${stored.id})`;
}

/** `+2 ~1 -0` style counts for commit statuses (140 characters at most). */
export function shortSummary(plan: Plan): string {
  const s = plan.summary;
  return `+${s.create} ~${s.update} -${s.delete}${s.refused ? ` !${s.refused} refused` : ''}`;
}

const compactTime = (iso: string): string => iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

/**
 * Plan ids sort by trigger time and say what they are: `20261125T101500Z-prod-1a2b3c4-9f8e7d6c-5e1f09ab7c3d`.
 * `unique` (a fresh random id from the caller) makes two plans of the same second, commit and content
 * distinct: two reapplies a moment apart are two plans, each applied at most once (ids are never reused;
 * the store refuses to save over an existing id).
 */
export function planId(
  environment: string,
  receivedAt: string,
  commit: string | undefined,
  hash: string,
  unique: string,
): string {
  const env = environment.replace(/[^A-Za-z0-9._-]/g, '_');
  const suffix = unique.replace(/[^A-Za-z0-9]/g, '').slice(0, 12);
  return `${compactTime(receivedAt)}-${env}-${(commit ?? 'nocommit').slice(0, 7)}-${hash.slice(0, 8)}-${suffix}`;
}

const ENV_NAME = /^[A-Za-z0-9._-]{1,100}$/;

/** An environment name from a request (API query or body), or BadRequest. */
export function checkEnvironment(environment: unknown): string {
  if (typeof environment !== 'string' || !ENV_NAME.test(environment)) {
    throw new ReconcilerError('BadRequest', 'environment must be a name of letters, digits, ".", "_" or "-"');
  }
  return environment;
}
