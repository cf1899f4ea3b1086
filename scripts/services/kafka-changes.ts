import type { JsonObject } from '../../lib/model/common.ts';
import { keys } from '../../lib/model/keys.ts';
import type { AclBinding } from '../../lib/model/kinds/acl.ts';
import type { FieldChange, PlannedChange } from '../../lib/model/plan.ts';
import { WAVE_OF } from '../../lib/plan/kinds/index.ts';

/**
 * PlannedChange builders for the Kafka kinds, as the planner would produce them: the Kafka adapter's
 * integration tests and the bench's provider-only path apply them without planning.
 */

export interface TopicDesired {
  partitions: number;
  replicationFactor: number;
  config?: Record<string, string>;
}

function leaves(spec: JsonObject, prefix = ''): FieldChange[] {
  return Object.entries(spec).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? leaves(v, `${prefix}${k}.`)
      : [{ path: `${prefix}${k}`, after: v }],
  );
}

export function topicSpecOf(desired: TopicDesired): JsonObject {
  return {
    partitions: desired.partitions,
    replicationFactor: desired.replicationFactor,
    config: { ...(desired.config ?? {}) },
  };
}

export function createTopicChange(name: string, desired: TopicDesired): PlannedChange {
  const spec = topicSpecOf(desired);
  return {
    key: keys.topic(name),
    kind: 'Topic',
    name,
    action: 'Create',
    wave: WAVE_OF.Topic,
    fields: leaves(spec),
    desired: spec,
    destructive: false,
  };
}

export function updateTopicChange(name: string, desired: TopicDesired, fields: FieldChange[]): PlannedChange {
  return {
    key: keys.topic(name),
    kind: 'Topic',
    name,
    action: 'Update',
    wave: WAVE_OF.Topic,
    fields,
    desired: topicSpecOf(desired),
    destructive: false,
  };
}

export function deleteChange(kind: PlannedChange['kind'], key: string, name: string): PlannedChange {
  return { key, kind, name, action: 'Delete', wave: WAVE_OF[kind], fields: [], destructive: true };
}

export function createAclChange(binding: AclBinding): PlannedChange {
  return {
    key: keys.acl(binding),
    kind: 'Acl',
    name: `${binding.principal} ${binding.operation} ${binding.resourceType}:${binding.resourceName}`,
    action: 'Create',
    wave: WAVE_OF.Acl,
    fields: leaves({ ...binding }),
    desired: { ...binding },
    destructive: false,
  };
}

export function quotaChange(
  action: 'Create' | 'Update',
  entity: { user?: string; clientId?: string },
  values: Record<string, number>,
  fields?: FieldChange[],
): PlannedChange {
  const key = keys.quota(entity);
  const spec: JsonObject = { entity: { ...entity }, values: { ...values } };
  return {
    key,
    kind: 'Quota',
    name: key.slice('kafka/quota/'.length),
    action,
    wave: WAVE_OF.Quota,
    fields: fields ?? leaves(spec),
    desired: spec,
    destructive: false,
  };
}

export function userChange(
  action: 'Create' | 'Update',
  name: string,
  passwordEnvName: string,
  mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512' = 'SCRAM-SHA-512',
  iterations = 4096,
): PlannedChange {
  return scramUserChange(action, name, [{ mechanism, passwordEnvName, iterations }]);
}

/**
 * A User change declaring these credentials, as the planner writes it: a Create lists every credential,
 * an Update (unless `fields` says otherwise) a changed password for each.
 */
export function scramUserChange(
  action: 'Create' | 'Update',
  name: string,
  credentials: { mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; passwordEnvName: string; iterations?: number }[],
  fields?: FieldChange[],
): PlannedChange {
  const declared: JsonObject = {};
  for (const c of credentials) {
    declared[c.mechanism] = {
      iterations: c.iterations ?? 4096,
      password: { secretRef: { provider: 'env', name: c.passwordEnvName } },
    };
  }
  return {
    key: keys.user(name),
    kind: 'User',
    name,
    action,
    wave: WAVE_OF.User,
    fields:
      fields ??
      credentials.flatMap((c) => [
        ...(action === 'Create'
          ? [{ path: `credentials.${c.mechanism}.iterations`, after: c.iterations ?? 4096 }]
          : []),
        { path: `credentials.${c.mechanism}.password`, secret: true, after: 'changed' },
      ]),
    desired: { credentials: declared },
    destructive: false,
  };
}
