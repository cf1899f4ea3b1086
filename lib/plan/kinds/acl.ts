import { CONFIG_API_VERSION } from '../../model/common.ts';
import type { ConfigDocument } from '../../model/documents.ts';
import { keys } from '../../model/keys.ts';
import type { AclBinding } from '../../model/kinds/acl.ts';
import type { DesiredResource, ObservedResource } from '../../model/resource.ts';
import type { KindRules } from '../kind-rules.ts';
import { slug, uniqueNames } from './export-names.ts';
import type { DocumentKindModule, ExportedDocument, Renderer, ResourceKindModule } from './kind-module.ts';

/** `User:app write topic:orders*` (prefixed), with DENY and the host only when they are not the defaults. */
export function aclName(b: AclBinding): string {
  const resource = `${b.resourceType}:${b.resourceName}${b.patternType === 'prefixed' ? '*' : ''}`;
  return `${b.principal} ${b.permission === 'deny' ? 'DENY ' : ''}${b.operation} ${resource}${b.host === '*' ? '' : ` from ${b.host}`}`;
}

/** One resource per binding: the broker stores bindings, and adding an operation must not touch the others. */
export function aclResources(bindings: readonly AclBinding[], doc: ConfigDocument, origin?: string): DesiredResource[] {
  return bindings.map((b) => ({
    key: keys.acl(b),
    kind: 'Acl' as const,
    name: aclName(b),
    spec: { ...b },
    source: doc.source,
    ...(origin ? { origin } : {}),
  }));
}

export const renderAcl: Renderer<'Acl'> = (doc) => ({
  resources: aclResources(
    [...new Set(doc.spec.operations)].map((operation) => ({
      principal: doc.spec.principal,
      host: doc.spec.host,
      resourceType: doc.spec.resource.type,
      resourceName: doc.spec.resource.name,
      patternType: doc.spec.resource.patternType,
      operation,
      permission: doc.spec.permission,
    })),
    doc,
  ),
  problems: [],
});

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

/** A binding is all identity: its name says everything a Create would list. */
export const aclRules: KindRules = { createFields: () => [] };

export const aclDocument: DocumentKindModule<'Acl'> = { kind: 'Acl', role: 'resource', render: renderAcl };

export const aclKind: ResourceKindModule<'Acl'> = {
  kind: 'Acl',
  wave: 3,
  rules: aclRules,
  export: { file: 'acls.yaml', document: 'Acl', toDocuments: groupAcls },
};
