import type { EnvironmentSpec } from '../model/environment.ts';
import { type Inventory, type ObservedResource, RESOURCE_KIND_NAMES, type ResourceKind } from '../model/resource.ts';
import { isProtectedName, resourceKindModule } from './kinds/index.ts';
import type { ExportedDocument } from './kinds/kind-module.ts';

export type { ExportedDocument };

/**
 * Turns live resources into config documents, grouped by file, that plan to no changes when applied
 * back (with the same state: the inventory supplies what the platform cannot reveal, such as the secret
 * references a user's passwords were set from). Protected names (internal topics, and resources the
 * platform reserves: broker super-users, the principal Landscape connects as) are left out, and what a kind's
 * module excludes (Kubernetes objects Landscape does not own belong to their own tooling). Each kind's module
 * (lib/plan/kinds) says its file and how its resources become documents.
 */
export function exportDocuments(
  observed: readonly ObservedResource[],
  environment: EnvironmentSpec,
  inventory: Inventory = {},
): Map<string, ExportedDocument[]> {
  const sorted = [...observed]
    .filter((r) => !isProtectedName(r.kind, r.name, environment) && r.protectedBy === undefined)
    .filter((r) => resourceKindModule(r.kind).export.include?.(r) ?? true)
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  const byKind = new Map<ResourceKind, ObservedResource[]>();
  for (const resource of sorted) byKind.set(resource.kind, [...(byKind.get(resource.kind) ?? []), resource]);
  // Files in the order of their first key, ACLs first: the order the export command lists them in.
  const kinds = RESOURCE_KIND_NAMES.filter((kind) => byKind.has(kind)).sort((a, b) => {
    if (a === 'Acl' || b === 'Acl') return a === 'Acl' ? -1 : 1;
    const [first, other] = [byKind.get(a)?.[0]?.key ?? '', byKind.get(b)?.[0]?.key ?? ''];
    return first < other ? -1 : 1;
  });
  const files = new Map<string, ExportedDocument[]>();
  for (const kind of kinds) {
    const { file, toDocuments } = resourceKindModule(kind).export;
    const docs = toDocuments(byKind.get(kind) ?? [], inventory);
    files.set(file, [...(files.get(file) ?? []), ...docs]);
  }
  return files;
}
