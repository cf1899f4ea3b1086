import type { AclBinding } from '../model/acl.ts';
import { CONFIG_API_VERSION, type JsonObject } from '../model/common.ts';
import type { EnvironmentSpec } from '../model/environment.ts';
import type { ObservedResource, ResourceKind } from '../model/resource.ts';
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
  const used = new Set<string>();
  return [...groups.values()].map(({ binding: b, operations }) => {
    let name = slug(
      `${b.principal.replace(/^User:/, '')}-${b.resourceType}-${b.resourceName}${b.permission === 'deny' ? '-deny' : ''}`,
    );
    for (let i = 2; used.has(name); i++) name = `${name}-${i}`;
    used.add(name);
    return {
      apiVersion: CONFIG_API_VERSION,
      kind: 'Acl',
      metadata: { name },
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

function quotaDocument(resource: ObservedResource): ExportedDocument {
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
    metadata: { name: slug(resource.name) || 'default' },
    spec: fields,
  };
}

/**
 * Turns live resources into config documents, grouped by file, that plan to no changes when applied
 * back. Protected (internal) names are left out; Kubernetes objects only when Landscape owns them (others
 * belong to their own tooling).
 */
export function exportDocuments(
  observed: readonly ObservedResource[],
  environment: EnvironmentSpec,
): Map<string, ExportedDocument[]> {
  const files = new Map<string, ExportedDocument[]>();
  const add = (file: string, doc: ExportedDocument) => files.set(file, [...(files.get(file) ?? []), doc]);
  const sorted = [...observed]
    .filter((r) => !isProtectedName(r.kind, r.name, environment))
    .filter((r) => r.kind !== 'KubernetesObject' || r.ownedByLandscape === true)
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  for (const doc of groupAcls(sorted.filter((r) => r.kind === 'Acl'))) add(EXPORT_TARGET.Acl.file, doc);
  for (const resource of sorted) {
    if (resource.kind === 'Acl') continue;
    const target = EXPORT_TARGET[resource.kind];
    if (resource.kind === 'Quota') {
      add(target.file, quotaDocument(resource));
      continue;
    }
    const rules = KIND_RULES[resource.kind];
    const spec = rules?.exportSpec ? rules.exportSpec(resource) : resource.spec;
    add(target.file, { apiVersion: CONFIG_API_VERSION, kind: target.kind, metadata: { name: resource.name }, spec });
  }
  return files;
}
