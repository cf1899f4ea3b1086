import type { PlannedChange } from '../../../model/plan.ts';
import type { KindsOf, ObservedResource, ResourceKey } from '../../../model/resource.ts';
import type { SecretResolver } from '../../../ports/secret-resolver.ts';
import type { KafkaSession } from '../connection.ts';
import { isFeatureUnavailable } from '../kafka-errors.ts';
import type { ReadOptions } from '../read-state.ts';
import type { ApplyOptions, ResultBook } from '../results.ts';

export type KafkaKind = KindsOf<'kafka'>;

/** What every handler of one provider shares: the session and what the connection says. */
export interface KafkaKindContext {
  readonly session: KafkaSession;
  readOptions(progress?: ReadOptions['progress']): ReadOptions;
  /** Users the platform reserves (super-users, the principal Landscape connects as), with the reason. */
  readonly reservedUsers: ReadonlyMap<string, string>;
  /** False on MSK IAM: the cluster does not enforce ACLs, so none is read or planned (ADR 0042). */
  readonly aclsEnforced: boolean;
}

/**
 * The adapter half of one Kafka resource kind: how it is observed and changed. The provider orders the
 * handlers (KAFKA_HANDLERS) and batches nothing itself; handlers never call each other, and each sends its
 * requests in batches (one request per chunk, through `applyInBatches` where the API takes many items).
 */
export interface KafkaKindHandler<K extends KafkaKind> {
  readonly kind: K;
  /**
   * Everything of the kind (prune and export need the whole picture). `declared`: the config declares some;
   * when it does not, a kind the cluster will not show (no authorizer, no DESCRIBE) is simply not observed.
   */
  observe(
    context: KafkaKindContext,
    declared: boolean,
    options: { progress?: ReadOptions['progress'] },
  ): Promise<ObservedResource[]>;
  /** The live state of these keys (the ones of other kinds are ignored), batched. */
  observeKeys(context: KafkaKindContext, keys: readonly ResourceKey[]): Promise<ObservedResource[]>;
  /** Creates and updates of this kind, one result each in `book`. */
  upsert(
    context: KafkaKindContext,
    changes: readonly PlannedChange[],
    book: ResultBook,
    options: ApplyOptions,
    secrets: SecretResolver,
  ): Promise<void>;
  /** Deletes of this kind, one result each in `book`. */
  delete(
    context: KafkaKindContext,
    changes: readonly PlannedChange[],
    book: ResultBook,
    options: ApplyOptions,
    secrets: SecretResolver,
  ): Promise<void>;
}

/** Keys of one kind, without their prefix (`kafka/topic/orders` -> `orders`), each once. */
export function namesWithPrefix(wanted: readonly ResourceKey[], prefix: string): string[] {
  return [...new Set(wanted.filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)))];
}

/**
 * Reads a kind that the cluster may not offer to us: a cluster without an authorizer has no ACLs
 * (SECURITY_DISABLED), a principal without DESCRIBE on the cluster may not list ACLs, quotas or SCRAM users,
 * and managed services leave some APIs out. When the config declares nothing of that kind, the kind is
 * simply not observed (so nothing of it can be planned for deletion); when it does, the error stands, because
 * a plan made without the live state would be wrong.
 */
export async function unlessUnavailable(
  declared: boolean,
  read: () => Promise<ObservedResource[]>,
): Promise<ObservedResource[]> {
  try {
    return await read();
  } catch (error) {
    if (!declared && isFeatureUnavailable(error)) return [];
    throw error;
  }
}
