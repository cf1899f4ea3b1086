import type { ConfigProblem } from '../../errors.ts';
import { type ConfigDocument, documentsOfKind, type LoadedConfig } from '../../model/documents.ts';
import { keys } from '../../model/keys.ts';
import type { DesiredResource } from '../../model/resource.ts';
import { didYouMean } from '../../model/suggest.ts';
import { roleBindings } from '../access/roles.ts';
import { aclName } from './acl.ts';
import type { DocumentKindModule, Renderer } from './kind-module.ts';

/** `Access "orders-service"`: the origin of every binding an Access generates (plans group by it). */
export const accessOrigin = (name: string) => `Access "${name}"`;

/**
 * An Access document as ordinary Acl resources (ADR 0043): its inline grants and those of the AccessRole
 * documents it names, for each principal, expanded by the shared role table (lib/plan/access/roles.ts). Each
 * binding points at the role entry that asked for it (the Access's own, or the AccessRole's), and has the
 * Access as origin. A role name no AccessRole has is an error at its file:line; `schemaRegistry` is a warning
 * (a plan note): Landscape does not manage any registry's permissions, so it would grant nothing.
 *
 * @example
 * renderAccess(doc, config).resources.map((r) => r.name);
 * // ['User:orders-app describe topic:orders.v1', 'User:orders-app read group:orders-app', ...]
 */
export const renderAccess: Renderer<'Access'> = (doc, config) => {
  const origin = accessOrigin(doc.metadata.name);
  const problems: ConfigProblem[] = [];
  const resources: DesiredResource[] = [];
  const add = (source: ConfigDocument<'Access'> | ConfigDocument<'AccessRole'>) => {
    for (const { binding, path } of roleBindings(doc.spec.principals, source.spec)) {
      resources.push({
        key: keys.acl(binding),
        kind: 'Acl',
        name: aclName(binding),
        spec: { ...binding },
        source: source.locate(['spec', ...path]),
        origin,
      });
    }
  };
  add(doc);

  const roles = new Map(documentsOfKind(config.documents, 'AccessRole').map((r) => [r.metadata.name, r]));
  doc.spec.roles.forEach((name, index) => {
    const role = roles.get(name);
    if (role) {
      add(role);
      if (role.spec.schemaRegistry !== undefined) problems.push(registryNote(doc, role, config));
      return;
    }
    const hint = didYouMean(name, roles.keys());
    problems.push({
      ...doc.locate(['spec', 'roles', index]),
      resource: origin,
      field: `spec.roles[${index}]`,
      message: `no AccessRole named "${name}"${roles.size === 0 ? '' : ` in Environment "${config.environment.metadata.name}"`}`,
      hint:
        hint ??
        (roles.size > 0
          ? `declared: ${[...roles.keys()].slice(0, 20).join(', ')}`
          : 'add a document of kind AccessRole with that name'),
      severity: 'error',
    });
  });
  if (doc.spec.schemaRegistry !== undefined) problems.push(registryNote(doc, doc, config));
  return { resources: unique(resources), problems };
};

/** Within one Access, a binding asked for twice (inline and by a role) is listed once, at its first entry. */
function unique(resources: readonly DesiredResource[]): DesiredResource[] {
  const first = new Map<string, DesiredResource>();
  for (const resource of resources) if (!first.has(resource.key)) first.set(resource.key, resource);
  return [...first.values()];
}

/**
 * `schemaRegistry: reader|writer` can not be enforced by Landscape: the registries it manages subjects in keep
 * permissions in their own access control (roles of an identity provider, a vendor plugin), which Landscape
 * neither reads nor writes. A warning, so the plan says so instead of pretending.
 */
function registryNote(
  access: ConfigDocument<'Access'>,
  where: ConfigDocument<'Access'> | ConfigDocument<'AccessRole'>,
  config: LoadedConfig,
): ConfigProblem {
  const registry = config.environment.spec.schemaRegistry;
  const principals = access.spec.principals.join(', ');
  return {
    ...where.locate(['spec', 'schemaRegistry']),
    resource: accessOrigin(access.metadata.name),
    field: 'spec.schemaRegistry',
    message: `schema registry ${where.spec.schemaRegistry} access for ${principals} is not enforced by Landscape: ${
      registry === undefined
        ? `Environment "${config.environment.metadata.name}" has no spec.schemaRegistry`
        : 'the registry keeps permissions in its own access control, which Landscape does not manage'
    }`,
    hint: "grant it in the registry's own access control",
    severity: 'warning',
  };
}

export const accessDocument: DocumentKindModule<'Access'> = { kind: 'Access', role: 'resource', render: renderAccess };
