import type { ResourceKind } from '../../model/resource.ts';
import type { KindRules } from '../kind-rules.ts';
import { connectorRules } from './connector.ts';
import { kubernetesObjectRules } from './kubernetes-object.ts';
import { quotaRules } from './quota.ts';
import { schemaRules } from './schema.ts';
import { topicRules } from './topic.ts';
import { userRules } from './user.ts';

/** Planning rules per resource kind; kinds without an entry use the defaults (declared fields only). */
export const KIND_RULES: Partial<Record<ResourceKind, KindRules>> = {
  Topic: topicRules,
  // A binding is all identity: its name says everything a Create would list.
  Acl: { createFields: () => [] },
  Quota: quotaRules,
  User: userRules,
  Schema: schemaRules,
  Connector: connectorRules,
  KubernetesObject: kubernetesObjectRules,
};
