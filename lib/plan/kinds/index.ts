import type { Kind as DocumentKind } from '../../model/documents.ts';
import type { EnvironmentSpec } from '../../model/environment.ts';
import { RESOURCE_KIND_NAMES, type ResourceKind } from '../../model/resource.ts';
import { accessDocument } from './access.ts';
import { aclDocument, aclKind } from './acl.ts';
import { appDocument } from './app.ts';
import { connectorDocument, connectorKind } from './connector.ts';
import { ipQuotaDocument, ipQuotaKind } from './ip-quota.ts';
import { type DocumentKindModule, landscapeDocument, type ResourceKindModule, type Wave } from './kind-module.ts';
import { kubernetesManifestDocument } from './kubernetes-manifest.ts';
import { kubernetesObjectKind } from './kubernetes-object.ts';
import { quotaDocument, quotaKind } from './quota.ts';
import { schemaDocument, schemaKind } from './schema.ts';
import { topicDocument, topicKind } from './topic.ts';
import { userDocument, userKind } from './user.ts';

/**
 * THE registry of the planner halves of the resource kinds: one module per ResourceKind (lib/model/resource.ts).
 * A kind added to RESOURCE_KINDS without a module here does not compile.
 */
export const RESOURCE_KIND_MODULES = {
  Topic: topicKind,
  Acl: aclKind,
  Quota: quotaKind,
  User: userKind,
  Schema: schemaKind,
  Connector: connectorKind,
  KubernetesObject: kubernetesObjectKind,
  IpQuota: ipQuotaKind,
} as const satisfies { readonly [K in ResourceKind]: ResourceKindModule<K> };

/** THE registry of config document kinds (lib/model/documents.ts): how each renders, and what policies see. */
export const DOCUMENT_KIND_MODULES = {
  Environment: landscapeDocument('Environment'),
  Topic: topicDocument,
  Acl: aclDocument,
  Quota: quotaDocument,
  User: userDocument,
  Schema: schemaDocument,
  Connector: connectorDocument,
  App: appDocument,
  KubernetesManifest: kubernetesManifestDocument,
  AlertRule: landscapeDocument('AlertRule'),
  Channel: landscapeDocument('Channel'),
  DataPolicy: landscapeDocument('DataPolicy'),
  Policy: landscapeDocument('Policy'),
  AuditSink: landscapeDocument('AuditSink'),
  IpQuota: ipQuotaDocument,
  Access: accessDocument,
  // Templates: they render nothing themselves. Access documents expand the AccessRoles they name; the loader
  // fills Topics from the TopicDefaults that match them (ADR 0043).
  AccessRole: landscapeDocument('AccessRole'),
  TopicDefaults: landscapeDocument('TopicDefaults'),
} as const satisfies { readonly [D in DocumentKind]: DocumentKindModule<D> };

/** The module of a kind known only at run time (the registry's type is exact per key). */
export function resourceKindModule(kind: ResourceKind): ResourceKindModule<ResourceKind> {
  return RESOURCE_KIND_MODULES[kind] as ResourceKindModule<ResourceKind>;
}

export function documentKindModule(kind: DocumentKind): DocumentKindModule<DocumentKind> {
  return DOCUMENT_KIND_MODULES[kind] as unknown as DocumentKindModule<DocumentKind>;
}

/** The wave of each resource kind (deletes run in reverse). */
export const WAVE_OF = Object.fromEntries(
  RESOURCE_KIND_NAMES.map((kind) => [kind, RESOURCE_KIND_MODULES[kind].wave]),
) as Readonly<Record<ResourceKind, Wave>>;

/** Names the environment protects from any change (internal topics and the like). */
export function isProtectedName(kind: ResourceKind, name: string, environment: EnvironmentSpec): boolean {
  return resourceKindModule(kind).isProtected?.(name, environment) ?? false;
}

export type { Wave };
