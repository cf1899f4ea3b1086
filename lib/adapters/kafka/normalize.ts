import {
  AclOperations,
  AclPermissionTypes,
  type Acl as ClientAcl,
  type ConfigDescription,
  ConfigSources,
  ResourcePatternTypes,
  ResourceTypes,
  ScramMechanisms,
} from '@platformatic/kafka';
import type { JsonObject } from '../../model/common.ts';
import { keys } from '../../model/keys.ts';
import type {
  AclBinding,
  AclOperation,
  AclPatternType,
  AclPermission,
  AclResourceType,
} from '../../model/kinds/acl.ts';
import { QUOTA_KEYS } from '../../model/kinds/quota.ts';
import { TOPIC_CONFIG_KEYS } from '../../model/kinds/topic.ts';
import type { ObservedResource } from '../../model/resource.ts';

/**
 * Live Kafka objects turned into the exact spec shapes the renderers in lib/plan/kinds (topic.ts, acl.ts, quota.ts, user.ts) produce,
 * so the planner compares like with like. Pure functions: no I/O here.
 */

// ---- ACL enumerations -------------------------------------------------------------------------------

const RESOURCE_TYPE_CODE: Record<AclResourceType, number> = {
  topic: ResourceTypes.TOPIC,
  group: ResourceTypes.GROUP,
  cluster: ResourceTypes.CLUSTER,
  transactionalId: ResourceTypes.TRANSACTIONAL_ID,
  delegationToken: ResourceTypes.DELEGATION_TOKEN,
};
const PATTERN_TYPE_CODE: Record<AclPatternType, number> = {
  literal: ResourcePatternTypes.LITERAL,
  prefixed: ResourcePatternTypes.PREFIXED,
};
const OPERATION_CODE: Record<AclOperation, number> = {
  all: AclOperations.ALL,
  read: AclOperations.READ,
  write: AclOperations.WRITE,
  create: AclOperations.CREATE,
  delete: AclOperations.DELETE,
  alter: AclOperations.ALTER,
  describe: AclOperations.DESCRIBE,
  clusterAction: AclOperations.CLUSTER_ACTION,
  describeConfigs: AclOperations.DESCRIBE_CONFIGS,
  alterConfigs: AclOperations.ALTER_CONFIGS,
  idempotentWrite: AclOperations.IDEMPOTENT_WRITE,
};
const PERMISSION_CODE: Record<AclPermission, number> = {
  allow: AclPermissionTypes.ALLOW,
  deny: AclPermissionTypes.DENY,
};

function invert<K extends string>(table: Record<K, number>): Map<number, K> {
  return new Map(Object.entries(table).map(([name, code]) => [code as number, name as K]));
}
const RESOURCE_TYPE_NAME = invert(RESOURCE_TYPE_CODE);
const PATTERN_TYPE_NAME = invert(PATTERN_TYPE_CODE);
const OPERATION_NAME = invert(OPERATION_CODE);
const PERMISSION_NAME = invert(PERMISSION_CODE);

/** The binding as the client sends it (numeric protocol enums). */
export function toClientAcl(binding: AclBinding): ClientAcl {
  return {
    resourceType: RESOURCE_TYPE_CODE[binding.resourceType] as ClientAcl['resourceType'],
    resourceName: binding.resourceName,
    resourcePatternType: PATTERN_TYPE_CODE[binding.patternType] as ClientAcl['resourcePatternType'],
    principal: binding.principal,
    host: binding.host,
    operation: OPERATION_CODE[binding.operation] as ClientAcl['operation'],
    permissionType: PERMISSION_CODE[binding.permission] as ClientAcl['permissionType'],
  };
}

/**
 * The model binding for a live ACL, or undefined when it uses something the model cannot express (a
 * `user` resource, `createTokens`, a `match` pattern). Such bindings are left out of observations: Landscape
 * can neither declare nor prune them, so it must not pretend to know them.
 */
export function fromClientAcl(acl: ClientAcl): AclBinding | undefined {
  const resourceType = RESOURCE_TYPE_NAME.get(acl.resourceType);
  const patternType = PATTERN_TYPE_NAME.get(acl.resourcePatternType);
  const operation = OPERATION_NAME.get(acl.operation);
  const permission = PERMISSION_NAME.get(acl.permissionType);
  if (!resourceType || !patternType || !operation || !permission) return undefined;
  return {
    principal: acl.principal,
    host: acl.host,
    resourceType,
    resourceName: acl.resourceName,
    patternType,
    operation,
    permission,
  };
}

/**
 * Same display name as the renderer's `aclName` (lib/plan/kinds/acl.ts), repeated here because adapters do
 * not import the planner: `User:app write topic:orders*`, with DENY and the host only when not the defaults.
 * Only the key pairs resources; the name is for people.
 */
export function aclDisplayName(b: AclBinding): string {
  const resource = `${b.resourceType}:${b.resourceName}${b.patternType === 'prefixed' ? '*' : ''}`;
  return `${b.principal} ${b.permission === 'deny' ? 'DENY ' : ''}${b.operation} ${resource}${b.host === '*' ? '' : ` from ${b.host}`}`;
}

/** The ObservedResource of a live binding (spec = the binding, as rendered). */
export function observedAcl(binding: AclBinding): ObservedResource {
  return { key: keys.acl(binding), kind: 'Acl', name: aclDisplayName(binding), spec: { ...binding } };
}

/** Reads a desired ACL spec (the AclBinding itself) back into a binding. */
export function aclBindingOf(spec: JsonObject | undefined): AclBinding | undefined {
  if (!spec) return undefined;
  const { principal, host, resourceType, resourceName, patternType, operation, permission } = spec;
  if (
    typeof principal !== 'string' ||
    typeof host !== 'string' ||
    typeof resourceType !== 'string' ||
    typeof resourceName !== 'string' ||
    typeof patternType !== 'string' ||
    typeof operation !== 'string' ||
    typeof permission !== 'string'
  ) {
    return undefined;
  }
  if (
    !(resourceType in RESOURCE_TYPE_CODE) ||
    !(patternType in PATTERN_TYPE_CODE) ||
    !(operation in OPERATION_CODE) ||
    !(permission in PERMISSION_CODE)
  ) {
    return undefined;
  }
  return {
    principal,
    host,
    resourceType: resourceType as AclResourceType,
    resourceName,
    patternType: patternType as AclPatternType,
    operation: operation as AclOperation,
    permission: permission as AclPermission,
  };
}

// ---- Topics -----------------------------------------------------------------------------------------

const TOPIC_CONFIG_KEY_SET: ReadonlySet<string> = new Set(TOPIC_CONFIG_KEYS);

/**
 * The observed topic spec. `config` holds only the topic's own dynamic overrides (what someone set on this
 * topic, through Landscape or not); `defaults` holds the effective value of every other known topic key,
 * so a broker default is visible (export, reset notes) but never compared as a declared value.
 */
export function topicSpec(
  partitions: number,
  replicationFactor: number,
  configs: readonly Pick<ConfigDescription['configs'][number], 'name' | 'value' | 'configSource'>[],
): JsonObject {
  const config: Record<string, string> = {};
  const defaults: Record<string, string> = {};
  for (const entry of [...configs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    // Topic configs are never sensitive; a null value means "not set" and says nothing comparable.
    if (entry.value === null || entry.value === undefined) continue;
    if (entry.configSource === ConfigSources.DYNAMIC_TOPIC_CONFIG) config[entry.name] = String(entry.value);
    else if (TOPIC_CONFIG_KEY_SET.has(entry.name)) defaults[entry.name] = String(entry.value);
  }
  return { partitions, replicationFactor, config, defaults };
}

/** The ObservedResource of a live topic; its identity is the broker's topic id (a re-created topic has a new one). */
export function observedTopic(name: string, spec: JsonObject, topicId?: string): ObservedResource {
  return { key: keys.topic(name), kind: 'Topic', name, spec, ...(topicId !== undefined ? { identity: topicId } : {}) };
}

// ---- Quotas -----------------------------------------------------------------------------------------

/** The entity name Kafka reports as null: the default entity of that type. */
export const DEFAULT_QUOTA_ENTITY = '<default>';

/** A quota entity as the model names it: user and/or client id, `<default>` for the default entity. */
export interface QuotaEntity {
  user?: string;
  clientId?: string;
}

/** Quota names Landscape manages, in a fixed order (the order of QUOTA_KEYS). */
export const MANAGED_QUOTA_KEYS: readonly string[] = Object.values(QUOTA_KEYS);
const MANAGED_QUOTA_KEY_SET: ReadonlySet<string> = new Set(MANAGED_QUOTA_KEYS);

/**
 * The entity of a live quota entry, or undefined when it involves an entity type the model does not cover
 * (`ip`) or is not a user and/or client-id entity.
 */
export function quotaEntityOf(
  entities: readonly { entityType: string; entityName?: string | null | undefined }[],
): QuotaEntity | undefined {
  const entity: QuotaEntity = {};
  for (const { entityType, entityName } of entities) {
    const name = entityName ?? DEFAULT_QUOTA_ENTITY;
    if (entityType === 'user') entity.user = name;
    else if (entityType === 'client-id') entity.clientId = name;
    else return undefined;
  }
  return entity.user === undefined && entity.clientId === undefined ? undefined : entity;
}

/** The observed quota spec: the entity and the managed values present on it. */
export function quotaSpec(entity: QuotaEntity, values: readonly { key: string; value: number }[]): JsonObject {
  const present = new Map(values.filter((v) => MANAGED_QUOTA_KEY_SET.has(v.key)).map((v) => [v.key, v.value]));
  const ordered: Record<string, number> = {};
  for (const key of MANAGED_QUOTA_KEYS) {
    const value = present.get(key);
    if (value !== undefined) ordered[key] = value;
  }
  return { entity: { ...entity }, values: ordered };
}

/** The ObservedResource of a live quota entity; its name is the key without `kafka/quota/`, as rendered. */
export function observedQuota(entity: QuotaEntity, spec: JsonObject): ObservedResource {
  const key = keys.quota(entity);
  return { key, kind: 'Quota', name: key.slice('kafka/quota/'.length), spec };
}

/** Reads a quota entity back from a desired spec (`{ entity: { user?, clientId? } }`). */
export function quotaEntityOfSpec(spec: JsonObject | undefined): QuotaEntity | undefined {
  const entity = spec?.entity;
  if (typeof entity !== 'object' || entity === null || Array.isArray(entity)) return undefined;
  const result: QuotaEntity = {};
  if (typeof entity.user === 'string') result.user = entity.user;
  if (typeof entity.clientId === 'string') result.clientId = entity.clientId;
  return result.user === undefined && result.clientId === undefined ? undefined : result;
}

// ---- SCRAM users ------------------------------------------------------------------------------------

/** SCRAM mechanisms as the model spells them. */
export type ScramMechanismName = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/** Protocol codes of the SCRAM mechanisms (DescribeUserScramCredentials / AlterUserScramCredentials). */
export const SCRAM_MECHANISM_CODE: Record<ScramMechanismName, number> = {
  'SCRAM-SHA-256': ScramMechanisms.SCRAM_SHA_256,
  'SCRAM-SHA-512': ScramMechanisms.SCRAM_SHA_512,
};
const SCRAM_MECHANISM_NAME = invert(SCRAM_MECHANISM_CODE);

/** The model name of a protocol mechanism code, or undefined for an unknown one. */
export function scramMechanismName(code: number): ScramMechanismName | undefined {
  return SCRAM_MECHANISM_NAME.get(code);
}

/** The observed user spec: `{ mechanisms: { 'SCRAM-SHA-512': 8192 } }` (iterations per mechanism). */
export function userSpec(credentials: readonly { mechanism: number; iterations: number }[]): JsonObject {
  const mechanisms: Record<string, number> = {};
  for (const name of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
    const found = credentials.find((c) => c.mechanism === SCRAM_MECHANISM_CODE[name]);
    if (found) mechanisms[name] = found.iterations;
  }
  return { mechanisms };
}

/** The ObservedResource of a live SCRAM user. */
export function observedUser(name: string, spec: JsonObject): ObservedResource {
  return { key: keys.user(name), kind: 'User', name, spec };
}

// ---- Keys -------------------------------------------------------------------------------------------

/** Key prefixes of the kinds this adapter serves (lib/model/keys.ts), to route keys and recover names. */
export const TOPIC_KEY_PREFIX = 'kafka/topic/';
export const ACL_KEY_PREFIX = 'kafka/acl/';
export const QUOTA_KEY_PREFIX = 'kafka/quota/';
export const USER_KEY_PREFIX = 'kafka/user/';
