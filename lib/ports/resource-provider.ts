import type { EnvironmentSpec } from '../model/environment.ts';
import type { ChangeResult, PlannedChange } from '../model/plan.ts';
import type { DesiredResource, ObservedResource, ResourceKey, ResourceKind } from '../model/resource.ts';
import type { SecretResolver } from './secret-resolver.ts';

/** Progress events for long operations (CLI progress lines, structured logs). */
export type ProgressListener = (event: { phase: string; done: number; total: number; message?: string }) => void;

/**
 * The boundary to one live system (Kafka, Kubernetes, schema registry, Connect). Adapters implement it;
 * the planner never sees SDK types.
 *
 * Contract:
 * - `observe` reads the live state of every resource of its kinds that is relevant to `desired` (and, for
 *   prune and export, every live resource of those kinds it can list), in batched calls, normalized the same
 *   way as the desired specs so that equal means equal.
 * - `observeKeys` re-reads only the named keys (apply's staleness check). Missing keys are simply absent.
 * - `apply` carries out the changes of one wave, batched, and returns one result per change; it never throws
 *   for a single failing change (only for a fault that makes every change impossible, e.g. unreachable).
 */
export interface ResourceProvider {
  readonly name: string;
  readonly kinds: readonly ResourceKind[];
  observe(desired: readonly DesiredResource[], options?: { progress?: ProgressListener }): Promise<ObservedResource[]>;
  observeKeys(keys: readonly ResourceKey[]): Promise<ObservedResource[]>;
  apply(
    changes: readonly PlannedChange[],
    context: { secrets: SecretResolver; progress?: ProgressListener },
  ): Promise<ChangeResult[]>;
  /** Extra plan-time checks that need the live system (schema compatibility, SSA dry-run). Optional. */
  check?(changes: readonly PlannedChange[]): Promise<import('../model/plan.ts').PlanNote[]>;
  close(): Promise<void>;
}

/** Builds the live-system adapters of one environment (lib/wiring/providers.ts in production). */
export type ProviderFactory = (
  environmentName: string,
  environment: EnvironmentSpec,
  secrets: SecretResolver,
) => Promise<ResourceProvider[]>;
