import type { ApplyReport, Plan } from '../model/plan.ts';
import type { Inventory } from '../model/resource.ts';

/** Lifecycle of a stored plan. Plans are single-use: Applied/Superseded/Failed plans never run again. */
export type PlanStatus =
  | 'Planned'
  | 'Approved'
  | 'Applying'
  | 'Applied'
  | 'PartiallyApplied'
  | 'Failed'
  | 'Superseded'
  | 'Refused';

export interface StoredPlan {
  id: string;
  plan: Plan;
  status: PlanStatus;
  createdAt: string;
  /** Who/what asked for it: `push`, `pull_request`, `reapply`, `cli`, `drift`. */
  trigger: string;
  /** Who caused it: the GitHub login that pushed, the API principal, `landscape-drift`. */
  actor?: string;
  approval?: { by: string; at: string; planHash: string };
  report?: ApplyReport;
}

export interface AuditRecord {
  id: string;
  at: string;
  type: 'plan' | 'apply' | 'approval' | 'drift' | 'lock' | 'sample';
  environment: string;
  actor: string;
  commit?: string;
  planHash?: string;
  outcome: string;
  summary?: Record<string, number>;
  changes?: { key: string; action: string; outcome?: string }[];
  message?: string;
}

/** The applied-commit pointer: what the environment last converged to. */
export interface AppliedPointer {
  environment: string;
  commit: string;
  planId: string;
  at: string;
}

/**
 * Durable state: plans, inventory, applied pointer, audit, webhook dedupe, drift/alert memory.
 * Embedded default: a directory (FileStateStore). AWS: S3 (plans) + DynamoDB (the rest).
 */
export interface StateStore {
  savePlan(plan: StoredPlan): Promise<void>;
  getPlan(id: string): Promise<StoredPlan | undefined>;
  /** Compare-and-set on status: returns false when the current status is not `from`. */
  updatePlanStatus(id: string, from: PlanStatus[], to: PlanStatus, patch?: Partial<StoredPlan>): Promise<boolean>;
  listPlans(environment: string, options?: { status?: PlanStatus[]; limit?: number }): Promise<StoredPlan[]>;

  getInventory(environment: string): Promise<Inventory>;
  saveInventory(environment: string, inventory: Inventory): Promise<void>;

  getApplied(environment: string): Promise<AppliedPointer | undefined>;
  setApplied(pointer: AppliedPointer): Promise<void>;

  appendAudit(record: AuditRecord): Promise<void>;
  listAudit(environment: string, limit?: number): Promise<AuditRecord[]>;

  /** Records a key once; returns false when it was already seen (webhook replay). */
  markSeen(key: string, ttlSeconds: number): Promise<boolean>;

  /** Small named JSON values: last drift report digest, alert states. */
  getValue<T>(name: string): Promise<T | undefined>;
  putValue<T>(name: string, value: T): Promise<void>;
}
