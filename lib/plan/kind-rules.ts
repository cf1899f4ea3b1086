import type { JsonObject } from '../model/common.ts';
import type { EnvironmentSpec } from '../model/environment.ts';
import type { FieldChange, Refusal } from '../model/plan.ts';
import type { DesiredResource, InventoryEntry, ObservedResource } from '../model/resource.ts';

/** What a kind's differ gets: the pair plus what Landscape managed last time. */
export interface DiffInput {
  desired: DesiredResource;
  live: ObservedResource;
  inventory: InventoryEntry | undefined;
}

/**
 * Per-kind planning rules. Pure functions only. A kind without rules gets the default differ
 * (declared fields only) and no guards.
 */
export interface KindRules {
  /** Field-level differences; empty means NoOp. Default: `diffDeclared(desired.spec, live.spec)`. */
  diff?(input: DiffInput): FieldChange[];
  /**
   * Fields of this update that can not be made (e.g. partition decrease), each with a reason. The planner
   * drops those fields from the update (the rest still applies) and lists the refusals in the plan.
   */
  refuseUpdate?(input: DiffInput, fields: FieldChange[]): FieldRefusal[];
  /** Fields shown for a Create (default: every leaf of the desired spec). */
  createFields?(desired: DesiredResource): FieldChange[];
  /** The fields to remember in the inventory after applying (e.g. declared topic config keys). */
  managedFields?(desired: DesiredResource): string[] | undefined;
  /** A non-secret digest of secret references (never values) to tell "changed" from "unchanged". */
  secretDigest?(desired: DesiredResource): string | undefined;
  /** Whether an update loses data or access (shown and gated as destructive). Default: false. */
  isDestructiveUpdate?(fields: FieldChange[]): boolean;
  /**
   * Turns a live resource into the spec export writes (default: live.spec). `inventory` is what Landscape
   * recorded when it last applied the resource (e.g. the secret references it used), if it did.
   */
  exportSpec?(live: ObservedResource, inventory?: InventoryEntry): JsonObject;
}

export interface FieldRefusal {
  reason: Refusal['reason'];
  message: string;
  /** The FieldChange paths this refusal removes from the update. */
  paths: string[];
}

/** Planning context shared by every kind. */
export interface PlanContext {
  environment: EnvironmentSpec;
}
