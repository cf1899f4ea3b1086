import { usesIamAccessControl } from '../../model/connections/kafka.ts';
import type { KafkaConnection } from '../../model/environment.ts';
import type { ChangeResult, PlannedChange } from '../../model/plan.ts';
import {
  type ObservedResource,
  RESOURCE_KIND_NAMES,
  RESOURCE_KINDS,
  type ResourceKey,
  type ResourceKind,
} from '../../model/resource.ts';
import type { ResourceProvider } from '../../ports/resource-provider.ts';
import type { SecretResolver } from '../../ports/secret-resolver.ts';
import { openKafkaSession } from './connection.ts';
import { KAFKA_HANDLERS, type KafkaKind } from './kinds/index.ts';
import type { KafkaKindContext, KafkaKindHandler } from './kinds/kafka-kind-handler.ts';
import { protectedUsers } from './protected-users.ts';
import type { ReadOptions } from './read-state.ts';
import { type ApplyOptions, ResultBook } from './results.ts';

/** Batch sizes and waits (see DEFAULT_KAFKA_PROVIDER_OPTIONS and bench/RESULTS.md). */
export interface KafkaProviderOptions {
  /** Topics per CreateTopics / CreatePartitions / DeleteTopics request. */
  topicChunkSize: number;
  /** Topics per DescribeConfigs request. */
  describeChunkSize: number;
  /** Topics per Metadata request when topics are named. */
  metadataChunkSize: number;
  /** Topics per IncrementalAlterConfigs request. */
  configChunkSize: number;
  /** Bindings per CreateAcls / DeleteAcls request. */
  aclChunkSize: number;
  /** Quota entities per AlterClientQuotas, users per AlterUserScramCredentials request. */
  entityChunkSize: number;
  /** Requests in flight at once. */
  concurrency: number;
  /**
   * Base budget (ms) of the bounded health waits after apply: new partitions led, ACLs listed by the
   * authorizer, configs/quotas/credentials visible, deleted topics gone. 10 ms per item is added on top.
   */
  healthWaitMs: number;
}

/**
 * Defaults. 500 topics per request keeps a CreateTopics of ordinary topics far below the broker's limits
 * (10,000 partitions, 10,000 records per request) and a chunk's failure small; 1000 ACLs per request and 4
 * requests in flight are reasonable, not tuned: on the test broker the time goes into the broker creating
 * logs, not into these requests (bench/RESULTS.md). `bench/run.ts --topic-chunk --acl-chunk --concurrency`
 * tries others.
 */
export const DEFAULT_KAFKA_PROVIDER_OPTIONS: KafkaProviderOptions = {
  topicChunkSize: 500,
  describeChunkSize: 500,
  metadataChunkSize: 2000,
  configChunkSize: 500,
  aclChunkSize: 1000,
  entityChunkSize: 500,
  concurrency: 4,
  healthWaitMs: 30_000,
};

/** The resource kinds this provider serves: every `kafka` kind of RESOURCE_KINDS, in its order (reads). */
export const KAFKA_KINDS: readonly KafkaKind[] = RESOURCE_KIND_NAMES.filter(
  (kind): kind is KafkaKind => RESOURCE_KINDS[kind] === 'kafka',
);

/**
 * The Kafka ResourceProvider: topics, ACLs, client quotas and SCRAM users through @platformatic/kafka.
 *
 * Reads are batched per kind (one Metadata request for all topics, DescribeConfigs in chunks, one
 * DescribeAcls, one DescribeClientQuotas, one DescribeUserScramCredentials), never one request per
 * resource. Observed specs are normalized exactly like the desired specs of lib/plan/kinds (topic.ts, acl.ts, quota.ts, user.ts).
 * Apply batches the changes of a wave the same way and returns one ChangeResult per change; it throws only
 * when the cluster can not be reached at all (AdapterError, retryable).
 *
 * @example
 * const kafka = await createKafkaProvider(environment.kafka, secrets);
 * try {
 *   const live = await kafka.observe(desired);
 *   const results = await kafka.apply(plan.changes.filter((c) => c.wave === 1), { secrets });
 * } finally {
 *   await kafka.close();
 * }
 */
export async function createKafkaProvider(
  connection: KafkaConnection,
  secrets: SecretResolver,
  tuning: Partial<KafkaProviderOptions> = {},
): Promise<ResourceProvider> {
  const settings: KafkaProviderOptions = { ...DEFAULT_KAFKA_PROVIDER_OPTIONS, ...tuning };
  const session = await openKafkaSession(connection, secrets);
  const context: KafkaKindContext = {
    session,
    reservedUsers: protectedUsers(connection),
    // MSK IAM does not enforce ACLs, so none is planned there (ADR 0042) and none is read: the cluster may
    // refuse DescribeAcls, and live ACLs would only be listed as unmanaged grants that grant nothing.
    aclsEnforced: !usesIamAccessControl(connection),
    readOptions: (progress?: ReadOptions['progress']): ReadOptions => ({
      describeChunkSize: settings.describeChunkSize,
      metadataChunkSize: settings.metadataChunkSize,
      concurrency: settings.concurrency,
      progress,
    }),
  };
  const handler = (kind: KafkaKind) => KAFKA_HANDLERS[kind] as unknown as KafkaKindHandler<KafkaKind>;
  /** Apply order (KAFKA_HANDLERS' order); reads keep the order of KAFKA_KINDS. */
  const applyOrder = Object.keys(KAFKA_HANDLERS) as KafkaKind[];

  return {
    name: 'kafka',
    kinds: KAFKA_KINDS,

    async observe(desired, options = {}) {
      // One clear fault ("connecting to kafka at ...") rather than whichever parallel read failed first.
      await session.anyBroker();
      // Everything of our kinds is read (not only what is desired): prune and export need the whole picture,
      // and one batched read of everything costs about the same as a filtered one.
      const wants = new Set(desired.map((d) => d.kind));
      const lists = await Promise.all(
        KAFKA_KINDS.map((kind) => handler(kind).observe(context, wants.has(kind), { progress: options.progress })),
      );
      return lists.flat();
    },

    async observeKeys(wanted: readonly ResourceKey[]): Promise<ObservedResource[]> {
      if (wanted.length === 0) return [];
      await session.anyBroker();
      const lists = await Promise.all(KAFKA_KINDS.map((kind) => handler(kind).observeKeys(context, wanted)));
      return lists.flat();
    },

    async apply(changes: readonly PlannedChange[], applyContext): Promise<ChangeResult[]> {
      const book = new ResultBook();
      const ours = changes.filter((c) => {
        if ((KAFKA_KINDS as readonly ResourceKind[]).includes(c.kind)) return true;
        book.skipped(c, `kind "${c.kind}" is not handled by the kafka provider`);
        return false;
      });
      if (ours.length === 0) return book.inOrder(changes);
      // Fail fast, as a fault, when the cluster is unreachable: then no change can be made.
      await session.anyBroker();

      const options: ApplyOptions = {
        topicChunkSize: settings.topicChunkSize,
        configChunkSize: settings.configChunkSize,
        aclChunkSize: settings.aclChunkSize,
        entityChunkSize: settings.entityChunkSize,
        concurrency: settings.concurrency,
        healthWaitMs: settings.healthWaitMs,
        metadataChunkSize: settings.metadataChunkSize,
        progress: applyContext.progress,
      };
      const ofKind = (kind: ResourceKind) => ours.filter((c) => c.kind === kind);
      // Within one call, keep the wave order: creates/updates in handler order, deletes in reverse.
      for (const kind of applyOrder) {
        await handler(kind).upsert(context, ofKind(kind), book, options, applyContext.secrets);
      }
      for (const kind of [...applyOrder].reverse()) {
        await handler(kind).delete(context, ofKind(kind), book, options, applyContext.secrets);
      }
      return book.inOrder(changes);
    },

    async close() {
      await session.admin.close();
    },
  };
}
