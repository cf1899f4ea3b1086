import { type ConfigProblem, formatProblem } from '../errors.ts';
import type { ApplyOutcome, ChangeAction, ChangeOutcome, Plan } from './plan.ts';

/**
 * The audit record: who did what to which environment, with what outcome. Stored (file store, DynamoDB) and
 * sent to AuditSinks as one JSON object, so every value here is a stored enum: PascalCase, never renamed.
 * Records hold keys, actions, outcomes and counts, never values.
 */
interface AuditBase {
  id: string;
  at: string;
  environment: string;
  actor: string;
  commit?: string;
  planHash?: string;
  summary?: Record<string, number>;
  changes?: { key: string; action: ChangeAction; outcome?: ChangeOutcome }[];
  message?: string;
}

/**
 * `Changes`/`NoChanges`: an unstored plan (CLI, pull request); `Planned`/`Superseded`: a stored plan of a push;
 * `Denied`: refused by a Policy or a renderer; `InvalidConfig`: did not load; `Deferred`: a pull request plan
 * that waits for its base; `Failed`: planning faulted.
 */
export type PlanAuditOutcome =
  | 'Changes'
  | 'NoChanges'
  | 'Planned'
  | 'Superseded'
  | 'Denied'
  | 'InvalidConfig'
  | 'Deferred'
  | 'Failed';
/** `Started` before any change; then the apply's own outcome, `LeaseLost`, or `Superseded` (never ran). */
export type ApplyAuditOutcome = 'Started' | ApplyOutcome | 'LeaseLost' | 'Superseded';
export type DriftAuditOutcome = 'InSync' | 'Drifted' | 'Failed';
export type LockAuditOutcome = 'Broken' | 'NotLocked';
export type SampleAuditOutcome = 'Masked' | 'Unmasked';

export type PlanAuditRecord = AuditBase & { type: 'plan'; outcome: PlanAuditOutcome };
export type ApplyAuditRecord = AuditBase & { type: 'apply'; outcome: ApplyAuditOutcome };
export type ApprovalAuditRecord = AuditBase & { type: 'approval'; outcome: 'Approved' };
export type DriftAuditRecord = AuditBase & { type: 'drift'; outcome: DriftAuditOutcome };
export type LockAuditRecord = AuditBase & { type: 'lock'; outcome: LockAuditOutcome };
export type SampleAuditRecord = AuditBase & { type: 'sample'; outcome: SampleAuditOutcome };

export type AuditRecord =
  | PlanAuditRecord
  | ApplyAuditRecord
  | ApprovalAuditRecord
  | DriftAuditRecord
  | LockAuditRecord
  | SampleAuditRecord;

export type AuditType = AuditRecord['type'];

/**
 * The fields a builder takes: `undefined` means "absent" (the key is left out of the stored JSON), so callers
 * can pass optional values straight through.
 */
export type AuditFields = {
  [K in keyof Omit<AuditBase, 'id' | 'at' | 'environment' | 'actor'>]?: AuditBase[K] | undefined;
} & Pick<AuditBase, 'id' | 'at' | 'environment' | 'actor'>;

/**
 * Builds a record of one type, keys always in the same order (the stored JSON of a record does not depend on
 * who wrote it). The one way records are made: the engine, the use cases and the CLI all call the typed
 * builders below (they live in the model, not in lib/report, because the engine writes the apply records under
 * its lease and may not import the reporting stage).
 */
function record<R extends AuditRecord>(type: R['type'], outcome: R['outcome'], fields: AuditFields): R {
  const { id, at, environment, actor, commit, planHash, summary, changes, message } = fields;
  return {
    id,
    at,
    type,
    environment,
    actor,
    ...(commit !== undefined ? { commit } : {}),
    ...(planHash !== undefined ? { planHash } : {}),
    outcome,
    ...(summary !== undefined ? { summary } : {}),
    ...(changes !== undefined ? { changes } : {}),
    ...(message !== undefined ? { message } : {}),
  } as R;
}

export const planRecord = (outcome: PlanAuditOutcome, fields: AuditFields): PlanAuditRecord =>
  record('plan', outcome, fields);
export const applyRecord = (outcome: ApplyAuditOutcome, fields: AuditFields): ApplyAuditRecord =>
  record('apply', outcome, fields);
export const approvalRecord = (fields: AuditFields): ApprovalAuditRecord => record('approval', 'Approved', fields);
export const driftRecord = (outcome: DriftAuditOutcome, fields: AuditFields): DriftAuditRecord =>
  record('drift', outcome, fields);
export const lockRecord = (outcome: LockAuditOutcome, fields: AuditFields): LockAuditRecord =>
  record('lock', outcome, fields);
export const sampleRecord = (outcome: SampleAuditOutcome, fields: AuditFields): SampleAuditRecord =>
  record('sample', outcome, fields);

/** The changes of a plan as a record lists them: keys and actions, never values. */
export function auditChanges(plan: Plan): { key: string; action: ChangeAction }[] {
  return plan.changes.map((c) => ({ key: c.key, action: c.action }));
}

/** The plan facts most records carry: its hash, and its changes. */
export const planFacts = (plan: Plan): Pick<AuditFields, 'planHash' | 'changes'> => ({
  planHash: plan.hash,
  changes: auditChanges(plan),
});

/**
 * Record ids. Stored plans give deterministic ids, so a retried step rewrites its record instead of adding one;
 * events without a stored plan are keyed by time and environment (plus a random part where two may coincide).
 */
export const auditId = {
  /** A stored plan's plan record (`Planned`, `Superseded`). */
  storedPlan: (planId: string): string => `${planId}-plan`,
  /** A push that did not yield a stored plan (`InvalidConfig`, `Denied`, `Failed`). */
  push: (receivedAt: string, environment: string): string => `${receivedAt}-${environment}-plan`,
  /** A pull request's plan record. */
  pullRequest: (jobId: string, environment: string): string => `${jobId}-${environment}-plan`,
  /** A stored plan's final apply record when the apply never ran (`Superseded`, a fault before the changes). */
  apply: (planId: string): string => `${planId}-apply`,
  approval: (planId: string): string => `${planId}-approval`,
  drift: (at: string, environment: string, unique: string): string => `${at}-${environment}-drift-${unique}`,
  lock: (at: string, environment: string): string => `${at}-${environment}-lock`,
  sample: (at: string, environment: string, unique: string): string => `${at}-${environment}-sample-${unique}`,
} as const;

/** Config problems as a record's message: one line each (file:line), bounded. */
export function problemsMessage(problems: readonly ConfigProblem[]): string {
  return problems.map(formatProblem).join('\n').slice(0, 4000);
}
