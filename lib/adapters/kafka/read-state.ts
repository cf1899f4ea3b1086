import {
  type Acl as ClientAcl,
  type ConfigDescription,
  ConfigResourceTypes,
  type describeAclsV3,
  type describeClientQuotasV0,
  describeConfigsV4,
  describeUserScramCredentialsV0,
  metadataV12,
  ResourcePatternTypes,
  ResourceTypes,
} from '@platformatic/kafka';
import { AdapterError } from '../../errors.ts';
import type { ObservedResource } from '../../model/resource.ts';
import type { ProgressListener } from '../../ports/resource-provider.ts';
import { callAdmin, callApi, chunk, mapLimit, plural } from './batch.ts';
import type { KafkaSession } from './connection.ts';
import { itemErrorText, KafkaResponseError } from './kafka-errors.ts';
import {
  fromClientAcl,
  observedAcl,
  observedQuota,
  observedTopic,
  observedUser,
  quotaEntityOf,
  quotaSpec,
  topicSpec,
  userSpec,
} from './normalize.ts';

/** Tuning for reads; the provider's defaults suit clusters up to tens of thousands of topics. */
export interface ReadOptions {
  /** Topics per DescribeConfigs request. */
  describeChunkSize: number;
  /** Topics per Metadata request when topics are named (all topics are always one request). */
  metadataChunkSize: number;
  /** Requests in flight at once. */
  concurrency: number;
  progress?: ProgressListener | undefined;
}

type ConfigEntry = ConfigDescription['configs'][number];

const UNKNOWN_TOPIC_OR_PARTITION = 3;
const LEADER_NOT_AVAILABLE = 5;
const RESOURCE_NOT_FOUND = 91;
const TOPIC_AUTHORIZATION_FAILED = 29;

/** What Metadata says about one topic. */
export interface TopicMetadata {
  name: string;
  partitions: number;
  replicationFactor: number;
  /** Partitions without a leader right now (0 means every partition can be produced to). */
  leaderless: number;
  /** The broker's id of this topic (undefined when the broker reports none): a re-created topic gets a new one. */
  topicId: string | undefined;
}

/** What brokers send for "no topic id" (ZooKeeper-era topics before they were given one). */
const NO_TOPIC_ID = '00000000-0000-0000-0000-000000000000';

/**
 * Reads topic metadata in batched Metadata requests: every topic when `names` is null (one request), or
 * only the named ones (missing topics are simply absent). Internal topics (`__consumer_offsets`, as the
 * broker marks them) are left out; `_`-prefixed user topics are not (the planner protects them).
 */
export async function readTopicMetadata(
  session: KafkaSession,
  names: readonly string[] | null,
  options: Pick<ReadOptions, 'metadataChunkSize' | 'concurrency'>,
): Promise<TopicMetadata[]> {
  const requests: (string[] | null)[] = names === null ? [null] : chunk(names, options.metadataChunkSize);
  const responses = await mapLimit(requests, options.concurrency, (topics) =>
    callApi(session, metadataV12.api, [topics, false, false], `reading metadata of ${describeTopics(topics)}`),
  );
  const found: TopicMetadata[] = [];
  for (const response of responses) {
    for (const topic of response.topics) {
      if (!topic.name || topic.isInternal) continue;
      if (topic.errorCode === UNKNOWN_TOPIC_OR_PARTITION) continue;
      // Right after creation a topic can answer LEADER_NOT_AVAILABLE: it exists, it is just not healthy yet.
      if (topic.errorCode !== 0 && topic.errorCode !== LEADER_NOT_AVAILABLE) {
        throw new AdapterError(
          `reading metadata of topic "${topic.name}": ${itemErrorText(topic.errorCode, null)}`,
          // e.g. TOPIC_AUTHORIZATION_FAILED: an observation that silently skipped it would plan a re-create.
        );
      }
      const partitions = [...topic.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex);
      found.push({
        name: topic.name,
        partitions: partitions.length,
        // Partition 0's replica list is the topic's replication factor; during a reassignment it can be
        // larger for a while, which is exactly what a reader of the live state should see.
        replicationFactor: partitions[0]?.replicaNodes.length ?? 0,
        leaderless: partitions.filter((p) => p.leaderId < 0).length,
        topicId: topic.topicId && topic.topicId !== NO_TOPIC_ID ? topic.topicId : undefined,
      });
    }
  }
  return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Reads the configs of the named topics, `describeChunkSize` topics per DescribeConfigs request. A topic
 * deleted between Metadata and DescribeConfigs is left out; any other per-topic error fails the read.
 */
export async function describeTopicConfigs(
  session: KafkaSession,
  names: readonly string[],
  options: ReadOptions,
): Promise<Map<string, ConfigEntry[]>> {
  const chunks = chunk(names, options.describeChunkSize);
  const configs = new Map<string, ConfigEntry[]>();
  let done = 0;
  await mapLimit(chunks, options.concurrency, async (topics) => {
    const resources = topics.map((name) => ({
      resourceType: ConfigResourceTypes.TOPIC,
      resourceName: name,
      configurationKeys: null,
    }));
    const response = await callApi(
      session,
      describeConfigsV4.api,
      [resources, false, false],
      `describing configs of ${plural(topics.length, 'topic')}`,
    );
    for (const result of response.results) {
      if (result.errorCode === UNKNOWN_TOPIC_OR_PARTITION) continue;
      if (result.errorCode !== 0) {
        // Skipping the topic would hide it from the plan (a declared one would be planned as a create), so the
        // read fails; the message says which grant is missing, since "authorization failed" alone does not.
        const hint =
          result.errorCode === TOPIC_AUTHORIZATION_FAILED
            ? ' (Landscape reads the configs of every topic it can see: grant DESCRIBE_CONFIGS on it, with MSK IAM' +
              ' kafka-cluster:DescribeTopicDynamicConfiguration, or do not let Landscape see the topic)'
            : '';
        throw new AdapterError(
          `describing configs of topic "${result.resourceName}": ${itemErrorText(result.errorCode, result.errorMessage)}${hint}`,
        );
      }
      configs.set(result.resourceName, result.configs);
    }
    done += topics.length;
    options.progress?.({ phase: 'kafka: describing topic configs', done, total: names.length });
  });
  return configs;
}

/** Observes topics: metadata plus batched DescribeConfigs, normalized like the renderer's specs. */
export async function readTopics(
  session: KafkaSession,
  names: readonly string[] | null,
  options: ReadOptions,
): Promise<ObservedResource[]> {
  if (names !== null && names.length === 0) return [];
  const metadata = await readTopicMetadata(session, names, options);
  options.progress?.({ phase: 'kafka: reading topic metadata', done: metadata.length, total: metadata.length });
  const configs = await describeTopicConfigs(
    session,
    metadata.map((t) => t.name),
    options,
  );
  const observed: ObservedResource[] = [];
  for (const topic of metadata) {
    const entries = configs.get(topic.name);
    if (!entries) continue; // deleted while we were reading
    observed.push(
      observedTopic(topic.name, topicSpec(topic.partitions, topic.replicationFactor, entries), topic.topicId),
    );
  }
  return observed;
}

/** Every live ACL as the client reports it (flattened), with one DescribeAcls request (an any-filter). */
export async function describeAllAcls(session: KafkaSession): Promise<ClientAcl[]> {
  const outcome = await callAdmin<
    describeAclsV3.DescribeAclsResponseResource[],
    { errorCode: number; errorMessage: string | null }
  >(
    () =>
      session.admin.describeAcls({
        filter: {
          resourceType: ResourceTypes.ANY,
          resourceName: null,
          resourcePatternType: ResourcePatternTypes.ANY,
          principal: null,
          host: null,
          operation: 1, // AclOperations.ANY
          permissionType: 1, // AclPermissionTypes.ANY
        },
      }),
    'DescribeAcls',
    'describing acls',
  );
  if (!outcome.ok) {
    throw new KafkaResponseError('describing acls', outcome.response.errorCode, outcome.response.errorMessage);
  }
  return outcome.value.flatMap((resource) =>
    resource.acls.map((acl) => ({
      resourceType: resource.resourceType,
      resourceName: resource.resourceName,
      resourcePatternType: resource.resourcePatternType,
      ...acl,
    })),
  );
}

/** Observes every ACL binding the model can express (see `fromClientAcl`). */
export async function readAcls(session: KafkaSession): Promise<ObservedResource[]> {
  const observed: ObservedResource[] = [];
  for (const acl of await describeAllAcls(session)) {
    const binding = fromClientAcl(acl);
    if (binding) observed.push(observedAcl(binding));
  }
  return observed;
}

/** Observes every user and client-id quota with one DescribeClientQuotas request. */
export async function readQuotas(session: KafkaSession): Promise<ObservedResource[]> {
  const outcome = await callAdmin<
    describeClientQuotasV0.DescribeClientQuotasResponseEntry[],
    { errorCode: number; errorMessage: string | null }
  >(
    // No components and not strict: every entity that has a quota.
    () => session.admin.describeClientQuotas({ components: [], strict: false }),
    'DescribeClientQuotas',
    'describing client quotas',
  );
  if (!outcome.ok) {
    throw new KafkaResponseError('describing client quotas', outcome.response.errorCode, outcome.response.errorMessage);
  }
  const observed: ObservedResource[] = [];
  for (const entry of outcome.value) {
    const entity = quotaEntityOf(entry.entity);
    if (!entity) continue; // ip quotas and other entity types are not modelled
    const spec = quotaSpec(entity, entry.values);
    observed.push(observedQuota(entity, spec));
  }
  return observed;
}

/**
 * Observes SCRAM users with one DescribeUserScramCredentials request: every user when `names` is null,
 * otherwise the named ones (a user without credentials is absent).
 */
export async function readUsers(session: KafkaSession, names: readonly string[] | null): Promise<ObservedResource[]> {
  if (names !== null && names.length === 0) return [];
  const credentials = await describeScramCredentials(session, names);
  return [...credentials.entries()].map(([name, infos]) => observedUser(name, userSpec(infos)));
}

/** The SCRAM credentials (mechanism code and iterations) of each user that has any. */
export async function describeScramCredentials(
  session: KafkaSession,
  names: readonly string[] | null,
): Promise<Map<string, { mechanism: number; iterations: number }[]>> {
  const response = await callApi(
    session,
    describeUserScramCredentialsV0.api,
    // "All users" is sent as an empty list, not null: Kafka 4.3.1 answers a null list from a principal that
    // may not describe the cluster with a NullPointerException and no response at all (the request times
    // out), while an empty list means "all" too and is refused properly with CLUSTER_AUTHORIZATION_FAILED.
    [names === null ? [] : names.map((name) => ({ name }))],
    `describing scram credentials of ${names === null ? 'all users' : plural(names.length, 'user')}`,
  );
  if (response.errorCode !== 0) {
    throw new KafkaResponseError('describing scram credentials', response.errorCode, response.errorMessage);
  }
  const users = new Map<string, { mechanism: number; iterations: number }[]>();
  for (const result of response.results) {
    if (result.errorCode === RESOURCE_NOT_FOUND) continue;
    if (result.errorCode !== 0) {
      throw new AdapterError(
        `describing scram credentials of user "${result.user}": ${itemErrorText(result.errorCode, result.errorMessage)}`,
      );
    }
    if (result.credentialInfos.length > 0) users.set(result.user, result.credentialInfos);
  }
  return new Map([...users.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function describeTopics(topics: readonly string[] | null): string {
  return topics === null ? 'all topics' : plural(topics.length, 'topic');
}
