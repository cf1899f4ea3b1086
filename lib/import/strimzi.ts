import { positiveInt, QUOTA_FIELDS, quotaDocument, topicDocument, unknownKeys, userDocument } from './documents.ts';
import {
  aclOperation,
  aclPatternType,
  aclPermission,
  aclResourceType,
  binding,
  grantDocuments,
  inferIntents,
  type SourceBinding,
} from './grants.ts';
import { type Cursor, parseSource, type SourceFile } from './source.ts';
import type { ImportedDocument, Importer, ImportLoss, ImportNote, ImportOptions, ImportResult } from './types.ts';

const STRIMZI_API = /^kafka\.strimzi\.io\/v1(alpha1|beta1|beta2)?$/;

/** The iterations Strimzi's User Operator creates SCRAM-SHA-512 credentials with. */
const STRIMZI_SCRAM_ITERATIONS = 4096;

/**
 * Strimzi custom resources: `KafkaTopic` (the topic is `spec.topicName`, else `metadata.name`; partitions,
 * replicas, config) and `KafkaUser` (authentication scram-sha-512 / tls / tls-external, `simple` authorization
 * ACLs, quotas). The principal is `User:NAME` for SCRAM and `User:CN=NAME` for TLS users, as the Strimzi User
 * Operator names them; a SCRAM user becomes a User with SCRAM-SHA-512 and the Operator's 4096 iterations, its
 * password a secret reference to fill in. ACLs become consumer/producer roles where those generate exactly the
 * user's bindings, otherwise Acl documents. Other kinds (Kafka, KafkaConnect, KafkaConnector, ...) are losses.
 */
export const strimziImporter: Importer = {
  tool: 'strimzi',
  reads: 'KafkaTopic and KafkaUser resources (YAML, several documents per file)',
  convert(files: readonly SourceFile[], options: ImportOptions): ImportResult {
    const documents: ImportedDocument[] = [];
    const losses: ImportLoss[] = [];
    const notes: ImportNote[] = [];
    const bindings: SourceBinding[] = [];
    const owners = new Map<string, string>();
    const clusters = new Set<string>();
    for (const file of files) {
      for (const root of parseSource(file)) {
        const resources = root.get('kind').optString() === 'List' ? root.get('items').items() : [root];
        for (const resource of resources) {
          const out = { documents, losses, notes, bindings, owners, clusters };
          convertResource(resource, out);
        }
      }
    }
    if (clusters.size > 1)
      notes.push({
        at: documents[0]?.from ?? { file: files[0]?.path ?? '', line: 1 },
        message: `resources of ${clusters.size} Strimzi clusters (${[...clusters].join(', ')}) were imported together: split them per Environment (metadata.environments)`,
      });
    const intents = inferIntents(bindings, (principal) => owners.get(principal) ?? principal);
    documents.push(...grantDocuments(bindings, intents, options.access));
    return { documents, losses, notes };
  },
};

interface Collected {
  documents: ImportedDocument[];
  losses: ImportLoss[];
  notes: ImportNote[];
  bindings: SourceBinding[];
  owners: Map<string, string>;
  clusters: Set<string>;
}

function convertResource(resource: Cursor, out: Collected): void {
  if (!resource.isMap()) resource.fail('not a Strimzi resource: expected a mapping with apiVersion and kind');
  const apiVersion = resource.get('apiVersion').optString();
  if (apiVersion === undefined || !STRIMZI_API.test(apiVersion))
    resource
      .get('apiVersion')
      .fail(
        `not a Strimzi resource: expected apiVersion kafka.strimzi.io/v1beta2 (or v1), got ${apiVersion ?? 'none'}`,
      );
  const kind = resource.get('kind').string();
  const metadata = resource.get('metadata');
  const name = metadata.get('name').string();
  unknownKeys(metadata, ['name', 'namespace', 'labels', 'annotations'], `${kind} "${name}" metadata`, out.losses);
  const labels: Record<string, string> = {};
  for (const [key, value] of metadata.get('labels').entries()) {
    if (key === 'strimzi.io/cluster') out.clusters.add(value.string());
    else if (!key.startsWith('strimzi.io/')) labels[key] = value.string();
  }
  for (const [key, value] of metadata.get('annotations').entries())
    out.losses.push({ at: value.at, construct: `${kind} "${name}" annotation "${key}"`, reason: 'not converted' });
  if (kind === 'KafkaTopic') convertTopic(name, resource, labels, out);
  else if (kind === 'KafkaUser') convertUser(name, resource, out);
  else
    out.losses.push({
      at: resource.get('kind').at,
      construct: `${kind} "${name}"`,
      reason: 'only KafkaTopic and KafkaUser are converted',
    });
}

function convertTopic(name: string, resource: Cursor, labels: Record<string, string>, out: Collected): void {
  const spec = resource.get('spec');
  unknownKeys(spec, ['topicName', 'partitions', 'replicas', 'config'], `KafkaTopic "${name}" spec field`, out.losses);
  const topic = spec.get('topicName').optString() ?? name;
  const partitions = positiveInt(spec.get('partitions'));
  // No replicas: the broker's default.replication.factor, which Landscape can say too.
  const replicas = positiveInt(spec.get('replicas')) ?? 'default';
  if (partitions === undefined) {
    out.losses.push({
      at: spec.at,
      construct: `KafkaTopic "${name}"`,
      reason:
        "spec.partitions is not set (the broker's default applies): a Topic needs the number; add it and import again",
    });
    return;
  }
  const config = spec.get('config');
  out.documents.push(
    topicDocument(
      topic,
      { partitions, replicationFactor: replicas, config: config.stringMap() },
      config,
      resource.at,
      out.losses,
      Object.keys(labels).length > 0 ? labels : undefined,
    ),
  );
}

function convertUser(name: string, resource: Cursor, out: Collected): void {
  const spec = resource.get('spec');
  unknownKeys(
    spec,
    ['authentication', 'authorization', 'quotas', 'template'],
    `KafkaUser "${name}" spec field`,
    out.losses,
  );
  if (spec.get('template').present)
    out.losses.push({
      at: spec.get('template').at,
      construct: `KafkaUser "${name}" template`,
      reason: 'the labels and annotations of the Secret Strimzi creates: not converted',
    });
  const authentication = spec.get('authentication');
  unknownKeys(authentication, ['type', 'password'], `KafkaUser "${name}" authentication field`, out.losses);
  const type = authentication.get('type').optString();
  const tls = type === 'tls' || type === 'tls-external';
  const principal = tls ? `User:CN=${name}` : `User:${name}`;
  out.owners.set(principal, name);
  if (type === 'scram-sha-512') {
    const secret = authentication.get('password').get('valueFrom').get('secretKeyRef');
    const where = secret.present
      ? `Kubernetes Secret "${secret.get('name').optString()}" key "${secret.get('key').optString()}"`
      : `the Kubernetes Secret "${name}" the User Operator generated`;
    out.documents.push(
      userDocument(
        name,
        [{ mechanism: 'SCRAM-SHA-512', iterations: STRIMZI_SCRAM_ITERATIONS }],
        resource.at,
        out.notes,
        where,
      ),
    );
  } else if (tls) {
    out.losses.push({
      at: authentication.at,
      construct: `KafkaUser "${name}" authentication ${type}`,
      reason:
        type === 'tls'
          ? 'the certificate is issued by the Strimzi clients CA: not converted (its ACLs and quotas are, for "User:CN=NAME")'
          : 'the certificate comes from outside Strimzi: nothing to convert (its ACLs and quotas are, for "User:CN=NAME")',
    });
  } else if (type !== undefined) {
    authentication
      .get('type')
      .fail(`unknown authentication type "${type}" (expected scram-sha-512, tls or tls-external)`);
  }

  const authorization = spec.get('authorization');
  if (authorization.present) {
    const authType = authorization.get('type').string();
    if (authType !== 'simple') {
      out.losses.push({
        at: authorization.at,
        construct: `KafkaUser "${name}" authorization ${authType}`,
        reason: 'only simple (Kafka ACL) authorization is converted',
      });
    } else {
      for (const acl of authorization.get('acls').items()) convertAcl(name, principal, acl, out);
    }
  }

  const quotas = spec.get('quotas');
  if (quotas.present) {
    const values: Record<string, number> = {};
    for (const [key, value] of quotas.entries()) {
      const field = QUOTA_FIELDS[key];
      const number = value.optNumber();
      if (field === undefined || number === undefined) {
        out.losses.push({ at: value.at, construct: `KafkaUser "${name}" quota "${key}"`, reason: 'not converted' });
        continue;
      }
      values[field] = number;
    }
    if (Object.keys(values).length > 0)
      out.documents.push(quotaDocument({ user: tls ? `CN=${name}` : name }, values, quotas.at));
  }
}

function convertAcl(user: string, principal: string, acl: Cursor, out: Collected): void {
  unknownKeys(
    acl,
    ['resource', 'operations', 'operation', 'host', 'type'],
    `KafkaUser "${user}" ACL field`,
    out.losses,
  );
  const resource = acl.get('resource');
  unknownKeys(resource, ['type', 'name', 'patternType'], `KafkaUser "${user}" ACL resource field`, out.losses);
  const resourceType = aclResourceType(resource.get('type'));
  const resourceName = resourceType === 'cluster' ? 'kafka-cluster' : resource.get('name').string();
  const patternType = resourceType === 'cluster' ? 'literal' : aclPatternType(resource.get('patternType'), 'literal');
  const operations = acl.get('operations').present ? acl.get('operations').items() : [acl.get('operation')];
  for (const operation of operations) {
    out.bindings.push(
      binding(principal, resourceType, resourceName, aclOperation(operation), acl.at, {
        patternType,
        host: acl.get('host').optString() ?? '*',
        permission: aclPermission(acl.get('type'), 'allow'),
      }),
    );
  }
}
