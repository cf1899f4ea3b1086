import { usesIamAccessControl } from '../../model/connections/kafka.ts';
import type { KafkaConnection } from '../../model/environment.ts';
import type { ChangeResult, PlannedChange } from '../../model/plan.ts';
import type { KindsOf, ObservedResource, ResourceKey, ResourceKind } from '../../model/resource.ts';
import type { ResourceProvider } from '../../ports/resource-provider.ts';
import type { SecretResolver } from '../../ports/secret-resolver.ts';
import { applyAclChanges } from './apply-acls.ts';
import { applyQuotaChanges } from './apply-quotas.ts';
import { applyTopicChanges } from './apply-topics.ts';
import { applyUserChanges } from './apply-users.ts';
import { openKafkaSession } from './connection.ts';
import { isFeatureUnavailable } from './kafka-errors.ts';
import { ACL_KEY_PREFIX, QUOTA_KEY_PREFIX, TOPIC_KEY_PREFIX, USER_KEY_PREFIX } from './normalize.ts';
import { markProtectedUsers, protectedUsers } from './protected-users.ts';
import { type ReadOptions, readAcls, readQuotas, readTopics, readUsers } from './read-state.ts';
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

/** The resource kinds this provider serves: every `kafka` kind of RESOURCE_KINDS (checked in test/types). */
export const KAFKA_KINDS = ['Topic', 'Acl', 'Quota', 'User'] as const satisfies readonly KindsOf<'kafka'>[];

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
  const reserved = protectedUsers(connection);
  // MSK IAM does not enforce ACLs, so none is planned there (ADR 0042) and none is read: the cluster may
  // refuse DescribeAcls, and live ACLs would only be listed as unmanaged grants that grant nothing.
  const aclsEnforced = !usesIamAccessControl(connection);
  const readOptions = (progress?: ReadOptions['progress']): ReadOptions => ({
    describeChunkSize: settings.describeChunkSize,
    metadataChunkSize: settings.metadataChunkSize,
    concurrency: settings.concurrency,
    progress,
  });

  return {
    name: 'kafka',
    kinds: KAFKA_KINDS,

    async observe(desired, options = {}) {
      // One clear fault ("connecting to kafka at ...") rather than whichever parallel read failed first.
      await session.anyBroker();
      // Everything of our kinds is read (not only what is desired): prune and export need the whole picture,
      // and one batched read of everything costs about the same as a filtered one.
      const wants = new Set(desired.map((d) => d.kind));
      const [topics, acls, quotas, users] = await Promise.all([
        readTopics(session, null, readOptions(options.progress)),
        aclsEnforced ? unlessUnavailable(wants.has('Acl'), () => readAcls(session)) : [],
        unlessUnavailable(wants.has('Quota'), () => readQuotas(session)),
        unlessUnavailable(wants.has('User'), () => readUsers(session, null)),
      ]);
      // Reserved users without credentials only matter to a config that declares users (it is refused).
      return [...topics, ...acls, ...quotas, ...markProtectedUsers(users, reserved, wants.has('User'))];
    },

    async observeKeys(wanted: readonly ResourceKey[]): Promise<ObservedResource[]> {
      if (wanted.length === 0) return [];
      await session.anyBroker();
      const topicNames = namesWithPrefix(wanted, TOPIC_KEY_PREFIX);
      const userNames = namesWithPrefix(wanted, USER_KEY_PREFIX);
      const wantedKeys = new Set(wanted);
      const wantsAcls = aclsEnforced && wanted.some((k) => k.startsWith(ACL_KEY_PREFIX));
      const wantsQuotas = wanted.some((k) => k.startsWith(QUOTA_KEY_PREFIX));
      // ACLs and quotas have no batched "describe these N" request; one read of all of them is cheaper than
      // one request per key.
      const [topics, acls, quotas, users] = await Promise.all([
        readTopics(session, topicNames, readOptions()),
        wantsAcls ? readAcls(session) : [],
        wantsQuotas ? readQuotas(session) : [],
        userNames.length > 0 ? readUsers(session, userNames) : [],
      ]);
      return [
        ...topics,
        ...acls.filter((r) => wantedKeys.has(r.key)),
        ...quotas.filter((r) => wantedKeys.has(r.key)),
        ...users,
      ];
    },

    async apply(changes: readonly PlannedChange[], context): Promise<ChangeResult[]> {
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
        progress: context.progress,
      };
      const ofKind = (kind: ResourceKind) => ours.filter((c) => c.kind === kind);
      // The planner refuses reserved users; a plan stored by an older version may still name one.
      const users = ofKind('User');
      const allowedUsers = users.filter((c) => {
        const reason = reserved.get(c.name);
        if (reason === undefined) return true;
        book.skipped(c, `user "${c.name}" is ${reason}: Landscape never changes it`);
        return false;
      });
      // Within one call, keep the wave order: creates/updates topics -> users, quotas -> ACLs, deletes in reverse.
      await applyTopicChanges(session, ofKind('Topic'), book, options, 'upsert');
      await applyUserChanges(session, allowedUsers, book, options, context.secrets, 'upsert');
      await applyQuotaChanges(session, ofKind('Quota'), book, options, 'upsert');
      await applyAclChanges(session, ofKind('Acl'), book, options, 'upsert');
      await applyAclChanges(session, ofKind('Acl'), book, options, 'delete');
      await applyQuotaChanges(session, ofKind('Quota'), book, options, 'delete');
      await applyUserChanges(session, allowedUsers, book, options, context.secrets, 'delete');
      await applyTopicChanges(session, ofKind('Topic'), book, options, 'delete');
      return book.inOrder(changes);
    },

    async close() {
      await session.admin.close();
    },
  };
}

/**
 * Reads a kind that the cluster may not offer to us: a cluster without an authorizer has no ACLs
 * (SECURITY_DISABLED), a principal without DESCRIBE on the cluster may not list ACLs, quotas or SCRAM users,
 * and managed services leave some APIs out. When the config declares nothing of that kind, the kind is
 * simply not observed (so nothing of it can be planned for deletion); when it does, the error stands, because
 * a plan made without the live state would be wrong.
 */
async function unlessUnavailable(
  needed: boolean,
  read: () => Promise<ObservedResource[]>,
): Promise<ObservedResource[]> {
  try {
    return await read();
  } catch (error) {
    if (!needed && isFeatureUnavailable(error)) return [];
    throw error;
  }
}

function namesWithPrefix(wanted: readonly ResourceKey[], prefix: string): string[] {
  return [...new Set(wanted.filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)))];
}
