import { positiveInt, topicDocument, unknownKeys } from './documents.ts';
import {
  type AccessIntent,
  aclOperation,
  aclPatternType,
  aclPermission,
  aclResourceType,
  binding,
  grantDocuments,
  producerIntent,
  type SourceBinding,
} from './grants.ts';
import { type Cursor, parseSource, type SourceFile } from './source.ts';
import type { ImportedDocument, Importer, ImportLoss, ImportNote, ImportOptions, ImportResult } from './types.ts';

const TOP_LEVEL = ['settings', 'topics', 'services', 'users', 'customServiceAcls', 'customUserAcls'];

/**
 * kafka-gitops desired state files (`state.yaml`): topics, services (application, kafka-streams, kafka-connect)
 * with the ACLs kafka-gitops generates for them, users with the predefined roles, and custom ACLs.
 *
 * The bindings are the ones kafka-gitops applies (its services and roles documentation): an application gets
 * READ on what it consumes, WRITE on what it produces, READ on its consumer group (`group-id`, default the
 * service name) when it consumes; with `settings.services.acls.describeTopicEnabled` also DESCRIBE on every
 * topic it names. A streams app also gets, on its `application-id` (default the service name) as a prefix:
 * READ, WRITE, DESCRIBE, DELETE, CREATE, ALTER, ALTER_CONFIGS, DESCRIBE_CONFIGS on topics and READ, DESCRIBE,
 * DELETE on groups, and DESCRIBE_CONFIGS on the cluster. A Connect worker gets READ and WRITE on its three
 * storage topics (default `connect-configs-NAME`, `connect-offsets-NAME`, `connect-status-NAME`), READ on its
 * group, WRITE on what it produces; each connector READ/WRITE on its topics and READ on `connect-CONNECTOR`
 * when it consumes. Roles: reader = READ on topic `*` and group `*`; writer = WRITE on topic `*`; operator =
 * DESCRIBE on the cluster, DESCRIBE and DESCRIBE_CONFIGS on topic `*`, READ and DESCRIBE on group `*`.
 * Streams apps and Connect workers become the roles with `aclStyle: kafka-gitops`, which generate exactly
 * these sets (ADR 0043).
 */
export const kafkaGitopsImporter: Importer = {
  tool: 'kafka-gitops',
  reads: 'desired state files (state.yaml)',
  convert(files: readonly SourceFile[], options: ImportOptions): ImportResult {
    const documents: ImportedDocument[] = [];
    const losses: ImportLoss[] = [];
    const notes: ImportNote[] = [];
    const bindings: SourceBinding[] = [];
    const intents: AccessIntent[] = [];
    for (const file of files) {
      for (const root of parseSource(file)) {
        convertState(root, { documents, losses, notes, bindings, intents });
      }
    }
    documents.push(...grantDocuments(bindings, intents, options.access));
    return { documents, losses, notes };
  },
};

interface Collected {
  documents: ImportedDocument[];
  losses: ImportLoss[];
  notes: ImportNote[];
  bindings: SourceBinding[];
  intents: AccessIntent[];
}

function convertState(root: Cursor, out: Collected): void {
  if (!root.isMap()) root.fail('not a kafka-gitops state file: expected a mapping with topics, services, users');
  for (const [key, value] of root.entries()) {
    if (!TOP_LEVEL.includes(key))
      value.fail(`not a kafka-gitops state file: unexpected key "${key}" (expected ${TOP_LEVEL.join(', ')})`);
  }
  const settings = root.get('settings');
  const ccloud =
    settings.get('ccloud').get('enabled').optBoolean() ?? settings.get('confluent').get('enabled').optBoolean();
  if (ccloud) {
    out.losses.push({
      at: settings.get('ccloud').present ? settings.get('ccloud').at : settings.get('confluent').at,
      construct: 'Confluent Cloud mode',
      reason:
        'kafka-gitops resolves service accounts at apply time; principals without a "principal" field are not converted',
    });
  }
  const defaultReplication = positiveInt(settings.get('topics').get('defaults').get('replication'));
  const describeTopics = settings.get('services').get('acls').get('describeTopicEnabled').optBoolean() ?? false;
  for (const [key, value] of settings.entries()) {
    if (key === 'topics') {
      unknownKeys(value, ['defaults', 'blacklist'], 'settings.topics', out.losses);
      unknownKeys(value.get('defaults'), ['replication'], 'settings.topics.defaults', out.losses);
      if (value.get('blacklist').present)
        out.notes.push({
          at: value.get('blacklist').at,
          message: 'topics.blacklist is not needed: Landscape never deletes a topic it did not create',
        });
    } else if (key === 'services') {
      unknownKeys(value, ['acls'], 'settings.services', out.losses);
      unknownKeys(value.get('acls'), ['describeTopicEnabled'], 'settings.services.acls', out.losses);
    } else if (key === 'files') {
      out.losses.push({
        at: value.at,
        construct: 'settings.files',
        reason:
          'the import reads only the files it is given: pass the services, topics and users files as further SOURCEs',
      });
    } else if (key !== 'ccloud' && key !== 'confluent') {
      out.losses.push({
        at: value.at,
        construct: `settings.${key}`,
        reason: 'not converted (no Landscape equivalent)',
      });
    }
  }

  // kafka-gitops's default replication applies to every topic of the state file: one TopicDefaults matching
  // every name says it once, and a topic keeps its own `replication` only where it differs.
  if (defaultReplication !== undefined && root.get('topics').entries().length > 0) {
    out.documents.push({
      file: 'topic-defaults.yaml',
      kind: 'TopicDefaults',
      name: 'kafka-gitops-defaults',
      spec: { match: { namePattern: '.*' }, replicationFactor: defaultReplication },
      from: settings.get('topics').get('defaults').at,
    });
  }
  for (const [name, topic] of root.get('topics').entries()) {
    unknownKeys(topic, ['partitions', 'replication', 'configs'], `topic "${name}" field`, out.losses);
    const partitions = positiveInt(topic.get('partitions')) ?? topic.get('partitions').fail('is required');
    const own = positiveInt(topic.get('replication'));
    if (own === undefined && defaultReplication === undefined)
      topic.get('replication').fail('is required (or settings.topics.defaults.replication)');
    const replicationFactor = own === defaultReplication ? undefined : own;
    const configs = topic.get('configs');
    out.documents.push(
      topicDocument(
        name,
        { partitions, replicationFactor, config: configs.stringMap() },
        configs,
        topic.at,
        out.losses,
      ),
    );
  }

  const principals = new Map<string, string | undefined>();
  for (const [name, service] of root.get('services').entries()) {
    const principal = service.get('principal').optString();
    principals.set(name, principal);
    if (principal === undefined) {
      out.losses.push({
        at: service.at,
        construct: `service "${name}"`,
        reason: 'has no principal (Confluent Cloud service account): its ACLs are not converted',
      });
      continue;
    }
    convertService(name, service, principal, describeTopics, out);
  }

  for (const [name, user] of root.get('users').entries()) {
    unknownKeys(user, ['principal', 'roles'], `user "${name}" field`, out.losses);
    const principal = user.get('principal').optString();
    principals.set(name, principal);
    if (principal === undefined) {
      out.losses.push({ at: user.at, construct: `user "${name}"`, reason: 'has no principal: not converted' });
      continue;
    }
    for (const role of user.get('roles').items()) convertRole(name, principal, role, out);
  }

  for (const [section, kind] of [
    ['customServiceAcls', 'service'],
    ['customUserAcls', 'user'],
  ] as const) {
    for (const [owner, acls] of root.get(section).entries()) {
      for (const [aclName, acl] of acls.entries()) {
        const principal = acl.get('principal').optString() ?? (kind === 'user' ? principals.get(owner) : undefined);
        if (principal === undefined) {
          out.losses.push({
            at: acl.at,
            construct: `custom ACL "${aclName}" of ${kind} "${owner}"`,
            reason: 'has no principal: not converted',
          });
          continue;
        }
        unknownKeys(
          acl,
          ['name', 'type', 'pattern', 'host', 'principal', 'operation', 'permission'],
          `custom ACL "${aclName}" field`,
          out.losses,
        );
        out.bindings.push(
          binding(
            principal,
            aclResourceType(acl.get('type')),
            acl.get('name').string(),
            aclOperation(acl.get('operation')),
            acl.at,
            {
              patternType: aclPatternType(acl.get('pattern')),
              host: acl.get('host').optString() ?? '*',
              permission: aclPermission(acl.get('permission')),
            },
          ),
        );
      }
    }
  }
}

function convertService(
  name: string,
  service: Cursor,
  principal: string,
  describeTopics: boolean,
  out: Collected,
): void {
  const type = service.get('type').string();
  const at = service.at;
  const produces = service.get('produces').strings();
  const consumes = service.get('consumes').strings();
  const add = (b: SourceBinding) => out.bindings.push(b);
  const describe = (topics: readonly string[]) => {
    if (describeTopics) for (const topic of new Set(topics)) add(binding(principal, 'topic', topic, 'describe', at));
  };
  const intent = (role: AccessIntent['role'], entry: Record<string, unknown>) =>
    out.intents.push({ owner: name, principal, role, entry, from: at });
  // Both kinds of service write what they produce and read what they consume; `idKey` names their group / app id.
  const topicGrants = (idKey: 'group-id' | 'application-id') => {
    unknownKeys(service, ['type', 'principal', idKey, 'produces', 'consumes'], `service "${name}" field`, out.losses);
    for (const topic of produces) add(binding(principal, 'topic', topic, 'write', at));
    for (const topic of consumes) add(binding(principal, 'topic', topic, 'read', at));
    describe([...consumes, ...produces]);
    return service.get(idKey).optString() ?? name;
  };
  if (type === 'application') {
    const group = topicGrants('group-id');
    if (consumes.length > 0) {
      add(binding(principal, 'group', group, 'read', at));
      intent('consumer', { topics: consumes, group });
    }
    if (produces.length > 0) out.intents.push(producerIntent(name, principal, { topics: produces }, at));
    return;
  }
  if (type === 'kafka-streams') {
    const applicationId = topicGrants('application-id');
    for (const operation of [
      'read',
      'write',
      'describe',
      'delete',
      'create',
      'alter',
      'alterConfigs',
      'describeConfigs',
    ] as const)
      add(binding(principal, 'topic', applicationId, operation, at, { patternType: 'prefixed' }));
    for (const operation of ['read', 'describe', 'delete'] as const)
      add(binding(principal, 'group', applicationId, operation, at));
    add(binding(principal, 'cluster', '', 'describeConfigs', at));
    // Without describeTopicEnabled kafka-gitops grants no DESCRIBE on the inputs and outputs, which the streams
    // role does: then the role covers only the internal grants and the topics stay raw ACLs.
    out.intents.push({
      owner: name,
      principal,
      role: 'streams',
      entry: { applicationId, inputs: consumes, outputs: produces, aclStyle: 'kafka-gitops' },
      alternatives: [{ applicationId, aclStyle: 'kafka-gitops' }],
      from: at,
    });
    // Sources that grant what neither spelling generates still get a consumer and a producer where they fit.
    if (consumes.length > 0) intent('consumer', { topics: consumes, group: applicationId });
    if (produces.length > 0) out.intents.push(producerIntent(name, principal, { topics: produces }, at));
    return;
  }
  if (type === 'kafka-connect') {
    unknownKeys(
      service,
      ['type', 'principal', 'group-id', 'storage-topics', 'produces', 'connectors'],
      `service "${name}" field`,
      out.losses,
    );
    const group = service.get('group-id').optString() ?? name;
    const storage = service.get('storage-topics');
    const configTopic = storage.get('config').optString() ?? `connect-configs-${name}`;
    const offsetTopic = storage.get('offset').optString() ?? `connect-offsets-${name}`;
    const statusTopic = storage.get('status').optString() ?? `connect-status-${name}`;
    for (const topic of produces) add(binding(principal, 'topic', topic, 'write', at));
    if (describeTopics) for (const topic of produces) add(binding(principal, 'topic', topic, 'describe', at));
    for (const topic of [configTopic, offsetTopic, statusTopic]) {
      add(binding(principal, 'topic', topic, 'read', at));
      add(binding(principal, 'topic', topic, 'write', at));
    }
    add(binding(principal, 'group', group, 'read', at));
    intent('connectWorker', { group, configTopic, offsetTopic, statusTopic, aclStyle: 'kafka-gitops' });
    if (produces.length > 0) out.intents.push(producerIntent(name, principal, { topics: produces }, at));
    for (const [connectorName, connector] of service.get('connectors').entries()) {
      unknownKeys(connector, ['produces', 'consumes'], `connector "${connectorName}" field`, out.losses);
      const from = connector.at;
      const cProduces = connector.get('produces').strings();
      const cConsumes = connector.get('consumes').strings();
      for (const topic of cProduces) add(binding(principal, 'topic', topic, 'write', from));
      for (const topic of cConsumes) add(binding(principal, 'topic', topic, 'read', from));
      if (describeTopics)
        for (const topic of new Set([...cConsumes, ...cProduces]))
          add(binding(principal, 'topic', topic, 'describe', from));
      if (cConsumes.length > 0) {
        add(binding(principal, 'group', `connect-${connectorName}`, 'read', from));
        out.intents.push({
          owner: name,
          principal,
          role: 'consumer',
          entry: { topics: cConsumes, group: `connect-${connectorName}` },
          from,
        });
      }
      if (cProduces.length > 0) out.intents.push(producerIntent(name, principal, { topics: cProduces }, from));
    }
    return;
  }
  out.losses.push({
    at: service.get('type').at,
    construct: `service "${name}" of type "${type}"`,
    reason: 'kafka-gitops knows application, kafka-streams and kafka-connect; not converted',
  });
}

function convertRole(user: string, principal: string, role: Cursor, out: Collected): void {
  const at = role.at;
  const add = (b: SourceBinding) => out.bindings.push(b);
  switch (role.string().toLowerCase()) {
    case 'reader':
      add(binding(principal, 'topic', '*', 'read', at));
      add(binding(principal, 'group', '*', 'read', at));
      out.intents.push({ owner: user, principal, role: 'consumer', entry: { topics: ['*'], group: '*' }, from: at });
      return;
    case 'writer':
      add(binding(principal, 'topic', '*', 'write', at));
      out.intents.push(producerIntent(user, principal, { topics: ['*'] }, at));
      return;
    case 'operator':
      add(binding(principal, 'cluster', '', 'describe', at));
      add(binding(principal, 'topic', '*', 'describe', at));
      add(binding(principal, 'topic', '*', 'describeConfigs', at));
      add(binding(principal, 'group', '*', 'read', at));
      add(binding(principal, 'group', '*', 'describe', at));
      return;
    default:
      role.fail(`unknown kafka-gitops role "${role.string()}" (expected reader, writer or operator)`);
  }
}
