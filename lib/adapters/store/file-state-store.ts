import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Inventory } from '../../model/resource.ts';
import type { Lease } from '../../ports/lock.ts';
import {
  type AppliedPointer,
  type AuditRecord,
  checkInventory,
  checkPlanId,
  INVENTORY_FIX,
  inventoryMissing,
  type PlanStatus,
  planExists,
  type SkippedAuditRecords,
  type StateStore,
  type StoredPlan,
} from '../../ports/state-store.ts';
import { createExclusive, readJson, withFileMutex, writeJson } from './file-io.ts';
import { underLease } from './file-lease.ts';

const safe = (name: string): string => name.replace(/[^A-Za-z0-9._-]/g, '_');

const PLAN_FIX = 'move it aside (plans are single-use: plan again to get a new one), or restore it from a backup';

/**
 * The embedded default store: one directory (default `.landscape/`), plain JSON files a person can read.
 * plans/<id>.json, environments/<env>/{inventory,applied}.json, audit/<env>.jsonl, seen/, values/.
 * Fenced writes check the lease in the same directory's `locks/` (FileLocker) under that lease's mutex:
 * the store and the locker of one process are given the same root.
 */
export class FileStateStore implements StateStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  #planPath(id: string): string {
    return join(this.root, 'plans', `${checkPlanId(id)}.json`);
  }

  async savePlan(plan: StoredPlan): Promise<void> {
    // Created only if absent (a hard link fails on an existing name): a plan is never replaced.
    if (!(await createExclusive(this.#planPath(plan.id), `${JSON.stringify(plan, null, 2)}\n`))) {
      throw planExists(plan.id);
    }
  }

  async getPlan(id: string): Promise<StoredPlan | undefined> {
    return readJson<StoredPlan>(this.#planPath(id), PLAN_FIX);
  }

  async updatePlanStatus(
    id: string,
    from: PlanStatus[],
    to: PlanStatus,
    patch: Partial<StoredPlan> = {},
    fence?: Lease,
  ): Promise<boolean> {
    const path = this.#planPath(id);
    const update = () =>
      withFileMutex(join(this.root, '.mutex', 'plans'), async () => {
        const current = await readJson<StoredPlan>(path, PLAN_FIX);
        if (!current || !from.includes(current.status)) return false;
        await writeJson(path, { ...current, ...patch, id, status: to });
        return true;
      });
    return fence ? underLease(this.root, fence, `moving plan "${id}" to "${to}"`, update) : update();
  }

  async listPlans(environment: string, options: { status?: PlanStatus[]; limit?: number } = {}): Promise<StoredPlan[]> {
    const dir = join(this.root, 'plans');
    const names = await readdir(dir).catch(() => [] as string[]);
    const plans: StoredPlan[] = [];
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      const plan = await readJson<StoredPlan>(join(dir, name), PLAN_FIX);
      if (!plan || plan.plan.environment !== environment) continue;
      if (options.status && !options.status.includes(plan.status)) continue;
      plans.push(plan);
    }
    plans.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
    return options.limit ? plans.slice(0, options.limit) : plans;
  }

  async getInventory(environment: string): Promise<Inventory> {
    const path = join(this.root, 'environments', safe(environment), 'inventory.json');
    const stored = await readJson<unknown>(path, INVENTORY_FIX);
    if (stored !== undefined) return checkInventory(stored, path);
    // Absent is fine for an environment never applied; after an apply it means the file was lost.
    const applied = await this.getApplied(environment);
    if (applied) throw inventoryMissing(path, applied);
    return {};
  }

  async saveInventory(environment: string, inventory: Inventory, fence?: Lease): Promise<void> {
    const write = () => writeJson(join(this.root, 'environments', safe(environment), 'inventory.json'), inventory);
    if (fence) await underLease(this.root, fence, `saving the inventory of environment "${environment}"`, write);
    else await write();
  }

  async getApplied(environment: string): Promise<AppliedPointer | undefined> {
    return readJson<AppliedPointer>(
      join(this.root, 'environments', safe(environment), 'applied.json'),
      'move it aside: the next successful apply records the applied commit again (until then drift compares the working tree with live)',
    );
  }

  async setApplied(pointer: AppliedPointer, fence?: Lease): Promise<void> {
    const write = () => writeJson(join(this.root, 'environments', safe(pointer.environment), 'applied.json'), pointer);
    const doing = `recording the applied commit of environment "${pointer.environment}"`;
    if (fence) await underLease(this.root, fence, doing, write);
    else await write();
  }

  async appendAudit(record: AuditRecord): Promise<void> {
    await mkdir(join(this.root, 'audit'), { recursive: true });
    const handle = await open(join(this.root, 'audit', `${safe(record.environment)}.jsonl`), 'a+');
    try {
      // A line cut short by a crash must not swallow this record too: start it on a line of its own.
      const { size } = await handle.stat();
      const last = Buffer.alloc(1);
      if (size > 0) await handle.read(last, 0, 1, size - 1);
      const separator = size > 0 && last[0] !== 0x0a ? '\n' : '';
      await handle.appendFile(`${separator}${JSON.stringify(record)}\n`);
      // Audit records outlive the process that wrote them: on disk before the audited step goes on.
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  async listAudit(
    environment: string,
    limit = 100,
    options: { onSkipped?: (skipped: SkippedAuditRecords) => void } = {},
  ): Promise<AuditRecord[]> {
    const path = join(this.root, 'audit', `${safe(environment)}.jsonl`);
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const records: AuditRecord[] = [];
    const damaged: number[] = [];
    text.split('\n').forEach((line, index) => {
      if (line.trim() === '') return;
      try {
        const record = JSON.parse(line) as AuditRecord;
        if (record && typeof record === 'object' && typeof record.type === 'string') records.push(record);
        else damaged.push(index + 1);
      } catch {
        damaged.push(index + 1);
      }
    });
    if (damaged.length > 0) {
      const lines = damaged.length > 5 ? `${damaged.slice(0, 5).join(', ')}, ...` : damaged.join(', ');
      options.onSkipped?.({ count: damaged.length, where: `${path} line${damaged.length > 1 ? 's' : ''} ${lines}` });
    }
    return records.slice(-limit).reverse();
  }

  async markSeen(key: string, ttlSeconds: number): Promise<boolean> {
    const path = this.#seenPath(key);
    return withFileMutex(join(this.root, '.mutex', 'seen'), async () => {
      const existing = await readJson<{ expiresAt: number }>(
        path,
        'delete it: it only remembers a webhook delivery, to ignore a replay',
      );
      if (existing && existing.expiresAt > Date.now()) return false;
      await writeJson(path, { key, expiresAt: Date.now() + ttlSeconds * 1000 });
      return true;
    });
  }

  async forgetSeen(key: string): Promise<void> {
    const path = this.#seenPath(key);
    await withFileMutex(join(this.root, '.mutex', 'seen'), () => rm(path, { force: true }));
  }

  #seenPath(key: string): string {
    return join(this.root, 'seen', `${createHash('sha256').update(key).digest('hex')}.json`);
  }

  async getValue<T>(name: string): Promise<T | undefined> {
    return readJson<T>(
      join(this.root, 'values', `${safe(name)}.json`),
      'restore it from a backup, or move it aside: drift digests and alert states start over, a published config is published again by the next apply',
    );
  }

  async putValue<T>(name: string, value: T): Promise<void> {
    await writeJson(join(this.root, 'values', `${safe(name)}.json`), value);
  }
}
