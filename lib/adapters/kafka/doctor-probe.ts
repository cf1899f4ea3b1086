import {
  ConfigResourceTypes,
  createTopicsV7,
  DescribeClusterEndpointTypes,
  describeAclsV3,
  describeClusterV1,
  describeConfigsV4,
  incrementalAlterConfigsV1,
  metadataV12,
  ResourcePatternTypes,
  ResourceTypes,
} from '@platformatic/kafka';
import { AdapterError, messageOf } from '../../errors.ts';
import { usesIamAccessControl } from '../../model/connections/kafka.ts';
import { type DoctorCheck, type DoctorNeeds, failed, ok, skipped } from '../../model/doctor.ts';
import type { KafkaConnection } from '../../model/environment.ts';
import type { ResourceKind } from '../../model/resource.ts';
import type { SecretResolver } from '../../ports/secret-resolver.ts';
import { callApi, chunk, plural } from './batch.ts';
import { describeKafkaAuth, type KafkaSession, openKafkaSession } from './connection.ts';
import { describeKafkaError, isRetryableKafkaError, itemErrorText } from './kafka-errors.ts';

const TARGET = 'kafka';
/** Topics named in one probe request: the permissions of the first ones stand for the rest. */
const PROBE_TOPICS = 200;
/** The topic name probed for create permission when the config declares no topic (validateOnly: never created). */
const PROBE_TOPIC = 'landscape-doctor-probe';

// Kafka ACL operation codes (the bits of the authorized-operations fields).
const OP = { CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8, DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11 } as const;
type Operation = keyof typeof OP;
const NOT_REQUESTED = -2147483648;
const TOPIC_AUTHORIZATION_FAILED = 29;
const CLUSTER_AUTHORIZATION_FAILED = 31;
const TOPIC_ALREADY_EXISTS = 36;
const UNKNOWN_TOPIC_OR_PARTITION = 3;
const SECURITY_DISABLED = 54;

/** Cluster operations Landscape needs, by the kinds it manages (Kafka's authorization table per request). */
function clusterNeeds(needs: DoctorNeeds): Map<Operation, string> {
  const wanted = new Map<Operation, string>([['DESCRIBE', 'reading ACLs (DescribeAcls) and SCRAM users']]);
  const uses = (...kinds: ResourceKind[]) => kinds.some((k) => needs.kinds.includes(k) || needs.prune.includes(k));
  if (uses('Acl', 'User')) wanted.set('ALTER', 'creating and deleting ACLs and SCRAM credentials');
  if (uses('Quota', 'IpQuota')) {
    wanted.set('DESCRIBE_CONFIGS', 'reading client quotas');
    wanted.set('ALTER_CONFIGS', 'changing client quotas');
  }
  return wanted;
}

function topicNeeds(needs: DoctorNeeds): Map<Operation, string> {
  const wanted = new Map<Operation, string>([
    ['DESCRIBE', 'reading topics'],
    ['DESCRIBE_CONFIGS', 'reading topic configs'],
    ['ALTER_CONFIGS', 'changing topic configs'],
    ['ALTER', 'adding partitions'],
  ]);
  if (needs.prune.includes('Topic')) wanted.set('DELETE', 'deleting pruned topics');
  return wanted;
}

const missingOps = (granted: number, wanted: Map<Operation, string>): Operation[] =>
  [...wanted.keys()].filter((op) => (granted & (1 << OP[op])) === 0);

const describeOps = (ops: Operation[], wanted: Map<Operation, string>) =>
  ops.map((op) => `${op} (${wanted.get(op)})`).join(', ');

/**
 * The Kafka checks of `landscape doctor`, read-only: the bootstrap servers answer, the configured mechanism
 * authenticates, and the principal holds what Landscape needs — DESCRIBE on the cluster (DescribeCluster with
 * its authorized operations, DescribeAcls), ALTER / ALTER_CONFIGS when ACLs, users or quotas are managed, and
 * on the declared topics DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS (an IncrementalAlterConfigs with
 * `validateOnly` and no change) and CREATE (a CreateTopics with `validateOnly`). Nothing is changed.
 */
export async function probeKafka(
  connection: KafkaConnection,
  secrets: SecretResolver,
  needs: DoctorNeeds,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const auth = describeKafkaAuth(connection);
  const servers = connection.bootstrapServers.join(',');
  let session: KafkaSession;
  try {
    session = await openKafkaSession(
      { ...connection, requestTimeoutMs: Math.min(connection.requestTimeoutMs, options.timeoutMs) },
      secrets,
    );
  } catch (error) {
    return [
      failed(
        TARGET,
        'credentials',
        messageOf(error),
        'make the secret references of spec.kafka resolve (see the secrets lines)',
      ),
    ];
  }
  // Out of time (runDoctor gave up on this probe): close the client, so no connection outlives the report.
  const abandon = () => void session.admin.close().catch(() => undefined);
  options.signal?.addEventListener('abort', abandon, { once: true });
  try {
    // 1. Reachable and authenticated: one Metadata request for no topic.
    try {
      await callApi(session, metadataV12.api, [[], false, false], `connecting to kafka at "${servers}"`, {
        retry: false,
      });
      checks.push(ok(TARGET, 'reachable', `${servers} answered`));
      checks.push(ok(TARGET, 'authentication', `authenticated with ${auth}`));
    } catch (error) {
      checks.push(...connectFailure(error, servers, auth, connection));
      return checks;
    }
    const iam = usesIamAccessControl(connection);
    checks.push(await clusterPermissions(session, needs, iam));
    if (iam) {
      checks.push(
        skipped(TARGET, 'read ACLs', 'the cluster uses AWS MSK IAM access control: Kafka ACLs are not enforced there'),
      );
    } else {
      checks.push(await describeAcls(session));
    }
    checks.push(...(await topicPermissions(session, needs)));
  } finally {
    options.signal?.removeEventListener('abort', abandon);
    await Promise.race([session.admin.close().catch(() => undefined), delay(2000)]);
  }
  return checks;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function connectFailure(error: unknown, servers: string, auth: string, connection: KafkaConnection): DoctorCheck[] {
  // The adapter's error already names servers and mechanism: keep only the client's own reason.
  const reason = describeKafkaError(error instanceof AdapterError && error.cause ? error.cause : error);
  if (isRetryableKafkaError(error) || /timeout|timed out|ECONN|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH/i.test(reason)) {
    return [
      failed(
        TARGET,
        'reachable',
        `${servers}: ${reason}`,
        'check spec.kafka.bootstrapServers (host and port of the listener Landscape uses) and that this network can reach it (security groups, VPC, firewall)',
      ),
      skipped(TARGET, 'authentication', 'not tried: the brokers were not reached'),
    ];
  }
  const mechanism = connection.sasl?.mechanism;
  const fix =
    mechanism === 'aws-msk-iam'
      ? 'check that the IAM role Landscape runs with (or spec.kafka.sasl.roleArn) may kafka-cluster:Connect to this cluster, and the region'
      : mechanism === 'oauthbearer'
        ? 'check spec.kafka.sasl.clientId and the client secret, and that the brokers trust the token issuer'
        : mechanism
          ? `check spec.kafka.sasl.username and the password secret, and that the user exists for ${mechanism.toUpperCase()} (kafka-configs --describe --entity-type users)`
          : 'the listener may require authentication: set spec.kafka.sasl, or spec.kafka.tls with a client certificate';
  return [
    ok(TARGET, 'reachable', `${servers} answered`),
    failed(TARGET, 'authentication', `${auth} refused: ${reason}`, fix),
  ];
}

async function clusterPermissions(session: KafkaSession, needs: DoctorNeeds, iam: boolean): Promise<DoctorCheck> {
  const wanted = clusterNeeds(needs);
  const check = 'cluster permissions';
  let response: describeClusterV1.DescribeClusterResponse;
  try {
    response = await callApi(
      session,
      describeClusterV1.api,
      [true, DescribeClusterEndpointTypes.BROKERS],
      'describing the cluster',
      { retry: false },
    );
  } catch (error) {
    return failed(TARGET, check, `describing the cluster: ${messageOf(error)}`, 'grant DESCRIBE on the cluster');
  }
  if (response.errorCode !== 0) {
    return failed(
      TARGET,
      check,
      `describing the cluster: ${itemErrorText(response.errorCode, response.errorMessage)}`,
      'grant DESCRIBE on the cluster (kafka-acls --add --allow-principal User:NAME --operation Describe --cluster)',
    );
  }
  const granted = response.clusterAuthorizedOperations;
  const brokers = `cluster ${response.clusterId}, ${plural(response.brokers.length, 'broker')}`;
  if (granted === NOT_REQUESTED) return skipped(TARGET, check, `${brokers}; the broker did not report permissions`);
  if (iam) return ok(TARGET, check, `${brokers} (permissions come from IAM policies)`);
  if (granted === 0) {
    return failed(
      TARGET,
      check,
      `${brokers}; DESCRIBE on the cluster is not granted (needed for ${wanted.get('DESCRIBE')}), so no other cluster permission can be read`,
      'grant DESCRIBE on the cluster (kafka-acls --add --allow-principal User:NAME --operation Describe --cluster)',
    );
  }
  const missing = missingOps(granted, wanted);
  if (missing.length > 0) {
    return failed(
      TARGET,
      check,
      `${brokers}; missing on the cluster: ${describeOps(missing, wanted)}`,
      `grant ${missing.join(', ')} on the cluster to the principal Landscape connects as (kafka-acls --add --allow-principal User:NAME ${missing.map((op) => `--operation ${aclCliName(op)}`).join(' ')} --cluster)`,
    );
  }
  return ok(TARGET, check, `${brokers}; granted ${[...wanted.keys()].join(', ')}`);
}

/** `DESCRIBE_CONFIGS` -> `DescribeConfigs`, as kafka-acls spells operations. */
function aclCliName(op: Operation): string {
  return op
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

async function describeAcls(session: KafkaSession): Promise<DoctorCheck> {
  const check = 'read ACLs';
  try {
    const response = await callApi(
      session,
      describeAclsV3.api,
      [
        {
          resourceType: ResourceTypes.ANY,
          resourceName: null,
          resourcePatternType: ResourcePatternTypes.ANY,
          principal: null,
          host: null,
          operation: 1,
          permissionType: 1,
        },
      ],
      'describing acls',
      { retry: false },
    );
    if (response.errorCode === SECURITY_DISABLED) {
      return skipped(TARGET, check, 'the brokers have no authorizer: ACLs are not enforced');
    }
    if (response.errorCode !== 0) {
      const fix =
        response.errorCode === CLUSTER_AUTHORIZATION_FAILED
          ? 'grant DESCRIBE on the cluster (kafka-acls --add --allow-principal User:NAME --operation Describe --cluster)'
          : 'see the broker log for the reason';
      return failed(TARGET, check, `DescribeAcls: ${itemErrorText(response.errorCode, response.errorMessage)}`, fix);
    }
    const bindings = response.resources.reduce((sum, r) => sum + r.acls.length, 0);
    return ok(TARGET, check, `DescribeAcls answered (${plural(bindings, 'binding')})`);
  } catch (error) {
    return failed(TARGET, check, `DescribeAcls: ${messageOf(error)}`, 'grant DESCRIBE on the cluster');
  }
}

async function topicPermissions(session: KafkaSession, needs: DoctorNeeds): Promise<DoctorCheck[]> {
  const declared = needs.topics.slice(0, PROBE_TOPICS);
  const sample =
    needs.topics.length > PROBE_TOPICS ? ` (the first ${PROBE_TOPICS} of ${needs.topics.length} declared topics)` : '';
  const checks: DoctorCheck[] = [];
  const wanted = topicNeeds(needs);
  const existing: string[] = [];
  const absent: string[] = [];
  // Read: Metadata with each topic's authorized operations (what DESCRIBE on a topic shows).
  if (declared.length === 0) {
    checks.push(skipped(TARGET, 'topic permissions', 'the configuration declares no topic'));
  } else {
    try {
      const response = await callApi(session, metadataV12.api, [declared, false, true], 'reading topic metadata', {
        retry: false,
      });
      const denied: string[] = [];
      const lacking = new Map<string, Operation[]>();
      for (const topic of response.topics) {
        const name = topic.name ?? '';
        if (topic.errorCode === UNKNOWN_TOPIC_OR_PARTITION) absent.push(name);
        else if (topic.errorCode === TOPIC_AUTHORIZATION_FAILED) denied.push(name);
        else {
          existing.push(name);
          if (topic.topicAuthorizedOperations !== NOT_REQUESTED) {
            const missing = missingOps(topic.topicAuthorizedOperations, wanted);
            if (missing.length > 0) lacking.set(name, missing);
          }
        }
      }
      if (denied.length > 0) {
        checks.push(
          failed(
            TARGET,
            'describe topics',
            `DESCRIBE denied on ${plural(denied.length, 'topic')}: ${examples(denied)}${sample}`,
            `grant DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS and ALTER on these topics (a prefixed ACL covers a naming scheme: kafka-acls --add --allow-principal User:NAME --operation Describe --topic PREFIX --resource-pattern-type prefixed)`,
          ),
        );
      } else {
        checks.push(
          ok(
            TARGET,
            'describe topics',
            `${plural(existing.length, 'declared topic')} readable, ${absent.length} not created yet${sample}`,
          ),
        );
      }
      if (lacking.size > 0) {
        const ops = [...new Set([...lacking.values()].flat())];
        checks.push(
          failed(
            TARGET,
            'topic permissions',
            `missing on ${plural(lacking.size, 'topic')} (${examples([...lacking.keys()])}): ${describeOps(ops, wanted)}`,
            `grant ${ops.join(', ')} on these topics to the principal Landscape connects as`,
          ),
        );
      } else if (existing.length > 0) {
        checks.push(
          ok(TARGET, 'topic permissions', `granted ${[...wanted.keys()].join(', ')} on the existing declared topics`),
        );
      }
    } catch (error) {
      checks.push(failed(TARGET, 'describe topics', messageOf(error), 'grant DESCRIBE on the declared topics'));
    }
  }
  if (existing.length > 0) checks.push(await describeTopicConfigs(session, existing));
  if (existing.length > 0) checks.push(await alterTopicConfigs(session, existing));
  checks.push(await createTopics(session, declared.length > 0 ? declared : [PROBE_TOPIC], sample));
  return checks;
}

function examples(names: readonly string[]): string {
  const quoted = names.slice(0, 3).map((n) => `"${n}"`);
  return names.length > 3 ? `${quoted.join(', ')} and ${names.length - 3} more` : quoted.join(', ');
}

async function describeTopicConfigs(session: KafkaSession, topics: string[]): Promise<DoctorCheck> {
  const check = 'read topic configs';
  try {
    const denied: string[] = [];
    for (const names of chunk(topics, 100)) {
      const response = await callApi(
        session,
        describeConfigsV4.api,
        [
          names.map((name) => ({ resourceType: ConfigResourceTypes.TOPIC, resourceName: name, configurationKeys: [] })),
          false,
          false,
        ],
        'describing topic configs',
        { retry: false },
      );
      for (const result of response.results) if (result.errorCode !== 0) denied.push(result.resourceName);
    }
    if (denied.length > 0) {
      return failed(
        TARGET,
        check,
        `DescribeConfigs denied on ${plural(denied.length, 'topic')}: ${examples(denied)}`,
        'grant DESCRIBE_CONFIGS on these topics',
      );
    }
    return ok(TARGET, check, `DescribeConfigs answered for ${plural(topics.length, 'topic')}`);
  } catch (error) {
    return failed(TARGET, check, messageOf(error), 'grant DESCRIBE_CONFIGS on the declared topics');
  }
}

/** IncrementalAlterConfigs with validateOnly and no config entry: authorization is checked, nothing changes. */
async function alterTopicConfigs(session: KafkaSession, topics: string[]): Promise<DoctorCheck> {
  const check = 'alter topic configs';
  try {
    const denied: string[] = [];
    const other: string[] = [];
    for (const names of chunk(topics, 100)) {
      const response = await callApi(
        session,
        incrementalAlterConfigsV1.api,
        [names.map((name) => ({ resourceType: ConfigResourceTypes.TOPIC, resourceName: name, configs: [] })), true],
        'validating a topic config change',
        { retry: false },
      );
      for (const result of response.responses) {
        if (result.errorCode === TOPIC_AUTHORIZATION_FAILED) denied.push(result.resourceName);
        else if (result.errorCode !== 0 && result.errorCode !== UNKNOWN_TOPIC_OR_PARTITION) {
          other.push(`${result.resourceName}: ${itemErrorText(result.errorCode, result.errorMessage)}`);
        }
      }
    }
    if (denied.length > 0) {
      return failed(
        TARGET,
        check,
        `ALTER_CONFIGS denied on ${plural(denied.length, 'topic')}: ${examples(denied)} (IncrementalAlterConfigs, validateOnly)`,
        'grant ALTER_CONFIGS on these topics',
      );
    }
    if (other.length > 0) {
      return failed(TARGET, check, other.slice(0, 3).join('; '), 'see the broker log for the reason');
    }
    return ok(TARGET, check, `IncrementalAlterConfigs (validateOnly) allowed on ${plural(topics.length, 'topic')}`);
  } catch (error) {
    return failed(TARGET, check, messageOf(error), 'grant ALTER_CONFIGS on the declared topics');
  }
}

/** CreateTopics with validateOnly (broker-default partitions and replicas): nothing is created. */
async function createTopics(session: KafkaSession, topics: string[], sample: string): Promise<DoctorCheck> {
  const check = 'create topics';
  try {
    const denied: string[] = [];
    const other: string[] = [];
    for (const names of chunk(topics, 100)) {
      const response = await callApi(
        session,
        createTopicsV7.api,
        [
          names.map((name) => ({ name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] })),
          session.timeoutMs,
          true,
        ],
        'validating topic creation',
        { retry: false },
      );
      for (const topic of response.topics) {
        if (topic.errorCode === TOPIC_AUTHORIZATION_FAILED) denied.push(topic.name);
        else if (topic.errorCode !== 0 && topic.errorCode !== TOPIC_ALREADY_EXISTS) {
          other.push(`"${topic.name}": ${itemErrorText(topic.errorCode, topic.errorMessage)}`);
        }
      }
    }
    const what = topics.length === 1 && topics[0] === PROBE_TOPIC ? 'a probe topic' : plural(topics.length, 'topic');
    if (denied.length > 0) {
      return failed(
        TARGET,
        check,
        `CREATE denied for ${plural(denied.length, 'topic')}: ${examples(denied)} (CreateTopics, validateOnly)${sample}`,
        'grant CREATE on the cluster, or on the topics (a prefixed ACL: kafka-acls --add --allow-principal User:NAME --operation Create --topic PREFIX --resource-pattern-type prefixed)',
      );
    }
    if (other.length > 0) {
      return failed(TARGET, check, other.slice(0, 3).join('; '), 'see the broker message: the topic would be refused');
    }
    return ok(TARGET, check, `CreateTopics (validateOnly) allowed for ${what}${sample}`);
  } catch (error) {
    return failed(TARGET, check, messageOf(error), 'grant CREATE on the cluster or the topics');
  }
}
