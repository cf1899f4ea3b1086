import { positiveInt, topicDocument, unknownKeys } from './documents.ts';
import { type AccessIntent, binding, grantDocuments, producerIntent, type SourceBinding } from './grants.ts';
import { type Cursor, parseSource, type SourceFile, type SourceLine } from './source.ts';
import type { ImportedDocument, Importer, ImportLoss, ImportNote, ImportOptions, ImportResult } from './types.ts';

interface Plan {
  config: Record<string, string>;
  at: SourceLine;
  users: number;
}

interface Collected {
  documents: ImportedDocument[];
  losses: ImportLoss[];
  notes: ImportNote[];
  bindings: SourceBinding[];
  intents: AccessIntent[];
  plans: Map<string, Plan>;
  /** Topics that use a plan, with their own config: trimmed to it when the plan becomes TopicDefaults. */
  planTopics: { document: ImportedDocument; plan: Plan; own: Record<string, string> }[];
}

/** JulieOps's resource pattern rule: a name ending in "*" (and longer than it) is a prefix without the star. */
function pattern(name: string): { name: string; patternType: 'literal' | 'prefixed' } {
  return name.length > 1 && name.endsWith('*')
    ? { name: name.slice(0, -1), patternType: 'prefixed' }
    : { name, patternType: 'literal' };
}

/**
 * JulieOps topology descriptors and plans files. Topic names follow JulieOps's default format:
 * `context`, then the descriptor's other top-level attributes in order (company, env, source, ...), the
 * project, the topic and its `dataType`, joined with ".". A topic's `plan` contributes the plan's config (the
 * topic's own config wins); a plan used by several topics becomes a TopicDefaults matched by the label
 * `plan: NAME`. The bindings are JulieOps's (its ACL bindings builder, non-optimised ACLs, the default
 * configuration): a consumer (project or topic level) gets DESCRIBE and READ on each topic and READ on its
 * group (default "*"; a name ending in "*" is a prefix); a producer DESCRIBE and WRITE, DESCRIBE and WRITE on
 * its transactional id, and IDEMPOTENT_WRITE on the cluster when it has `idempotence` or a transaction id; a
 * streams app READ/WRITE on its topics, ALL on topics and READ on groups prefixed by its applicationId (else the
 * project prefix), and with exactlyOnce WRITE and DESCRIBE on transactional ids with that prefix; a Connect
 * principal READ and WRITE on its status, offset and configs topics (default connect-status, connect-offsets,
 * connect-configs), CREATE on the cluster, READ on its group (default connect-cluster) and READ/WRITE on its
 * topics. The streams app and the Connect principal become the roles with `aclStyle: julieops`, which generate
 * exactly these sets (ADR 0043).
 */
export const julieOpsImporter: Importer = {
  tool: 'julieops',
  reads: 'topology descriptors and plans files',
  convert(files: readonly SourceFile[], options: ImportOptions): ImportResult {
    const out: Collected = {
      documents: [],
      losses: [],
      notes: [],
      bindings: [],
      intents: [],
      plans: new Map(),
      planTopics: [],
    };
    const topologies: Cursor[] = [];
    for (const file of files) {
      for (const root of parseSource(file)) {
        if (!root.isMap()) root.fail('not a JulieOps descriptor or plans file: expected a mapping');
        if (root.get('plans').present && !root.get('context').present) readPlans(root, out);
        else if (root.get('context').present) topologies.push(root);
        else root.fail('not a JulieOps descriptor (no "context") or plans file (no "plans")');
      }
    }
    for (const topology of topologies) convertTopology(topology, out);
    for (const { document, plan, own } of out.planTopics) {
      if (plan.users < 2) continue;
      const config = Object.fromEntries(
        Object.entries(own).filter(([key]) => key !== 'num.partitions' && key !== 'replication.factor'),
      );
      const { config: _all, ...rest } = document.spec;
      document.spec = Object.keys(config).length > 0 ? { ...rest, config } : rest;
    }
    for (const [name, plan] of out.plans) {
      if (plan.users < 2) continue;
      out.documents.unshift({
        file: 'topic-defaults.yaml',
        kind: 'TopicDefaults',
        name: `plan-${name}`,
        spec: { match: { labels: { plan: name } }, config: plan.config },
        from: plan.at,
      });
    }
    out.documents.push(...grantDocuments(out.bindings, out.intents, options.access));
    return { documents: out.documents, losses: out.losses, notes: out.notes };
  },
};

function readPlans(root: Cursor, out: Collected): void {
  unknownKeys(root, ['plans'], 'plans file key', out.losses);
  for (const [name, plan] of root.get('plans').entries()) {
    unknownKeys(plan, ['alias', 'config'], `plan "${name}" field`, out.losses);
    out.plans.set(name, { config: plan.get('config').stringMap(), at: plan.at, users: 0 });
  }
}

function convertTopology(root: Cursor, out: Collected): void {
  const attributes: string[] = [root.get('context').string()];
  for (const [key, value] of root.entries()) {
    if (key === 'context' || key === 'projects') continue;
    if (value.isMap() || value.isSeq()) {
      out.losses.push({
        at: value.at,
        construct: `"${key}"`,
        reason:
          key === 'platform'
            ? 'platform principals (schema registry, control center, ksqlDB server): not converted'
            : 'not converted',
      });
      continue;
    }
    attributes.push(value.string());
  }
  for (const project of root.get('projects').items()) convertProject(attributes, project, out);
}

function convertProject(attributes: readonly string[], project: Cursor, out: Collected): void {
  const name = project.get('name').string();
  const prefix = `${[...attributes, name].join('.')}.`;
  for (const [key, value] of project.entries()) {
    if (['name', 'topics', 'consumers', 'producers', 'streams', 'connectors'].includes(key)) continue;
    const what: Record<string, string> = {
      schemas: 'schema registry subject permissions',
      rbac: 'Confluent RBAC role bindings',
      ksql: 'ksqlDB apps',
    };
    out.losses.push({
      at: value.at,
      construct: `project "${name}" ${key}`,
      reason: `${what[key] ?? 'custom roles or unknown key'}: not converted`,
    });
  }
  const topics = project
    .get('topics')
    .items()
    .map((topic) => convertTopic(prefix, topic, out));
  const topicNames = topics.flatMap((t) => (t ? [t.name] : []));

  for (const consumer of project.get('consumers').items()) addConsumer(`${name}`, consumer, topicNames, out);
  for (const producer of project.get('producers').items()) addProducer(`${name}`, producer, topicNames, out);
  for (const topic of topics) {
    if (!topic) continue;
    for (const consumer of topic.cursor.get('consumers').items()) addConsumer(name, consumer, [topic.name], out);
    for (const producer of topic.cursor.get('producers').items()) addProducer(name, producer, [topic.name], out);
  }
  for (const streams of project.get('streams').items()) addStreams(name, prefix, streams, out);
  for (const connector of project.get('connectors').items()) addConnector(connector, out);
}

function convertTopic(prefix: string, topic: Cursor, out: Collected): { name: string; cursor: Cursor } | undefined {
  unknownKeys(
    topic,
    ['name', 'dataType', 'plan', 'config', 'consumers', 'producers', 'metadata'],
    `topic "${topic.get('name').optString()}" field`,
    out.losses,
  );
  const dataType = topic.get('dataType').optString();
  const name = `${prefix}${topic.get('name').string()}${dataType ? `.${dataType}` : ''}`;
  const config = topic.get('config');
  const own = config.stringMap();
  const planName = topic.get('plan').optString();
  const plan = planName === undefined ? undefined : out.plans.get(planName);
  if (planName !== undefined && plan === undefined)
    topic.get('plan').fail(`plan "${planName}" is not in any plans file given (pass the plans file as a SOURCE too)`);
  if (plan) plan.users += 1;
  const partitions = positiveInt(config.get('num.partitions'));
  if (partitions === undefined) {
    out.losses.push({
      at: topic.at,
      construct: `topic "${name}"`,
      reason:
        "num.partitions is not set (the broker's default applies): a Topic needs the number; add it and import again",
    });
    return undefined;
  }
  const replicationFactor = positiveInt(config.get('replication.factor')) ?? 'default';
  const topicConfig: Record<string, string> = { ...(plan?.config ?? {}), ...own };
  delete topicConfig['num.partitions'];
  delete topicConfig['replication.factor'];
  const labels: Record<string, string> = {};
  if (planName) labels.plan = planName;
  for (const [key, value] of topic.get('metadata').entries()) {
    const text = value.optString();
    if (text !== undefined && !value.isMap() && !value.isSeq()) labels[key] = text;
    else
      out.losses.push({
        at: value.at,
        construct: `topic "${name}" metadata "${key}"`,
        reason: 'not a single value: not converted',
      });
  }
  const document = topicDocument(
    name,
    { partitions, replicationFactor, config: topicConfig },
    config,
    topic.at,
    out.losses,
    Object.keys(labels).length > 0 ? labels : undefined,
  );
  // A plan shared by several topics is written once as TopicDefaults (see convert) and the topic keeps only its
  // own keys: decided once every topic is read.
  if (plan) out.planTopics.push({ document, plan, own });
  out.documents.push(document);
  return { name, cursor: topic };
}

function addConsumer(project: string, consumer: Cursor, topics: readonly string[], out: Collected): void {
  unknownKeys(consumer, ['principal', 'group', 'metadata'], 'consumer field', out.losses);
  const principal = consumer.get('principal').string();
  const group = pattern(consumer.get('group').optString() ?? '*');
  const at = consumer.at;
  for (const topic of topics) {
    out.bindings.push(binding(principal, 'topic', topic, 'describe', at));
    out.bindings.push(binding(principal, 'topic', topic, 'read', at));
  }
  out.bindings.push(binding(principal, 'group', group.name, 'read', at, { patternType: group.patternType }));
  out.intents.push({
    owner: `${project}-${principal.replace(/^User:/, '')}`,
    principal,
    role: 'consumer',
    entry: {
      topics,
      ...(group.patternType === 'prefixed' ? { groupPrefix: group.name } : { group: group.name }),
    },
    from: at,
  });
}

function addProducer(project: string, producer: Cursor, topics: readonly string[], out: Collected): void {
  unknownKeys(producer, ['principal', 'transactionId', 'idempotence', 'metadata'], 'producer field', out.losses);
  const principal = producer.get('principal').string();
  const at = producer.at;
  for (const topic of topics) {
    out.bindings.push(binding(principal, 'topic', topic, 'describe', at));
    out.bindings.push(binding(principal, 'topic', topic, 'write', at));
  }
  const transactionId = producer.get('transactionId').optString();
  const idempotence = producer.get('idempotence').present;
  const transactional = transactionId === undefined ? undefined : pattern(transactionId);
  if (transactional)
    for (const operation of ['describe', 'write'] as const)
      out.bindings.push(
        binding(principal, 'transactionalId', transactional.name, operation, at, {
          patternType: transactional.patternType,
        }),
      );
  if (transactional || idempotence) out.bindings.push(binding(principal, 'cluster', '', 'idempotentWrite', at));
  const entry: Record<string, unknown> = {
    topics,
    ...(transactional
      ? transactional.patternType === 'prefixed'
        ? { transactionalIdPrefixes: [transactional.name] }
        : { transactionalIds: [transactional.name] }
      : {}),
  };
  out.intents.push(producerIntent(`${project}-${principal.replace(/^User:/, '')}`, principal, entry, at));
}

function addStreams(project: string, prefix: string, streams: Cursor, out: Collected): void {
  unknownKeys(
    streams,
    ['principal', 'applicationId', 'topics', 'exactlyOnce', 'metadata'],
    'streams field',
    out.losses,
  );
  const principal = streams.get('principal').string();
  const at = streams.at;
  const applicationId = streams.get('applicationId').optString() ?? prefix;
  const read = streams.get('topics').get('read').strings();
  const write = streams.get('topics').get('write').strings();
  for (const topic of read) out.bindings.push(binding(principal, 'topic', topic, 'read', at));
  for (const topic of write) out.bindings.push(binding(principal, 'topic', topic, 'write', at));
  out.bindings.push(binding(principal, 'topic', applicationId, 'all', at, { patternType: 'prefixed' }));
  out.bindings.push(binding(principal, 'group', applicationId, 'read', at, { patternType: 'prefixed' }));
  const exactlyOnce = streams.get('exactlyOnce').optBoolean() ?? false;
  if (exactlyOnce)
    for (const operation of ['write', 'describe'] as const)
      out.bindings.push(
        binding(principal, 'transactionalId', applicationId, operation, at, { patternType: 'prefixed' }),
      );
  out.intents.push({
    owner: `${project}-${principal.replace(/^User:/, '')}`,
    principal,
    role: 'streams',
    entry: {
      applicationId,
      inputs: read,
      outputs: write,
      ...(exactlyOnce ? { exactlyOnce: true } : {}),
      aclStyle: 'julieops',
    },
    from: at,
  });
}

function addConnector(connector: Cursor, out: Collected): void {
  unknownKeys(
    connector,
    [
      'principal',
      'topics',
      'group',
      'status_topic',
      'offset_topic',
      'configs_topic',
      'connectors',
      'metadata',
      'cluster_id',
    ],
    'connector field',
    out.losses,
  );
  const principal = connector.get('principal').string();
  const at = connector.at;
  const statusTopic = connector.get('status_topic').optString() ?? 'connect-status';
  const offsetTopic = connector.get('offset_topic').optString() ?? 'connect-offsets';
  const configTopic = connector.get('configs_topic').optString() ?? 'connect-configs';
  const group = connector.get('group').optString() ?? 'connect-cluster';
  for (const topic of [statusTopic, offsetTopic, configTopic])
    for (const operation of ['read', 'write'] as const)
      out.bindings.push(binding(principal, 'topic', topic, operation, at));
  out.bindings.push(binding(principal, 'cluster', '', 'create', at));
  out.bindings.push(binding(principal, 'group', group, 'read', at));
  const reads = connector.get('topics').get('read').strings();
  const writes = connector.get('topics').get('write').strings();
  for (const topic of reads) out.bindings.push(binding(principal, 'topic', topic, 'read', at));
  for (const topic of writes) out.bindings.push(binding(principal, 'topic', topic, 'write', at));
  // The role's connector topics are read and written; a topic only read or only written stays a raw ACL.
  const both = reads.filter((topic) => writes.includes(topic));
  out.intents.push({
    owner: principal.replace(/^User:/, ''),
    principal,
    role: 'connectWorker',
    entry: {
      group,
      configTopic,
      offsetTopic,
      statusTopic,
      ...(both.length > 0 ? { topics: both } : {}),
      aclStyle: 'julieops',
    },
    from: at,
  });
  if (connector.get('connectors').present)
    out.losses.push({
      at: connector.get('connectors').at,
      construct: `connector principal "${principal}" connectors`,
      reason: 'Connect REST permissions (Confluent RBAC): not converted',
    });
}
