import type { ConfigDocument } from '../../model/documents.ts';
import { keys } from '../../model/keys.ts';
import type { AclBinding } from '../../model/kinds/acl.ts';
import { QUOTA_KEYS } from '../../model/kinds/quota.ts';
import { desiredUserSpec } from '../../model/kinds/user.ts';
import type { DesiredResource } from '../../model/resource.ts';
import type { Renderer } from './types.ts';

export const renderTopic: Renderer<'Topic'> = (doc) => ({
  resources: [
    {
      key: keys.topic(doc.metadata.name),
      kind: 'Topic',
      name: doc.metadata.name,
      spec: {
        partitions: doc.spec.partitions,
        replicationFactor: doc.spec.replicationFactor,
        config: { ...doc.spec.config },
      },
      source: doc.source,
    },
  ],
  problems: [],
});

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

export const renderQuota: Renderer<'Quota'> = (doc) => {
  const values: Record<string, number> = {};
  for (const [field, kafkaName] of Object.entries(QUOTA_KEYS)) {
    const value = doc.spec[field as keyof typeof QUOTA_KEYS];
    if (value !== undefined) values[kafkaName] = value;
  }
  const entity = {
    ...(doc.spec.user !== undefined ? { user: doc.spec.user } : {}),
    ...(doc.spec.clientId !== undefined ? { clientId: doc.spec.clientId } : {}),
  };
  return {
    resources: [
      {
        key: keys.quota(entity),
        kind: 'Quota',
        name: keys.quota(entity).slice('kafka/quota/'.length),
        spec: { entity, values },
        source: doc.source,
      },
    ],
    problems: [],
  };
};

export const renderUser: Renderer<'User'> = (doc) => ({
  resources: [
    {
      key: keys.user(doc.metadata.name),
      kind: 'User',
      name: doc.metadata.name,
      spec: desiredUserSpec(doc.spec),
      source: doc.source,
    },
  ],
  problems: [],
});
