import type { EnvironmentSpec } from '../model/environment.ts';
import {
  type FieldChange,
  PLAN_API_VERSION,
  type Plan,
  type PlanNote,
  type PlannedChange,
  type Refusal,
} from '../model/plan.ts';
import type { DesiredResource, Inventory, InventoryEntry, ObservedResource, ResourceKind } from '../model/resource.ts';
import { separateIamAccess } from './access/iam-access.ts';
import { canonicalJson } from './canonical-json.ts';
import { diffDeclared, leafFields } from './diff.ts';
import { isProtectedName, resourceKindModule, WAVE_OF } from './kinds/index.ts';
import { unmanagedGrants } from './unmanaged-grants.ts';

export interface ComputePlanInput {
  environment: { name: string; spec: EnvironmentSpec };
  desired: readonly DesiredResource[];
  observed: readonly ObservedResource[];
  inventory: Inventory;
  /** Kinds whose live state was observed: only these can produce Deletes or Unmanaged entries. */
  observedKinds: readonly ResourceKind[];
  notes?: readonly PlanNote[];
  source: Plan['source'];
  toolVersion: string;
  /** Content hash (hex). Passed in so this module stays free of I/O and platform APIs. */
  hash: (text: string) => string;
}

/**
 * The basis entry of one live resource: `absent`, or the fingerprint of its spec followed by `@<identity>`
 * when the platform gives it one. Apply re-reads the resource and refuses the plan when this moved. The
 * identity matters most for deletes: a topic deleted and re-created by hand with the same spec (and new data)
 * has the same spec fingerprint but a new topic id, and a plan made against the old topic must not delete it.
 */
export function fingerprint(resource: ObservedResource | undefined, hash: (text: string) => string): string {
  if (resource === undefined) return 'absent';
  const spec = hash(canonicalJson(resource.spec)).slice(0, 16);
  return resource.identity === undefined ? spec : `${spec}@${resource.identity}`;
}

/** What moved between a planned basis entry and the live one, for people: `undefined` when nothing did. */
export function describeBasisMove(planned: string | undefined, live: string, kind?: ResourceKind): string | undefined {
  if (planned === live) return undefined;
  if (planned === undefined) return 'not in the plan basis';
  if (planned === 'absent') return 'created since planning';
  if (live === 'absent') return 'deleted since planning';
  const [plannedSpec, plannedIdentity] = splitBasis(planned);
  const [liveSpec, liveIdentity] = splitBasis(live);
  if (plannedIdentity !== liveIdentity) {
    if (plannedIdentity === undefined) return 'planned without its identity (an older plan)';
    if (liveIdentity === undefined) return 'its identity can no longer be read';
    const name = (kind && resourceKindModule(kind).identityName) ?? 'identity';
    return `deleted and re-created since planning (${name} ${plannedIdentity} -> ${liveIdentity})`;
  }
  return plannedSpec === liveSpec ? undefined : 'changed since planning';
}

function splitBasis(entry: string): [string, string | undefined] {
  const at = entry.indexOf('@');
  return at < 0 ? [entry, undefined] : [entry.slice(0, at), entry.slice(at + 1)];
}

export { isProtectedName };

const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * The pure heart of Landscape: pairs desired and live resources by key and decides, per resource, Create,
 * Update (field-level), Delete (only what Landscape owns, only where prune is on), NoOp or Unmanaged, refusing
 * impossible changes with a reason. Same inputs, same plan, byte for byte.
 *
 * @example
 * const plan = computePlan({ environment, desired, observed, inventory: {}, observedKinds: ['Topic'],
 *   source: { commit: 'abc' }, toolVersion: '0.1.0', hash: sha256Hex });
 * plan.summary; // { create: 1, update: 0, delete: 0, noop: 0, refused: 0, unmanaged: 0 }
 */
export function computePlan(requested: ComputePlanInput): Plan {
  // MSK IAM: ACLs are not enforced, so none is planned; the access is rendered as IAM policies (ADR 0042).
  const { input, accessPolicies } = separateIamAccess(requested);
  const { environment, inventory, hash } = input;
  const live = new Map(input.observed.map((o) => [o.key, o]));
  const desiredKeys = new Set(input.desired.map((d) => d.key));
  const changes: PlannedChange[] = [];
  const refused: Refusal[] = [];
  const notes: PlanNote[] = [...(input.notes ?? [])];
  const noop: string[] = [];
  const unmanaged: string[] = [];
  const unmanagedResources: ObservedResource[] = [];
  const adopted: string[] = [];
  const inventoryEntries: InventoryEntry[] = [];

  for (const desired of [...input.desired].sort(byKey)) {
    const rules = resourceKindModule(desired.kind).rules;
    const where = {
      ...(desired.source ? { source: desired.source } : {}),
      ...(desired.origin ? { origin: desired.origin } : {}),
    };
    if (isProtectedName(desired.kind, desired.name, environment.spec)) {
      refused.push({
        key: desired.key,
        kind: desired.kind,
        name: desired.name,
        reason: 'ProtectedName',
        message: `"${desired.name}" starts with a protected prefix (${environment.spec.protectedPrefixes.join(', ')}); internal names are never managed`,
        ...(desired.source ? { source: desired.source } : {}),
      });
      continue;
    }
    const reserved = live.get(desired.key)?.protectedBy;
    if (reserved !== undefined) {
      refused.push({
        key: desired.key,
        kind: desired.kind,
        name: desired.name,
        reason: 'ProtectedName',
        message: `${desired.kind} "${desired.name}" is ${reserved}: Landscape never changes it (manage it outside Landscape, and remove it from git)`,
        ...(desired.source ? { source: desired.source } : {}),
      });
      continue;
    }
    const current = live.get(desired.key);
    if (current?.conflicts && current.conflicts.length > 0) {
      // Not ours to change, so not ours at all: it does not enter the inventory (a later prune would delete it).
      refused.push({
        key: desired.key,
        kind: desired.kind,
        name: desired.name,
        reason: 'OwnedByOther',
        message: `fields are owned by another manager: ${current.conflicts.join('; ')}`,
        ...(desired.source ? { source: desired.source } : {}),
      });
      continue;
    }
    const previous = inventory[desired.key];
    // Existing live, not in the inventory and not marked as created by Landscape: declaring it adopts it.
    const adopting = current !== undefined && previous === undefined && current.ownedByLandscape !== true;
    const managedFields = rules.managedFields?.(desired);
    const secretDigest = rules.secretDigest?.(desired);
    inventoryEntries.push({
      key: desired.key,
      kind: desired.kind,
      ...(managedFields ? { managedFields } : {}),
      ...(secretDigest !== undefined ? { secretDigest } : {}),
      ...(adopting || previous?.adopted ? { adopted: true as const } : {}),
    });
    if (adopting) adopted.push(desired.key);
    const base = {
      key: desired.key,
      kind: desired.kind,
      name: desired.name,
      wave: WAVE_OF[desired.kind],
      desired: desired.spec,
      ...where,
      ...(adopting ? { adopt: true as const } : {}),
    };
    if (current === undefined) {
      changes.push({
        ...base,
        action: 'Create',
        fields: rules.createFields?.(desired) ?? leafFields(desired.spec),
        destructive: false,
      });
      continue;
    }
    const diffInput = { desired, live: current, inventory: inventory[desired.key] };
    let fields: FieldChange[] = rules.diff ? rules.diff(diffInput) : diffDeclared(desired.spec, current.spec);
    for (const refusal of rules.refuseUpdate?.(diffInput, fields) ?? []) {
      refused.push({
        key: desired.key,
        kind: desired.kind,
        name: desired.name,
        reason: refusal.reason,
        message: refusal.message,
        ...(desired.source ? { source: desired.source } : {}),
      });
      fields = fields.filter((f) => !refusal.paths.includes(f.path));
    }
    if (fields.length === 0) {
      noop.push(desired.key);
    } else {
      changes.push({ ...base, action: 'Update', fields, destructive: rules.isDestructiveUpdate?.(fields) ?? false });
    }
  }

  const observedKinds = new Set(input.observedKinds);
  for (const current of [...input.observed].sort(byKey)) {
    if (desiredKeys.has(current.key) || !observedKinds.has(current.kind)) continue;
    if (isProtectedName(current.kind, current.name, environment.spec) || current.protectedBy !== undefined) continue;
    const entry = inventory[current.key];
    if (entry?.adopted) {
      notes.push({
        key: current.key,
        level: 'info',
        message: `${current.kind} "${current.name}" is gone from git, but Landscape adopted it (it existed before it was declared), so it is never pruned: left in place (delete it by hand if it should go)`,
      });
      // Kept as adopted: Kubernetes objects carry Landscape's labels once adopted, and only this entry says the
      // object is not Landscape's own.
      inventoryEntries.push(entry);
      continue;
    }
    const owned = current.ownedByLandscape ?? entry !== undefined;
    if (!owned) {
      unmanaged.push(current.key);
      unmanagedResources.push(current);
      continue;
    }
    if (!environment.spec.prune[current.kind]) {
      notes.push({
        key: current.key,
        level: 'warning',
        message: `${current.kind} "${current.name}" was created by Landscape and is gone from git, but prune is off for ${current.kind}: left in place (set spec.prune.${current.kind}: true on the Environment to delete it)`,
      });
      // Still ours: keep it in the inventory so turning prune on later deletes it.
      inventoryEntries.push(inventory[current.key] ?? { key: current.key, kind: current.kind });
      continue;
    }
    changes.push({
      key: current.key,
      kind: current.kind,
      name: current.name,
      action: 'Delete',
      wave: WAVE_OF[current.kind],
      fields: [],
      destructive: true,
      ...(current.identity !== undefined ? { identity: current.identity } : {}),
    });
  }

  const managedTopics = [
    ...input.desired.filter((d) => d.kind === 'Topic').map((d) => d.name),
    // Landscape's own topics gone from git (deleted or kept with prune off); adopted ones gone from git are not.
    ...input.observed
      .filter((o) => o.kind === 'Topic' && inventory[o.key] !== undefined && !inventory[o.key]?.adopted)
      .map((o) => o.name),
  ];

  const ordered = orderChanges(changes);
  const basis: Record<string, string> = {};
  for (const change of ordered) basis[change.key] = fingerprint(live.get(change.key), hash);

  const summary = {
    create: ordered.filter((c) => c.action === 'Create').length,
    update: ordered.filter((c) => c.action === 'Update').length,
    delete: ordered.filter((c) => c.action === 'Delete').length,
    noop: noop.length,
    refused: refused.length,
    unmanaged: unmanaged.length,
    adopt: adopted.length,
  };
  const withoutHash: Omit<Plan, 'hash'> = {
    apiVersion: PLAN_API_VERSION,
    environment: environment.name,
    target: environment.spec,
    source: input.source,
    toolVersion: input.toolVersion,
    basis,
    changes: ordered,
    refused: refused.sort(byKey),
    notes,
    unmanaged,
    unmanagedGrants: unmanagedGrants(unmanagedResources, managedTopics),
    ...(accessPolicies ? { accessPolicies } : {}),
    noop,
    adopted,
    inventory: inventoryEntries.sort(byKey),
    summary,
    desiredHash: hash(canonicalJson([...input.desired].sort(byKey))),
  };
  return { ...withoutHash, hash: hash(canonicalJson(withoutHash)) };
}

/** Creates and updates by wave ascending, then deletes by wave descending (DESIGN.md: deletes in reverse). */
export function orderChanges(changes: readonly PlannedChange[]): PlannedChange[] {
  const forward = changes.filter((c) => c.action !== 'Delete').sort((a, b) => a.wave - b.wave || byKey(a, b));
  const deletes = changes.filter((c) => c.action === 'Delete').sort((a, b) => b.wave - a.wave || byKey(a, b));
  return [...forward, ...deletes];
}

/** True when the plan would change anything. */
export function hasChanges(plan: Plan): boolean {
  return plan.changes.length > 0;
}

/**
 * Folds findings from live checks (schema compatibility, dry-runs) into a plan: an error about a change
 * refuses that change ('Incompatible'); everything else becomes a note. Returns a re-hashed plan.
 */
export function withCheckNotes(plan: Plan, checkNotes: readonly PlanNote[], hash: (text: string) => string): Plan {
  if (checkNotes.length === 0) return plan;
  const blocked = new Map<string, PlanNote>();
  for (const note of checkNotes) if (note.level === 'error' && note.key !== undefined) blocked.set(note.key, note);
  const refused: Refusal[] = [...plan.refused];
  const changes = plan.changes.filter((change) => {
    const note = blocked.get(change.key);
    if (!note) return true;
    refused.push({
      key: change.key,
      kind: change.kind,
      name: change.name,
      reason: 'Incompatible',
      message: note.message,
      ...(change.source ? { source: change.source } : {}),
    });
    return false;
  });
  const basis: Record<string, string> = {};
  for (const change of changes) basis[change.key] = plan.basis[change.key] ?? 'absent';
  const { hash: _old, ...rest } = plan;
  const next: Omit<Plan, 'hash'> = {
    ...rest,
    basis,
    changes,
    refused: refused.sort(byKey),
    notes: [
      ...plan.notes,
      ...checkNotes.filter((n) => !(n.level === 'error' && n.key !== undefined && blocked.get(n.key) === n)),
    ],
    summary: {
      ...plan.summary,
      create: changes.filter((c) => c.action === 'Create').length,
      update: changes.filter((c) => c.action === 'Update').length,
      delete: changes.filter((c) => c.action === 'Delete').length,
      refused: refused.length,
    },
  };
  return { ...next, hash: hash(canonicalJson(next)) };
}

/** Whether a plan still has the content its hash was computed over (a plan file edited by hand does not). */
export function planHashMatches(plan: Plan, hash: (text: string) => string): boolean {
  const { hash: claimed, ...rest } = plan;
  return hash(canonicalJson(rest)) === claimed;
}
