import { CONFIG_API_VERSION, type JsonObject } from '../model/common.ts';
import type { EnvironmentSpec } from '../model/environment.ts';
import type { AclBinding } from '../model/kinds/acl.ts';
import type { Inventory, ObservedResource, ResourceKind } from '../model/resource.ts';
import { isProtectedName } from './compute-plan.ts';
import { KIND_RULES } from './kinds/index.ts';

export interface ExportedDocument {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: JsonObject;
}

/** Where each resource kind goes when exported, and the document kind it becomes. */
const EXPORT_TARGET: Record<ResourceKind, { file: string; kind: string }> = {
  Topic: { file: 'topics.yaml', kind: 'Topic' },
  Acl: { file: 'acls.yaml', kind: 'Acl' },
  Quota: { file: 'quotas.yaml', kind: 'Quota' },
  User: { file: 'users.yaml', kind: 'User' },
  Schema: { file: 'schemas.yaml', kind: 'Schema' },
  Connector: { file: 'connectors.yaml', kind: 'Connector' },
  KubernetesObject: { file: 'kubernetes.yaml', kind: 'KubernetesManifest' },
};

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 200);

/** FNV-1a (32 bit) as 8 hex digits: a short, stable fingerprint of a text (not a security hash). */
function fingerprintOf(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * Document names for exported resources: the readable slug of each, and where two resources share a slug
 * (they differ only in case or in characters the slug drops, e.g. users "Alice" and "alice"), each of them
 * gets a fingerprint of its exact identity appended. Every name depends only on the live resources, never on
 * their order, so the same cluster always exports the same names.
 */
function uniqueNames(identities: readonly string[], readable: (identity: string) => string): Map<string, string> {
  const bySlug = new Map<string, string[]>();
  for (const identity of new Set(identities)) {
    const base = readable(identity) || 'default';
    bySlug.set(base, [...(bySlug.get(base) ?? []), identity]);
  }
  const names = new Map<string, string>();
  for (const [base, group] of bySlug) {
    if (group.length === 1) names.set(group[0] as string, base);
    else for (const identity of group) names.set(identity, `${base}-${fingerprintOf(identity)}`);
  }
  return names;
}

/** ACL bindings that differ only in operation become one Acl document (as people write them). */
function groupAcls(resources: readonly ObservedResource[]): ExportedDocument[] {
  const groups = new Map<string, { binding: AclBinding; operations: string[] }>();
  for (const resource of resources) {
    const b = resource.spec as unknown as AclBinding;
    const id = [b.principal, b.resourceType, b.patternType, b.resourceName, b.permission, b.host].join('|');
    const group = groups.get(id) ?? { binding: b, operations: [] };
    group.operations.push(b.operation);
    groups.set(id, group);
  }
  const readable = (b: AclBinding) =>
    slug(
      `${b.principal.replace(/^User:/, '')}-${b.resourceType}-${b.resourceName}${b.patternType === 'prefixed' ? '-prefixed' : ''}${b.permission === 'deny' ? '-deny' : ''}`,
    );
  const bindingOf = new Map([...groups].map(([id, group]) => [id, group.binding]));
  const names = uniqueNames([...groups.keys()], (id) => readable(bindingOf.get(id) as AclBinding));
  return [...groups].map(([id, { binding: b, operations }]) => {
    return {
      apiVersion: CONFIG_API_VERSION,
      kind: 'Acl',
      metadata: { name: names.get(id) as string },
      spec: {
        principal: b.principal,
        resource: { type: b.resourceType, name: b.resourceName, patternType: b.patternType },
        operations: operations.sort(),
        permission: b.permission,
        host: b.host,
      },
    };
  });
}

function quotaDocument(resource: ObservedResource, name: string): ExportedDocument {
  const spec = resource.spec as { entity?: { user?: string; clientId?: string }; values?: Record<string, number> };
  const values = spec.values ?? {};
  const fields: JsonObject = { ...(spec.entity ?? {}) };
  const names: Record<string, string> = {
    producer_byte_rate: 'producerByteRate',
    consumer_byte_rate: 'consumerByteRate',
    request_percentage: 'requestPercentage',
    controller_mutation_rate: 'controllerMutationRate',
  };
  for (const [kafkaName, value] of Object.entries(values)) {
    const field = names[kafkaName];
    if (field) fields[field] = value;
  }
  return {
    apiVersion: CONFIG_API_VERSION,
    kind: 'Quota',
    metadata: { name },
    spec: fields,
  };
}

/**
 * Turns live resources into config documents, grouped by file, that plan to no changes when applied
 * back (with the same state: the inventory supplies what the platform cannot reveal, such as the secret
 * references a user's passwords were set from). Protected names (internal topics, and resources the
 * platform reserves: broker super-users, the principal Landscape connects as) are left out; Kubernetes
 * objects only when Landscape owns them (others belong to their own tooling).
 */
export function exportDocuments(
  observed: readonly ObservedResource[],
  environment: EnvironmentSpec,
  inventory: Inventory = {},
): Map<string, ExportedDocument[]> {
  const files = new Map<string, ExportedDocument[]>();
  const add = (file: string, doc: ExportedDocument) => files.set(file, [...(files.get(file) ?? []), doc]);
  const sorted = [...observed]
    .filter((r) => !isProtectedName(r.kind, r.name, environment) && r.protectedBy === undefined)
    .filter((r) => r.kind !== 'KubernetesObject' || r.ownedByLandscape === true)
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  for (const doc of groupAcls(sorted.filter((r) => r.kind === 'Acl'))) add(EXPORT_TARGET.Acl.file, doc);
  const quotaNames = uniqueNames(
    sorted.filter((r) => r.kind === 'Quota').map((r) => r.name),
    slug,
  );
  for (const resource of sorted) {
    if (resource.kind === 'Acl') continue;
    const target = EXPORT_TARGET[resource.kind];
    if (resource.kind === 'Quota') {
      add(target.file, quotaDocument(resource, quotaNames.get(resource.name) as string));
      continue;
    }
    const rules = KIND_RULES[resource.kind];
    const spec = rules?.exportSpec ? rules.exportSpec(resource, inventory[resource.key]) : resource.spec;
    add(target.file, { apiVersion: CONFIG_API_VERSION, kind: target.kind, metadata: { name: resource.name }, spec });
  }
  return files;
}
