import type { PrincipalAccessPolicy } from './access-policy.ts';
import type { Json, JsonObject } from './common.ts';
import type { SourceLocation } from './documents.ts';
import type { EnvironmentSpec } from './environment.ts';
import type { InventoryEntry, ResourceKey, ResourceKind } from './resource.ts';

/** Bumped whenever a stored field or enum value changes meaning (ADR 0004). */
export const PLAN_API_VERSION = 'landscape.dev/plan/v1';

/** Stored enum values: PascalCase, never renamed without a new apiVersion. */
export type ChangeAction = 'Create' | 'Update' | 'Delete';

/** One field that differs. Secret fields carry no values, only `secret: true` and before/after = "changed". */
export interface FieldChange {
  /** dotted path inside the spec, e.g. `config.retention.ms` or `partitions` */
  path: string;
  before?: Json;
  after?: Json;
  secret?: boolean;
  /**
   * For a setting removed from git (`after` unset: the override is deleted), the default it falls back to,
   * when the live platform reports one: reviewers and the destructiveness check see what it becomes.
   */
  resetTo?: Json;
  /** e.g. "reset to broker default" */
  note?: string;
}

export interface PlannedChange {
  key: ResourceKey;
  kind: ResourceKind;
  name: string;
  action: ChangeAction;
  wave: number;
  /** Field-level differences (for Create: every declared field; for Delete: none). */
  fields: FieldChange[];
  /** The full desired spec for Create/Update (secret references only); what apply sends. */
  desired?: JsonObject;
  /** Deletes, and updates that lose data (retention shortened is not; a delete is). */
  destructive: boolean;
  source?: SourceLocation;
  origin?: string;
  /**
   * For a Delete: the platform identity of the live object the plan deletes (Kafka topic id, Kubernetes uid).
   * Adapters that can delete by identity do, so an object re-created after apply's staleness check is never
   * the one deleted.
   */
  identity?: string;
  /**
   * Set on a Create/Update of a resource that exists live but was not created by Landscape: this apply adopts it
   * (ADR 0005). Adoptions without field changes are listed in `Plan.adopted`.
   */
  adopt?: true;
}

/** Stable reasons a desired change is not made (typed skip reasons, as in cli-utils). */
export type RefusalReason =
  | 'PartitionDecrease'
  | 'ReplicationFactorChange'
  | 'ProtectedName'
  | 'PruneDisabled'
  | 'OwnedByOther'
  | 'ImmutableField'
  | 'PolicyDenied'
  | 'Incompatible';

export interface Refusal {
  key: ResourceKey;
  kind: ResourceKind;
  name: string;
  reason: RefusalReason;
  message: string;
  source?: SourceLocation;
}

/** Findings that do not block the plan on their own: policy warnings, compatibility answers, notes. */
export interface PlanNote {
  key?: ResourceKey;
  level: 'info' | 'warning' | 'error';
  message: string;
  source?: SourceLocation;
}

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  noop: number;
  refused: number;
  unmanaged: number;
  /** Existing resources this apply starts managing (with or without changes). */
  adopt: number;
}

/**
 * A live grant Landscape does not manage that reaches resources it does manage: an out-of-band
 * `ALLOW ALL topic:*`, a DENY on a managed topic, a prefixed grant covering managed topics.
 */
export interface UnmanagedGrant {
  key: ResourceKey;
  name: string;
  /** Up to five managed resource names it reaches (`topics` counts all of them). */
  examples: string[];
  topics: number;
}

/**
 * A deterministic, versioned plan. `hash` covers everything here except itself, so two plans of the same
 * commit against the same live state are byte-identical. The live fingerprint of every touched resource is in
 * `basis`; apply refuses the plan when any of them moved.
 */
export interface Plan {
  apiVersion: typeof PLAN_API_VERSION;
  environment: string;
  /**
   * The Environment's connection settings (secret references only) as of the planned commit, so the apply
   * step runs the stored plan without fetching the config again.
   */
  target: EnvironmentSpec;
  source: { repo?: string; commit?: string; ref?: string };
  toolVersion: string;
  /**
   * key -> what the plan was made against: `absent` when the resource did not exist, otherwise the fingerprint
   * of its live spec, followed by `@<identity>` when the platform gives the object an identity (topic id, uid,
   * schema version and id). Apply refuses the plan when any entry moved (see `describeBasisMove`).
   */
  basis: Record<ResourceKey, string>;
  /** Ordered: creates/updates by wave ascending, then deletes by wave descending; ties by key. */
  changes: PlannedChange[];
  refused: Refusal[];
  notes: PlanNote[];
  /** Keys that exist live, are not in git and were not created by Landscape: never touched. */
  unmanaged: ResourceKey[];
  /** Unmanaged grants that reach managed resources (drift reports them). */
  unmanagedGrants: UnmanagedGrant[];
  /**
   * Only on Environments that authenticate with MSK IAM, where Kafka ACLs are not enforced and none is planned:
   * the IAM policy each principal needs for the access git declares (ADR 0042). Not applied by Landscape.
   */
  accessPolicies?: PrincipalAccessPolicy[];
  noop: ResourceKey[];
  /**
   * Keys this apply adopts (with or without field changes): they exist live, Landscape did not create them, and
   * git now declares them. They enter the inventory marked adopted and are never pruned (ADR 0005).
   */
  adopted: ResourceKey[];
  /**
   * What the inventory records for every desired resource once it exists (managed fields, secret digests).
   * Apply adds these for changes that succeeded and for NoOps (adoption), and drops keys it deleted.
   */
  inventory: InventoryEntry[];
  summary: PlanSummary;
  /** Fingerprint of the rendered desired state (so a re-render of the same commit is recognisable). */
  desiredHash: string;
  hash: string;
}

export type ChangeOutcome = 'Succeeded' | 'Skipped' | 'Failed';

export interface ChangeResult {
  key: ResourceKey;
  action: ChangeAction;
  outcome: ChangeOutcome;
  /** Why it was skipped or failed, or what was done ("3 tasks RUNNING"). Never contains secret values. */
  message?: string;
  durationMs?: number;
  /**
   * Set on a failed Create the platform answered with a refusal (e.g. the name already existed): this apply
   * created nothing, so the ownership journal drops the key instead of keeping it as "may exist" (a resource
   * someone else made in the moment between the stale check and the create must never become Landscape's).
   */
  nothingCreated?: true;
}

export interface ApplyReport {
  planHash: string;
  environment: string;
  commit?: string;
  startedAt: string;
  finishedAt: string;
  outcome: ApplyOutcome;
  results: ChangeResult[];
  /** Set when the whole plan was refused (stale basis) or could not start (a fault before the changes ran). */
  refusal?: { code: ApplyRefusalCode; message: string; changedKeys?: ResourceKey[] };
}

/** How an apply ended (stored in reports and audit records). */
export type ApplyOutcome = 'Succeeded' | 'PartiallyFailed' | 'Failed' | 'Refused';

/** Why a whole plan did not run: its basis moved (`PlanStale`), or a fault before any change (`ApplyFailed`). */
export type ApplyRefusalCode = 'PlanStale' | 'ApplyFailed';

/** Lifecycle of a stored plan. Plans are single-use: Applied/Superseded/Failed plans never run again. */
export type PlanStatus =
  | 'Planned'
  | 'Approved'
  | 'Applying'
  | 'Applied'
  | 'PartiallyApplied'
  | 'Failed'
  | 'Superseded'
  | 'Refused';

const STATUS_AFTER: Record<ApplyOutcome, PlanStatus> = {
  Succeeded: 'Applied',
  PartiallyFailed: 'PartiallyApplied',
  Failed: 'Failed',
  Refused: 'Refused',
};

/**
 * The status a stored plan ends in after its apply: the one mapping from apply outcome to plan status. An apply
 * that lost its lease ends `Failed` whatever it did (its applied commit was not recorded, so the next drift
 * run's catch-up plans the branch head again instead of treating it as applied).
 */
export function planStatusAfter(outcome: ApplyOutcome, leaseHeld = true): PlanStatus {
  return leaseHeld ? STATUS_AFTER[outcome] : 'Failed';
}
