import type { Json, JsonObject } from '../../model/common.ts';
import {
  ENVIRONMENT_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  SERVER_METADATA,
} from '../../model/kinds/kubernetes-manifest.ts';
import type { KubeObject } from './kube-client.ts';

/** Annotations controllers and old clients write on their own. */
const SERVER_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration', 'deployment.kubernetes.io/revision'];

export const REDACTED = '(redacted)';

/**
 * The live object as Landscape compares and fingerprints it: no status, no server-written metadata, and Secret
 * values replaced by "(redacted)" so no value ever reaches a plan, a log or an export. The same function serves
 * observe, observeKeys and export, so an unchanged object always has the same fingerprint.
 */
export function cleanLiveObject(object: KubeObject): JsonObject {
  const { status: _status, ...rest } = structuredClone(object) as KubeObject;
  const metadata = rest.metadata as KubeObject['metadata'];
  for (const field of SERVER_METADATA) delete metadata[field];
  if (metadata.annotations) {
    for (const a of SERVER_ANNOTATIONS) delete metadata.annotations[a];
    if (Object.keys(metadata.annotations).length === 0) delete metadata.annotations;
  }
  if (isCoreSecret(object)) {
    for (const field of ['data', 'stringData'] as const) {
      const values = rest[field] as Record<string, string> | undefined;
      if (values) for (const k of Object.keys(values)) values[k] = REDACTED;
    }
  }
  return rest as unknown as JsonObject;
}

export const isCoreSecret = (object: { apiVersion?: string; kind?: string }) =>
  object.apiVersion === 'v1' && object.kind === 'Secret';

/** Whether the object carries Landscape's labels for this environment. */
export function isOwnedBy(object: KubeObject, environment: string): boolean {
  const labels = object.metadata.labels ?? {};
  return labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && labels[ENVIRONMENT_LABEL] === environment;
}

/** The label selector of every object Landscape manages in an environment. */
export const ownedSelector = (environment: string) =>
  `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${ENVIRONMENT_LABEL}=${environment}`;

/** `k8s/<group>/<kind>/<namespace or _>/<name>` -> parts. */
export function parseK8sKey(
  key: string,
): { group: string; kind: string; namespace: string | undefined; name: string } | undefined {
  const parts = key.split('/');
  if (parts.length !== 5 || parts[0] !== 'k8s') return undefined;
  const [, group, kind, namespace, name] = parts as [string, string, string, string, string];
  return { group, kind, namespace: namespace === '_' ? undefined : namespace, name };
}

export const displayName = (kind: string, namespace: string | undefined, name: string) =>
  namespace === undefined ? `${kind} ${name}` : `${kind} ${namespace}/${name}`;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Field paths (server-side apply notation, `.spec.template.spec.containers[name="app"].image`) whose values
 * differ between two versions of an object: what a server-side dry-run would change. Metadata the server
 * writes on every write is ignored.
 */
export function changedPaths(before: Json | undefined, after: Json | undefined, path = ''): string[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => {
      const child = /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`;
      return changedPaths(before[k] as Json | undefined, after[k] as Json | undefined, child);
    });
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const named = [...before, ...after].every((item) => isObject(item) && typeof item.name === 'string');
    if (named) {
      const names = [...new Set([...before, ...after].map((item) => (item as { name: string }).name))];
      const find = (list: Json[], n: string) => list.find((item) => (item as { name: string }).name === n);
      return names.flatMap((n) => changedPaths(find(before, n), find(after, n), `${path}[name=${JSON.stringify(n)}]`));
    }
    if (before.length === after.length)
      return before.flatMap((item, i) => changedPaths(item, after[i], `${path}[${i}]`));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [path || '.'];
}

/** Replaces every `{ secretRef }` leaf using `resolve` (apply time only). */
export async function resolveSecretRefs(
  value: Json,
  resolve: (ref: { secretRef: { provider: string; name: string; key?: string } }) => Promise<string>,
): Promise<Json> {
  if (Array.isArray(value)) return Promise.all(value.map((v) => resolveSecretRefs(v, resolve)));
  if (!isObject(value)) return value;
  if ('secretRef' in value && Object.keys(value).length === 1) return resolve(value as never);
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) out[k] = await resolveSecretRefs(v as Json, resolve);
  return out;
}

/** True when the manifest holds a secret reference anywhere. */
export function hasSecretRefs(value: Json): boolean {
  if (Array.isArray(value)) return value.some(hasSecretRefs);
  if (!isObject(value)) return false;
  if ('secretRef' in value && Object.keys(value).length === 1) return true;
  return Object.values(value).some((v) => hasSecretRefs(v as Json));
}
