import type { ConfigProblem } from '../../errors.ts';
import type { JsonObject } from '../../model/common.ts';
import type { ConfigDocument, Kind as DocumentKind, LoadedConfig } from '../../model/documents.ts';
import type { EnvironmentSpec } from '../../model/environment.ts';
import type { DesiredResource, Inventory, ObservedResource, ResourceKind } from '../../model/resource.ts';
import type { KindRules } from '../kind-rules.ts';

export interface RenderResult {
  resources: DesiredResource[];
  problems: ConfigProblem[];
}

/** Turns one validated document into desired resources. Pure: files were read by the loader. */
export type Renderer<K extends DocumentKind> = (doc: ConfigDocument<K>, config: LoadedConfig) => RenderResult;

export const nothing = (): RenderResult => ({ resources: [], problems: [] });

/**
 * Apply order: each wave runs after the one before; deletes run in reverse. Stored in plans: never renumber.
 * Topics, then users and quotas, then ACLs, schemas, connectors, Kubernetes.
 */
export type Wave = 1 | 2 | 3 | 4 | 5 | 6;

export interface ExportedDocument {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: JsonObject;
}

/**
 * The planner half of a resource kind (the model half is lib/model/kinds, the adapter half is in the adapter
 * of the kind's connection). Pure. Registered in RESOURCE_KIND_MODULES (./index.ts), one per ResourceKind.
 */
export interface ResourceKindModule<K extends ResourceKind> {
  readonly kind: K;
  readonly wave: Wave;
  /** Diff, guards and inventory rules; `{}` = the defaults (declared fields only). */
  readonly rules: KindRules;
  /** What the platform's identity of this kind is called in messages (`topic id`), when it has one. */
  readonly identityName?: string;
  /** Names the environment protects from any change (Topic: `protectedPrefixes`). */
  isProtected?(name: string, environment: EnvironmentSpec): boolean;
  readonly export: {
    /** The file export writes this kind to: `quotas.yaml`. */
    readonly file: string;
    /** The document kind a live resource becomes. */
    readonly document: DocumentKind;
    /** Which live resources are exported at all (default: all that are not protected). */
    include?(live: ObservedResource): boolean;
    /** The documents for this kind's live resources (sorted by key), in that order. */
    toDocuments(live: readonly ObservedResource[], inventory: Inventory): ExportedDocument[];
  };
}

/** What governance policies check on a document, where the kind has it (lib/governance/checks/policy.ts). */
export interface PolicyFacts {
  partitions?: number;
  /** `default`: the broker's own, which a plan can not know (a Policy's replication limits refuse it). */
  replicationFactor?: number | 'default';
  /** The declared retention (`retention.ms`), not the broker default: `minRetentionMs`, `maxRetentionMs`. */
  retentionMs?: string;
  /** Declared config (topic config, connector config): `forbiddenConfigs`. */
  config?: Record<string, unknown>;
}

/** The planner half of a config document kind. Registered in DOCUMENT_KIND_MODULES, one per document kind. */
export interface DocumentKindModule<D extends DocumentKind> {
  readonly kind: D;
  /**
   * `resource`: the document becomes platform resources (Policy names and labels apply to it); `landscape`:
   * it configures Landscape itself (connections, alerts, governance) and renders nothing.
   */
  readonly role: 'resource' | 'landscape';
  readonly render: Renderer<D>;
  policyFacts?(doc: ConfigDocument<D>): PolicyFacts;
}

/** A document kind that configures Landscape itself: renders nothing. */
export function landscapeDocument<D extends DocumentKind>(kind: D): DocumentKindModule<D> {
  return { kind, role: 'landscape', render: nothing };
}
