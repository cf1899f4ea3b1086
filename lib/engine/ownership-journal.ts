import type { Plan, PlannedChange } from '../model/plan.ts';
import type { Inventory, InventoryEntry } from '../model/resource.ts';
import type { ResourceProvider } from '../ports/resource-provider.ts';
import { providersByKind } from './plan-environment.ts';

/**
 * The ownership journal (ADR 0005): before a batch that may create resources is sent, its keys enter the
 * inventory marked `pending` ("may exist"), so an apply killed at any point (or a create whose answer never
 * came) leaves an inventory that covers everything that may exist. The next apply reconciles them against the
 * live platform. Pure except `reconcileJournal`, which reads through the providers.
 */

/** The inventory with the batch's creates journaled as pending; the same object when the batch creates nothing. */
export function journalCreates(inventory: Inventory, plan: Plan, changes: readonly PlannedChange[]): Inventory {
  const creates = changes.filter((c) => c.action === 'Create' && inventory[c.key]?.pending !== true);
  if (creates.length === 0) return inventory;
  const planned = new Map(plan.inventory.map((entry) => [entry.key, entry]));
  const next: Inventory = { ...inventory };
  for (const change of creates) {
    const entry: InventoryEntry = planned.get(change.key) ?? { key: change.key, kind: change.kind };
    next[change.key] = { ...entry, pending: true };
  }
  return next;
}

/** Whether an inventory holds journaled keys still to be looked up. */
export function hasPendingEntries(inventory: Inventory): boolean {
  return Object.values(inventory).some((entry) => entry.pending === true);
}

export interface ReconciledJournal {
  inventory: Inventory;
  /** Journaled keys found live: Landscape created them, they stay (no longer pending). */
  confirmed: string[];
  /** Journaled keys not found: the create never happened, the entry is dropped. */
  dropped: string[];
}

/**
 * Looks up every pending key on the platform: one that exists is owned, one that does not is dropped. Keys
 * whose kind has no provider here, or whose provider cannot be read now, stay pending for a later run.
 */
export async function reconcileJournal(
  inventory: Inventory,
  providers: readonly ResourceProvider[],
): Promise<ReconciledJournal> {
  const pending = Object.values(inventory).filter((entry) => entry.pending === true);
  if (pending.length === 0) return { inventory, confirmed: [], dropped: [] };
  const byKind = providersByKind(providers);
  const keysByProvider = new Map<ResourceProvider, string[]>();
  for (const entry of pending) {
    const provider = byKind.get(entry.kind);
    if (!provider) continue;
    keysByProvider.set(provider, [...(keysByProvider.get(provider) ?? []), entry.key]);
  }
  const next: Inventory = { ...inventory };
  const confirmed: string[] = [];
  const dropped: string[] = [];
  for (const [provider, keys] of keysByProvider) {
    let live: Set<string>;
    try {
      live = new Set((await provider.observeKeys(keys)).map((resource) => resource.key));
    } catch {
      continue; // Unreadable now: still "may exist"; the apply itself reports the provider's trouble.
    }
    for (const key of keys) {
      const { pending: _pending, ...entry } = next[key] as InventoryEntry;
      if (live.has(key)) {
        next[key] = entry;
        confirmed.push(key);
      } else {
        delete next[key];
        dropped.push(key);
      }
    }
  }
  return { inventory: next, confirmed: confirmed.sort(), dropped: dropped.sort() };
}
