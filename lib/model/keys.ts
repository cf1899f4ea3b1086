import type { AclBinding } from './kinds/acl.ts';
import type { ResourceKey } from './resource.ts';

/** Resource keys: one function per family, so pairing never depends on string formatting elsewhere. */
export const keys = {
  topic: (name: string): ResourceKey => `kafka/topic/${name}`,
  acl: (b: AclBinding): ResourceKey =>
    `kafka/acl/${b.principal}/${b.resourceType}/${b.patternType}/${b.resourceName}/${b.operation}/${b.permission}/${b.host}`,
  quota: (entity: { user?: string | undefined; clientId?: string | undefined }): ResourceKey =>
    `kafka/quota/${[
      entity.user !== undefined ? `user=${entity.user}` : '',
      entity.clientId !== undefined ? `client-id=${entity.clientId}` : '',
    ]
      .filter(Boolean)
      .join(',')}`,
  user: (name: string): ResourceKey => `kafka/user/${name}`,
  subject: (subject: string): ResourceKey => `schema/subject/${subject}`,
  connector: (cluster: string, name: string): ResourceKey => `connect/${cluster}/connector/${name}`,
  /** `apiVersion` group, or `core` for the legacy group. Cluster-scoped objects use `_` as namespace. */
  k8s: (apiVersion: string, kind: string, namespace: string | undefined, name: string): ResourceKey => {
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : 'core';
    return `k8s/${group}/${kind}/${namespace ?? '_'}/${name}`;
  },
};
