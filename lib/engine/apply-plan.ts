import { messageOf } from '../errors.ts';
import type { ApplyReport, ChangeResult, Plan, PlannedChange } from '../model/plan.ts';
import type { Inventory, ObservedResource } from '../model/resource.ts';
import { describeBasisMove, fingerprint } from '../plan/compute-plan.ts';
import type { ProgressListener, ResourceProvider } from '../ports/resource-provider.ts';
import type { SecretResolver } from '../ports/secret-resolver.ts';
import { sha256Hex } from './hash.ts';
import { providersByKind } from './plan-environment.ts';

export interface ApplyPlanInput {
  plan: Plan;
  providers: readonly ResourceProvider[];
  inventory: Inventory;
  secrets: SecretResolver;
  now: () => Date;
  progress?: ProgressListener;
  /**
   * Awaited before each batch is sent to its provider (after the stale check): run-apply journals there the
   * resources a batch may create. When it throws, that batch and every later one are not attempted and their
   * changes fail with the reason (nothing is sent that could not be recorded first).
   */
  beforeBatch?: (changes: readonly PlannedChange[]) => Promise<void>;
}

export interface ApplyPlanResult {
  report: ApplyReport;
  /** The inventory after this apply (created keys added, deleted keys removed, failed deletes kept). */
  inventory: Inventory;
}

/** One resource whose live state moved since planning, and what moved. */
export interface StaleResource {
  key: string;
  moved: string;
}

/**
 * Re-reads every resource the plan touches and returns those whose basis entry moved: spec changed, created,
 * deleted, or deleted and re-created (a new platform identity with an equal spec).
 */
export async function findStaleResources(plan: Plan, providers: readonly ResourceProvider[]): Promise<StaleResource[]> {
  const byKind = providersByKind(providers);
  const keysByProvider = new Map<ResourceProvider, string[]>();
  for (const change of plan.changes) {
    const provider = byKind.get(change.kind);
    if (!provider) continue;
    const list = keysByProvider.get(provider);
    if (list) list.push(change.key);
    else keysByProvider.set(provider, [change.key]);
  }
  const observed = new Map<string, ObservedResource>();
  await Promise.all(
    [...keysByProvider].map(async ([provider, keys]) => {
      for (const resource of await provider.observeKeys(keys)) observed.set(resource.key, resource);
    }),
  );
  return plan.changes
    .filter((change) => byKind.has(change.kind))
    .flatMap((change) => {
      const moved = describeBasisMove(
        plan.basis[change.key],
        fingerprint(observed.get(change.key), sha256Hex),
        change.kind,
      );
      return moved === undefined ? [] : [{ key: change.key, moved }];
    });
}

/** Batches of changes that one provider applies in one call: same wave, same direction, same provider. */
function batches(
  plan: Plan,
  byKind: Map<string, ResourceProvider>,
): { provider?: ResourceProvider; changes: PlannedChange[] }[] {
  const result: { provider?: ResourceProvider; changes: PlannedChange[]; id: string }[] = [];
  for (const change of plan.changes) {
    const provider = byKind.get(change.kind);
    const id = `${change.wave}/${change.action === 'Delete' ? 'delete' : 'forward'}/${provider?.name ?? 'none'}`;
    const last = result.at(-1);
    if (last && last.id === id) last.changes.push(change);
    else result.push({ id, changes: [change], ...(provider ? { provider } : {}) });
  }
  return result;
}

/**
 * Runs exactly the given plan: re-reads every touched resource first and refuses a stale plan (report
 * outcome 'Refused' with the changed keys), then applies wave by wave. Never throws for a single change:
 * every change ends Succeeded, Skipped or Failed, and one failure does not stop the others.
 */
export async function applyPlan(input: ApplyPlanInput): Promise<ApplyPlanResult> {
  const { plan, providers, now } = input;
  const startedAt = now().toISOString();
  const reportBase = {
    planHash: plan.hash,
    environment: plan.environment,
    ...(plan.source.commit ? { commit: plan.source.commit } : {}),
    startedAt,
  };
  const stale = await findStaleResources(plan, providers);
  if (stale.length > 0) {
    return {
      inventory: input.inventory,
      report: {
        ...reportBase,
        finishedAt: now().toISOString(),
        outcome: 'Refused',
        results: plan.changes.map((c) => {
          const moved = stale.find((s) => s.key === c.key)?.moved;
          return {
            key: c.key,
            action: c.action,
            outcome: 'Skipped' as const,
            message: moved ? `plan refused: stale (${moved})` : 'plan refused: stale',
          };
        }),
        refusal: {
          code: 'PlanStale',
          message: `plan is stale: ${stale.length} resource(s) changed on the platform since planning (${stale
            .slice(0, 5)
            .map((s) => `${s.key}: ${s.moved}`)
            .join('; ')}${stale.length > 5 ? '; ...' : ''}); plan again`,
          changedKeys: stale.map((s) => s.key),
        },
      },
    };
  }

  const byKind = providersByKind(providers);
  const results: ChangeResult[] = [];
  const total = plan.changes.length;
  let halted: string | undefined;
  const failAll = (changes: readonly PlannedChange[], message: string) => {
    for (const change of changes) results.push({ key: change.key, action: change.action, outcome: 'Failed', message });
  };
  for (const batch of batches(plan, byKind)) {
    const started = Date.now();
    if (halted) {
      failAll(batch.changes, halted);
      continue;
    }
    if (!batch.provider) {
      for (const change of batch.changes) {
        results.push({
          key: change.key,
          action: change.action,
          outcome: 'Skipped',
          message: `no connection for ${change.kind} in this environment`,
        });
      }
      continue;
    }
    try {
      await input.beforeBatch?.(batch.changes);
    } catch (error) {
      halted = `not attempted: ${messageOf(error)}`;
      failAll(batch.changes, halted);
      continue;
    }
    try {
      const batchResults = await batch.provider.apply(batch.changes, {
        secrets: input.secrets,
        ...(input.progress ? { progress: input.progress } : {}),
      });
      const byKey = new Map(batchResults.map((r) => [r.key, r]));
      for (const change of batch.changes) {
        results.push(
          byKey.get(change.key) ?? {
            key: change.key,
            action: change.action,
            outcome: 'Failed',
            message: 'the adapter reported no result for this change',
          },
        );
      }
    } catch (error) {
      // A fault that made the whole batch impossible (unreachable, unauthorized): each change says so.
      for (const change of batch.changes) {
        results.push({
          key: change.key,
          action: change.action,
          outcome: 'Failed',
          message: messageOf(error),
          durationMs: Date.now() - started,
        });
      }
    }
    input.progress?.({ phase: 'apply', done: results.length, total });
  }

  const inventory = nextInventory(plan, results, input.inventory);
  const failed = results.filter((r) => r.outcome === 'Failed').length;
  const outcome: ApplyReport['outcome'] =
    failed === 0 ? 'Succeeded' : failed === results.length ? 'Failed' : 'PartiallyFailed';
  return { inventory, report: { ...reportBase, finishedAt: now().toISOString(), outcome, results } };
}

/**
 * Inventory after an apply: desired resources that now exist (created, updated or unchanged) are recorded
 * with their managed fields; deleted keys are dropped; a failed delete stays so the next run retries it.
 */
export function nextInventory(plan: Plan, results: readonly ChangeResult[], previous: Inventory): Inventory {
  const outcome = new Map(results.map((r) => [r.key, r.outcome]));
  const next: Inventory = { ...previous };
  const changed = new Map(plan.changes.map((c) => [c.key, c]));
  for (const entry of plan.inventory) {
    const change = changed.get(entry.key);
    if (change === undefined || outcome.get(entry.key) === 'Succeeded') next[entry.key] = entry;
  }
  for (const change of plan.changes) {
    if (change.action === 'Delete' && outcome.get(change.key) === 'Succeeded') delete next[change.key];
  }
  // A create the platform refused created nothing: its journal entry ("may exist") goes, so whatever holds the
  // name now (made by someone else) is never taken for Landscape's.
  for (const result of results) {
    if (result.nothingCreated && result.action === 'Create' && next[result.key]?.pending === true)
      delete next[result.key];
  }
  return next;
}
