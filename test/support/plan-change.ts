import type { PlannedChange } from '../../lib/model/plan.ts';
import type { DesiredResource, InventoryEntry, ObservedResource } from '../../lib/model/resource.ts';
import { leafFields } from '../../lib/plan/diff.ts';
import type { KindRules } from '../../lib/plan/kind-rules.ts';
import { WAVE_OF } from '../../lib/plan/kinds/index.ts';

/**
 * One resource's PlannedChange, decided the way computePlan decides it (Create / Update with the kind's fields /
 * Delete; undefined for NoOp), so adapter tests exercise the same rules without a whole plan.
 */
export function planChange(
  rules: KindRules,
  desired: DesiredResource | undefined,
  live: ObservedResource | undefined,
  inventory?: InventoryEntry,
): PlannedChange | undefined {
  const resource = desired ?? live;
  if (!resource) return undefined;
  const base = { key: resource.key, kind: resource.kind, name: resource.name, wave: WAVE_OF[resource.kind] };
  if (desired && !live) {
    return {
      ...base,
      action: 'Create',
      fields: rules.createFields?.(desired) ?? leafFields(desired.spec),
      desired: desired.spec,
      destructive: false,
    };
  }
  if (desired && live) {
    const fields = rules.diff?.({ desired, live, inventory }) ?? [];
    if (fields.length === 0) return undefined;
    return {
      ...base,
      action: 'Update',
      fields,
      desired: desired.spec,
      destructive: rules.isDestructiveUpdate?.(fields) ?? false,
    };
  }
  return { ...base, action: 'Delete', fields: [], destructive: true };
}

/** The inventory entry apply would record for `desired` (managed fields, secret digest). */
export function inventoryFor(rules: KindRules, desired: DesiredResource): InventoryEntry {
  const managedFields = rules.managedFields?.(desired);
  const secretDigest = rules.secretDigest?.(desired);
  return {
    key: desired.key,
    kind: desired.kind,
    ...(managedFields ? { managedFields } : {}),
    ...(secretDigest !== undefined ? { secretDigest } : {}),
  };
}
