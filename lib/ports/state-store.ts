import { ReconcilerError, StateDamagedError } from '../errors.ts';
import type { AuditRecord } from '../model/audit.ts';
import type { ApplyReport, Plan, PlanStatus } from '../model/plan.ts';
import type { Inventory, InventoryEntry } from '../model/resource.ts';
import type { Lease } from './lock.ts';

export type { AuditRecord } from '../model/audit.ts';
export type { PlanStatus } from '../model/plan.ts';

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

/** Audit records a listing could not read: how many, and where (file and line numbers, or item keys). */
export interface SkippedAuditRecords {
  count: number;
  where: string;
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
  /**
   * Creates the plan record. Conditional: never replaces an existing plan (ids are single-use), throws a
   * `Conflict` ReconcilerError when the id exists. Every method taking a plan id refuses an id that
   * `checkPlanId` refuses before it reaches a file name or a key.
   */
  savePlan(plan: StoredPlan): Promise<void>;
  getPlan(id: string): Promise<StoredPlan | undefined>;
  /**
   * Compare-and-set on status, one conditional write: returns false when the current status is not in `from`.
   * Claiming a plan for apply (`Planned`/`Approved` -> `Applying`) through it lets exactly one caller win.
   * With `fence` the write is also conditional on that lease still being the environment's (below).
   */
  updatePlanStatus(
    id: string,
    from: PlanStatus[],
    to: PlanStatus,
    patch?: Partial<StoredPlan>,
    fence?: Lease,
  ): Promise<boolean>;
  listPlans(environment: string, options?: { status?: PlanStatus[]; limit?: number }): Promise<StoredPlan[]>;

  /**
   * The inventory; `{}` only for an environment that was never applied. A damaged one (not JSON, not an
   * inventory) or one missing although a commit was applied is a `StateDamagedError` naming it and the fix.
   */
  getInventory(environment: string): Promise<Inventory>;
  /**
   * Replaces the inventory. `fence` (the apply's lease) makes it one write conditional on the lease: when the
   * lease was broken or taken over, nothing is written and `LeaseLostError` is thrown. Stores that share the
   * locker's state check it there (the DynamoDB lease item, the lock file under its mutex, the in-memory
   * locker passed to the store).
   */
  saveInventory(environment: string, inventory: Inventory, fence?: Lease): Promise<void>;

  getApplied(environment: string): Promise<AppliedPointer | undefined>;
  /** Moves the applied pointer; conditional on `fence` like `saveInventory`. */
  setApplied(pointer: AppliedPointer, fence?: Lease): Promise<void>;

  appendAudit(record: AuditRecord): Promise<void>;
  /**
   * The newest `limit` records, newest first. A record that cannot be read (a line cut short by a crash or a
   * full disk) is skipped, never fatal: `options.onSkipped` hears how many and where.
   */
  listAudit(
    environment: string,
    limit?: number,
    options?: { onSkipped?: (skipped: SkippedAuditRecords) => void },
  ): Promise<AuditRecord[]>;

  /** Records a key once; returns false when it was already seen (webhook replay). */
  markSeen(key: string, ttlSeconds: number): Promise<boolean>;
  /**
   * Forgets a key `markSeen` recorded, so the next `markSeen` of it succeeds: the work a delivery started
   * failed, and GitHub's redelivery must run it again instead of being answered "duplicate".
   */
  forgetSeen(key: string): Promise<void>;

  /** Small named JSON values: last drift report digest, alert states. */
  getValue<T>(name: string): Promise<T | undefined>;
  putValue<T>(name: string, value: T): Promise<void>;
}

const PLAN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/**
 * Plan ids as stores accept them: 1-200 letters, digits, ".", "_" or "-", not starting with a dot or dash.
 * Checked by every store before an id becomes a file name or a key (a huge id from an API path must be a
 * 400, not ENAMETOOLONG).
 */
export function checkPlanId(id: string): string {
  if (typeof id !== 'string' || !PLAN_ID.test(id)) {
    const shown =
      typeof id === 'string'
        ? `"${id.slice(0, 40)}${id.length > 40 ? '...' : ''}" (${id.length} characters)`
        : String(id);
    throw new ReconcilerError(
      'BadRequest',
      `plan id ${shown} is not a plan id: ids are 1-200 letters, digits, ".", "_" or "-" and start with a letter or digit`,
    );
  }
  return id;
}

/** The error `savePlan` throws for an id that is taken. */
export function planExists(id: string): ReconcilerError {
  return new ReconcilerError(
    'Conflict',
    `plan "${id}" already exists: plans are never replaced, save it under a new id`,
  );
}

/** What a store does with a damaged inventory: refuse, with the fix (never treat it as empty). */
export const INVENTORY_FIX =
  'restore it from a backup of the state; without one, move it aside: the next apply then adopts what git ' +
  'declares (adopted resources are never pruned) and lists the rest as Unmanaged. Prunes and drift checks ' +
  'are refused until then, because an empty inventory would silently stop them';

/**
 * Checks a stored inventory's shape (a map of entries with `key` and `kind`); throws `StateDamagedError`
 * naming `where` otherwise. Stores call it on every read, so a malformed inventory is never taken as empty.
 */
export function checkInventory(value: unknown, where: string): Inventory {
  const damaged = (problem: string) => new StateDamagedError(where, problem, INVENTORY_FIX);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw damaged(`expected an object of inventory entries, found ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  for (const [key, entry] of Object.entries(value)) {
    const e = entry as Partial<InventoryEntry> | null;
    if (typeof e !== 'object' || e === null || e.key !== key || typeof e.kind !== 'string') {
      throw damaged(`entry "${key.slice(0, 200)}" is not an inventory entry with its key and kind`);
    }
  }
  return value as Inventory;
}

/** The error for an inventory that is missing although the environment has an applied commit. */
export function inventoryMissing(where: string, applied: AppliedPointer): StateDamagedError {
  return new StateDamagedError(
    where,
    `it is missing, although commit ${applied.commit.slice(0, 12)} was applied (plan ${applied.planId})`,
    INVENTORY_FIX,
  );
}
