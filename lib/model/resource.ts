import type { JsonObject } from './common.ts';
import type { SourceLocation } from './documents.ts';

/**
 * A stable identity that pairs desired and live state: `kafka/topic/payments.orders`,
 * `kafka/acl/User:alice/topic/literal/orders/read/allow/*`, `k8s/apps/Deployment/ns/name`.
 */
export type ResourceKey = string;

/** The services a resource kind lives in; each is one `spec.<connection>` of the Environment. */
export type Connection = 'kafka' | 'schemaRegistry' | 'connect' | 'kubernetes';

/**
 * THE list of resource kinds (families as they are planned, applied and pruned) and the connection serving
 * each. One config document may render to several (an App renders ACLs and Kubernetes objects). Everything
 * per kind is keyed by this list (planner modules, adapters, prune flags, waves), so adding a kind here makes
 * the compiler name every other place (docs/architecture.md, "How to add a kind").
 *
 * Order = order of the `spec.prune` keys in stored plans (golden JSON): append, never reorder.
 */
export const RESOURCE_KINDS = {
  Topic: 'kafka',
  Acl: 'kafka',
  Quota: 'kafka',
  User: 'kafka',
  Schema: 'schemaRegistry',
  Connector: 'connect',
  KubernetesObject: 'kubernetes',
  IpQuota: 'kafka',
} as const satisfies Record<string, Connection>;

export type ResourceKind = keyof typeof RESOURCE_KINDS;

/** The resource kinds one connection serves: `KindsOf<'kafka'>` = Topic | Acl | Quota | User. */
export type KindsOf<C extends Connection> = {
  [K in ResourceKind]: (typeof RESOURCE_KINDS)[K] extends C ? K : never;
}[ResourceKind];

export const RESOURCE_KIND_NAMES = Object.keys(RESOURCE_KINDS) as ResourceKind[];

/** What the config asks for: a comparable, normalized spec (secret values never, only references). */
export interface DesiredResource {
  key: ResourceKey;
  kind: ResourceKind;
  /** Human name for reports, e.g. the topic name. */
  name: string;
  spec: JsonObject;
  /** The document that asked for it (an App's generated ACLs point at the App). */
  source?: SourceLocation;
  /** `App "orders-enricher"` when generated from another document. */
  origin?: string;
}

/** What the platform has, normalized the same way as DesiredResource.spec. */
export interface ObservedResource {
  key: ResourceKey;
  kind: ResourceKind;
  name: string;
  spec: JsonObject;
  /** Set by adapters that can tell ownership themselves (Kubernetes labels); otherwise the inventory decides. */
  ownedByLandscape?: boolean;
  /** Set when another field manager owns what we would change (Kubernetes server-side apply). */
  conflicts?: string[];
  /**
   * The platform's own identity of this object, where it has one: the Kafka topic id, the Kubernetes uid, the
   * registry's version and id of a subject's latest schema. The same name with another identity is another
   * object (deleted and re-created), even when its spec is equal: a plan made against the old one is stale.
   */
  identity?: string;
  /**
   * Why the platform reserves this resource, set by adapters (a broker super-user, the principal Landscape
   * itself connects as). Such a resource is never exported as managed, pruned or changed: a plan that asks
   * for it is refused (ProtectedName), because changing it could lock the operators, or Landscape, out.
   */
  protectedBy?: string;
}

/**
 * What Landscape created or manages in one environment. Only these keys are ever deleted by a prune.
 * `managedFields` records declared fields (e.g. topic config keys) so removing one from git resets it.
 */
export interface InventoryEntry {
  key: ResourceKey;
  kind: ResourceKind;
  managedFields?: string[];
  /**
   * The secret references (never values) last applied, as canonical JSON: for a SCRAM user the reference of
   * each mechanism's password. A different reference means "password changed"; export writes them back.
   */
  secretDigest?: string;
  /**
   * Set when the resource existed before Landscape managed it (git declared it while it already existed live):
   * Landscape manages it while it is declared and never deletes it, also not once it is removed from git
   * (ADR 0005: only what Landscape created is pruned).
   */
  adopted?: true;
  /**
   * Journaled before a create was sent (ADR 0005): the resource may exist, but the apply that sent it did not
   * record the outcome (killed, or the call failed without an answer). It counts as Landscape's; the next apply
   * looks it up and keeps it (flag dropped) if it exists, or drops the entry if it does not.
   */
  pending?: true;
}
export type Inventory = Record<ResourceKey, InventoryEntry>;
