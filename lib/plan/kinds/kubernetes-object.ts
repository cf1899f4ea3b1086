import { isSecretRef, type Json, type JsonObject } from '../../model/common.ts';
import type { FieldChange } from '../../model/plan.ts';
import type { DesiredResource } from '../../model/resource.ts';
import { canonicalJson, jsonEqual } from '../canonical-json.ts';
import type { FieldRefusal, KindRules } from '../kind-rules.ts';
import { exportEach } from './export-names.ts';
import type { ResourceKindModule } from './kind-module.ts';

/**
 * Field paths inside a `KubernetesObject` spec. Keys that are plain words join with dots; other keys (label
 * keys with dots and slashes) are bracketed JSON strings; list items are addressed by their merge key, or by
 * index when the list has none:
 * `manifest.metadata.labels["app.kubernetes.io/name"]`, `manifest.spec.template.spec.containers[name=app].image`.
 */
export type PathSegment = { key: string } | { mergeKey: string; value: string | number } | { index: number };

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if ('key' in s) out += PLAIN_KEY.test(s.key) ? `${out ? '.' : ''}${s.key}` : `[${JSON.stringify(s.key)}]`;
    else if ('mergeKey' in s)
      out += `[${s.mergeKey}=${typeof s.value === 'number' ? s.value : JSON.stringify(s.value)}]`;
    else out += `[${s.index}]`;
  }
  return out;
}

/** Inverse of formatPath (used for the managed fields recorded in the inventory). */
export function parsePath(path: string): PathSegment[] | undefined {
  const segments: PathSegment[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === '.') i++;
    if (path[i] === '[') {
      const rest = path.slice(i + 1);
      const quoted = /^("(?:[^"\\]|\\.)*")\]/.exec(rest);
      const keyed = /^([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|-?\d+)\]/.exec(rest);
      const index = /^(\d+)\]/.exec(rest);
      if (quoted) {
        segments.push({ key: JSON.parse(quoted[1] as string) as string });
        i += 1 + quoted[0].length;
      } else if (keyed) {
        const raw = keyed[2] as string;
        segments.push({
          mergeKey: keyed[1] as string,
          value: raw.startsWith('"') ? (JSON.parse(raw) as string) : Number(raw),
        });
        i += 1 + keyed[0].length;
      } else if (index) {
        segments.push({ index: Number(index[1]) });
        i += 1 + index[0].length;
      } else {
        return undefined;
      }
      continue;
    }
    const word = /^[A-Za-z_$][A-Za-z0-9_$-]*/.exec(path.slice(i));
    if (!word) return undefined;
    segments.push({ key: word[0] });
    i += word[0].length;
  }
  return segments;
}

const isObject = (value: Json | undefined): value is JsonObject =>
  value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value);

/** Candidate list-map keys, in the order Kubernetes uses them (containers by name, ports by number, ...). */
const MERGE_KEYS = ['name', 'containerPort', 'port', 'mountPath', 'devicePath', 'ip', 'type'];

/** The key that identifies every item of a desired list of objects, if one does. */
function mergeKeyOf(items: readonly Json[]): string | undefined {
  if (items.length === 0 || !items.every(isObject)) return undefined;
  for (const key of MERGE_KEYS) {
    const values = items.map((item) => (item as JsonObject)[key]);
    if (values.every((v) => typeof v === 'string' || typeof v === 'number') && new Set(values).size === values.length)
      return key;
  }
  return undefined;
}

/** Kubernetes quantities (`500m`, `1Gi`, `0.5`) as numbers; undefined when the value is not one. */
export function parseQuantity(value: Json | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:[eE]([+-]?\d+))?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(value);
  if (!match) return undefined;
  const factor: Record<string, number> = {
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
  };
  return Number(match[1]) * 10 ** Number(match[2] ?? 0) * (match[3] ? (factor[match[3]] as number) : 1);
}

/** Maps of quantities: the API server rewrites `0.5` as `500m`, `1024Mi` stays, `1e3` becomes `1k`. */
const QUANTITY_PARENTS = new Set(['requests', 'limits', 'hard', 'capacity', 'allocatable']);

/** Zero values the API server omits (`omitempty`): declaring one is not a difference from "absent". */
const isOmittedZero = (value: Json): boolean =>
  value === '' || value === false || value === 0 || (Array.isArray(value) && value.length === 0);

function scalarEqual(want: Json, have: Json | undefined, parent: PathSegment | undefined): boolean {
  if (jsonEqual(want, have)) return true;
  if (have === undefined) return isOmittedZero(want);
  if (parent && 'key' in parent && QUANTITY_PARENTS.has(parent.key)) {
    const a = parseQuantity(want);
    const b = parseQuantity(have);
    if (a !== undefined && b !== undefined) return Math.abs(a - b) <= Math.abs(a) * 1e-9;
  }
  return false;
}

/**
 * The declared-fields diff for Kubernetes objects: walks the desired manifest only (so everything the API
 * server fills in, defaults, status and fields other managers own are never differences), matching list items
 * by their merge key, treating quantities by value and omitted zero values as absent.
 */
export function diffManifest(want: Json, have: Json | undefined, path: PathSegment[] = []): FieldChange[] {
  const here = formatPath(path);
  if (isSecretRef(want)) return [];
  if (isObject(want)) {
    if (!isObject(have)) {
      if (Object.keys(want).length === 0) {
        return have === undefined ? [{ path: here, after: want }] : [{ path: here, before: have as Json, after: want }];
      }
      // Nothing there yet (or not an object): every declared leaf is new.
      return Object.keys(want)
        .sort()
        .flatMap((key) => diffManifest(want[key] as Json, undefined, [...path, { key }]));
    }
    return Object.keys(want)
      .sort()
      .flatMap((key) => diffManifest(want[key] as Json, have[key], [...path, { key }]));
  }
  if (Array.isArray(want)) {
    const mergeKey = mergeKeyOf(want);
    if (mergeKey !== undefined && (have === undefined || Array.isArray(have))) {
      const live = (have ?? []) as Json[];
      return want.flatMap((item) => {
        const id = (item as JsonObject)[mergeKey] as string | number;
        const match = live.find((l) => isObject(l) && l[mergeKey] === id);
        return diffManifest(item, match, [...path, { mergeKey, value: id }]);
      });
    }
    if (want.length > 0 && want.every(isObject) && Array.isArray(have) && have.length === want.length) {
      // Same length, no key: compare item by item, declared fields only.
      return want.flatMap((item, index) => diffManifest(item, have[index], [...path, { index }]));
    }
    if (
      Array.isArray(have) &&
      have.length === want.length &&
      want.every((w, i) => scalarEqual(w, have[i], path.at(-2)))
    )
      return [];
    if (scalarEqual(want, have, path.at(-2))) return [];
    return [{ path: here, ...(have !== undefined ? { before: have } : {}), after: want }];
  }
  if (scalarEqual(want, have, path.at(-2))) return [];
  return [{ path: here, ...(have !== undefined ? { before: have } : {}), after: want }];
}

/** Every declared leaf of a manifest, as paths (what a Create shows and what the inventory remembers). */
export function manifestLeaves(want: Json, path: PathSegment[] = []): { path: string; value: Json }[] {
  if (isObject(want) && !isSecretRef(want) && Object.keys(want).length > 0) {
    return Object.keys(want)
      .sort()
      .flatMap((key) => manifestLeaves(want[key] as Json, [...path, { key }]));
  }
  if (Array.isArray(want)) {
    const mergeKey = mergeKeyOf(want);
    if (mergeKey !== undefined) {
      return want.flatMap((item) =>
        manifestLeaves(item, [...path, { mergeKey, value: (item as JsonObject)[mergeKey] as string | number }]),
      );
    }
  }
  return [{ path: formatPath(path), value: want }];
}

/** The value at a path, following list items by merge key. */
export function valueAt(root: Json | undefined, segments: readonly PathSegment[]): Json | undefined {
  let node: Json | undefined = root;
  for (const s of segments) {
    if (node === undefined || node === null) return undefined;
    if ('key' in s) node = isObject(node) ? node[s.key] : undefined;
    else if ('mergeKey' in s)
      node = Array.isArray(node) ? node.find((item) => isObject(item) && item[s.mergeKey] === s.value) : undefined;
    else node = Array.isArray(node) ? node[s.index] : undefined;
  }
  return node;
}

/** Fields that the API server refuses to change, per kind (the dry-run check catches the rest). */
const IMMUTABLE: { kinds: string[]; prefix: string; why: string }[] = [
  {
    kinds: ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'],
    prefix: 'manifest.spec.selector',
    why: 'a workload selector can not change',
  },
  {
    kinds: ['StatefulSet'],
    prefix: 'manifest.spec.volumeClaimTemplates',
    why: 'StatefulSet volume claim templates can not change',
  },
  { kinds: ['StatefulSet'], prefix: 'manifest.spec.serviceName', why: 'a StatefulSet service name can not change' },
  {
    kinds: ['StatefulSet'],
    prefix: 'manifest.spec.podManagementPolicy',
    why: 'a StatefulSet pod management policy can not change',
  },
  { kinds: ['Job'], prefix: 'manifest.spec.template', why: 'a Job pod template can not change' },
  { kinds: ['Job'], prefix: 'manifest.spec.selector', why: 'a Job selector can not change' },
  { kinds: ['Service'], prefix: 'manifest.spec.clusterIP', why: 'a Service cluster IP can not change' },
];

const startsWithPath = (path: string, prefix: string) =>
  path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);

type Manifest = JsonObject & { kind?: string; metadata?: JsonObject };

/** `{ secretRef }` leaves of a manifest (Secret values resolved only at apply). */
function secretLeaves(manifest: Json): { path: string; value: Json }[] {
  return manifestLeaves(manifest, [{ key: 'manifest' }]).filter((leaf) => isSecretRef(leaf.value));
}

const describeRef = (value: Json): string => {
  const ref = (value as { secretRef: { provider: string; name: string; key?: string } }).secretRef;
  return `secret ${ref.provider}/${ref.name}${ref.key ? `#${ref.key}` : ''}`;
};

/** The secret references (never values) of a manifest, as text: remembered so a changed reference shows. */
function secretDigestOf(desired: DesiredResource): string | undefined {
  const leaves = secretLeaves(desired.spec.manifest as Json);
  return leaves.length === 0 ? undefined : canonicalJson(leaves.map((l) => [l.path, l.value]));
}

/**
 * Planning rules for Kubernetes objects (any kind, server-side applied). The live spec is the adapter's
 * `{ manifest: <live object without server-owned metadata and status> }`.
 * - diff: declared fields only ({@link diffManifest}); a field Landscape applied before (inventory
 *   `managedFields`) and no longer declares shows as removed, because server-side apply drops it.
 * - refusals: fields another field manager owns (ObservedResource.conflicts) -> `OwnedByOther` for the whole
 *   update; known immutable fields -> `ImmutableField` with what to do instead.
 */
export const kubernetesObjectRules: KindRules = {
  diff({ desired, live, inventory }) {
    const want = desired.spec.manifest as Manifest;
    const have = live.spec.manifest as Manifest | undefined;
    const fields = diffManifest(want, have, [{ key: 'manifest' }]);
    const declared = new Set(manifestLeaves(want, [{ key: 'manifest' }]).map((l) => l.path));
    for (const managed of inventory?.managedFields ?? []) {
      if (declared.has(managed) || [...declared].some((d) => startsWithPath(d, managed) || startsWithPath(managed, d)))
        continue;
      const segments = parsePath(managed);
      if (!segments || segments[0] === undefined || !('key' in segments[0]) || segments[0].key !== 'manifest') continue;
      const before = valueAt(live.spec as Json, segments);
      if (before === undefined) continue;
      fields.push({
        path: managed,
        before,
        note: 'removed from git: server-side apply removes it (unless another manager also sets it)',
      });
    }
    // Secret values are never compared (the live side is redacted); a changed reference is a change.
    const digest = secretDigestOf(desired);
    if (inventory?.secretDigest !== undefined && digest !== undefined && inventory.secretDigest !== digest) {
      for (const leaf of secretLeaves(want)) {
        fields.push({ path: leaf.path, after: `changed (${describeRef(leaf.value)})`, secret: true });
      }
    }
    return fields;
  },

  secretDigest: (desired) => secretDigestOf(desired),

  refuseUpdate({ desired, live }, fields) {
    const refusals: FieldRefusal[] = [];
    if (live.conflicts && live.conflicts.length > 0 && fields.length > 0) {
      refusals.push({
        reason: 'OwnedByOther',
        message: `another field manager owns fields this update changes (${live.conflicts.join('; ')}); Landscape does not take them over. Remove that manager's ownership (or change git to match), then plan again`,
        paths: fields.map((f) => f.path),
      });
      return refusals;
    }
    const kind = String((desired.spec.manifest as Manifest).kind);
    for (const rule of IMMUTABLE) {
      if (!rule.kinds.includes(kind)) continue;
      const hit = fields.filter((f) => f.before !== undefined && startsWithPath(f.path, rule.prefix));
      if (hit.length === 0) continue;
      refusals.push({
        reason: 'ImmutableField',
        message: `${rule.why} (${hit.map((f) => f.path).join(', ')}); the API server would reject the update. Keep the live value, or create the object under a new name and remove the old one`,
        paths: hit.map((f) => f.path),
      });
    }
    return refusals;
  },

  createFields(desired) {
    return manifestLeaves(desired.spec.manifest as Json, [{ key: 'manifest' }]).map((leaf) =>
      isSecretRef(leaf.value)
        ? { path: leaf.path, after: describeRef(leaf.value), secret: true }
        : { path: leaf.path, after: leaf.value },
    );
  },

  managedFields(desired: DesiredResource) {
    return manifestLeaves(desired.spec.manifest as Json, [{ key: 'manifest' }]).map((leaf) => leaf.path);
  },

  exportSpec(live) {
    const manifest = structuredClone(live.spec.manifest ?? {}) as Manifest;
    const labels = manifest.metadata?.labels as JsonObject | undefined;
    if (labels) {
      delete labels['app.kubernetes.io/managed-by'];
      delete labels['landscape.dev/environment'];
      if (Object.keys(labels).length === 0 && manifest.metadata) delete manifest.metadata.labels;
    }
    return { manifest };
  },
};

export const kubernetesObjectKind: ResourceKindModule<'KubernetesObject'> = {
  kind: 'KubernetesObject',
  wave: 6,
  rules: kubernetesObjectRules,
  identityName: 'uid',
  export: {
    file: 'kubernetes.yaml',
    document: 'KubernetesManifest',
    // Objects Landscape does not own belong to their own tooling.
    include: (live) => live.ownedByLandscape === true,
    toDocuments: exportEach('KubernetesManifest', kubernetesObjectRules),
  },
};
