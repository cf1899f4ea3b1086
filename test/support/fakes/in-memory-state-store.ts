import { LeaseLostError } from '../../../lib/errors.ts';
import type { Inventory } from '../../../lib/model/resource.ts';
import type { Lease } from '../../../lib/ports/lock.ts';
import {
  type AppliedPointer,
  type AuditRecord,
  checkPlanId,
  type PlanStatus,
  planExists,
  type StateStore,
  type StoredPlan,
} from '../../../lib/ports/state-store.ts';
import type { InMemoryLocker } from './in-memory-locker.ts';

const clone = <T>(value: T): T => structuredClone(value);

/**
 * A StateStore held in memory, for tests (no production code uses it). Values are deep-copied on the way
 * in and out, so callers cannot mutate stored state by accident (the real stores serialise too).
 * Fenced writes are checked against `options.locker` when one is given (synchronously, so nothing interleaves
 * between check and write); without a locker there is nothing to check them against and they are accepted.
 */
export class InMemoryStateStore implements StateStore {
  readonly plans = new Map<string, StoredPlan>();
  readonly inventories = new Map<string, Inventory>();
  readonly applied = new Map<string, AppliedPointer>();
  readonly audit: AuditRecord[] = [];
  readonly values = new Map<string, unknown>();
  readonly #seen = new Map<string, number>();
  readonly #now: () => Date;
  readonly #locker: InMemoryLocker | undefined;

  constructor(now: () => Date = () => new Date(), options: { locker?: InMemoryLocker } = {}) {
    this.#now = now;
    this.#locker = options.locker;
  }

  #checkFence(fence: Lease | undefined, doing: string): void {
    if (fence && this.#locker && !this.#locker.holdsNow(fence)) {
      throw new LeaseLostError(fence.environment, fence.token, doing);
    }
  }

  async savePlan(plan: StoredPlan): Promise<void> {
    if (this.plans.has(checkPlanId(plan.id))) throw planExists(plan.id);
    this.plans.set(plan.id, clone(plan));
  }

  async getPlan(id: string): Promise<StoredPlan | undefined> {
    const plan = this.plans.get(checkPlanId(id));
    return plan ? clone(plan) : undefined;
  }

  async updatePlanStatus(
    id: string,
    from: PlanStatus[],
    to: PlanStatus,
    patch: Partial<StoredPlan> = {},
    fence?: Lease,
  ): Promise<boolean> {
    const current = this.plans.get(checkPlanId(id));
    this.#checkFence(fence, `moving plan "${id}" to "${to}"`);
    if (!current || !from.includes(current.status)) return false;
    this.plans.set(id, clone({ ...current, ...patch, id, status: to }));
    return true;
  }

  async listPlans(environment: string, options: { status?: PlanStatus[]; limit?: number } = {}): Promise<StoredPlan[]> {
    const plans = [...this.plans.values()]
      .filter((p) => p.plan.environment === environment)
      .filter((p) => !options.status || options.status.includes(p.status))
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))
      .map(clone);
    return options.limit ? plans.slice(0, options.limit) : plans;
  }

  async getInventory(environment: string): Promise<Inventory> {
    return clone(this.inventories.get(environment) ?? {});
  }

  async saveInventory(environment: string, inventory: Inventory, fence?: Lease): Promise<void> {
    this.#checkFence(fence, `saving the inventory of environment "${environment}"`);
    this.inventories.set(environment, clone(inventory));
  }

  async getApplied(environment: string): Promise<AppliedPointer | undefined> {
    const pointer = this.applied.get(environment);
    return pointer ? clone(pointer) : undefined;
  }

  async setApplied(pointer: AppliedPointer, fence?: Lease): Promise<void> {
    this.#checkFence(fence, `recording the applied commit of environment "${pointer.environment}"`);
    this.applied.set(pointer.environment, clone(pointer));
  }

  async appendAudit(record: AuditRecord): Promise<void> {
    this.audit.push(clone(record));
  }

  async listAudit(environment: string, limit = 100): Promise<AuditRecord[]> {
    return this.audit
      .filter((r) => r.environment === environment)
      .slice(-limit)
      .reverse()
      .map(clone);
  }

  async markSeen(key: string, ttlSeconds: number): Promise<boolean> {
    const now = this.#now().getTime();
    const expiresAt = this.#seen.get(key);
    if (expiresAt !== undefined && expiresAt > now) return false;
    this.#seen.set(key, now + ttlSeconds * 1000);
    return true;
  }

  async forgetSeen(key: string): Promise<void> {
    this.#seen.delete(key);
  }

  async getValue<T>(name: string): Promise<T | undefined> {
    return this.values.has(name) ? clone(this.values.get(name) as T) : undefined;
  }

  async putValue<T>(name: string, value: T): Promise<void> {
    this.values.set(name, clone(value));
  }
}
