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

const JIKKOU_API = /^(kafka|core)\.jikkou\.io\/v\d+(alpha\d+|beta\d+)?$/;

/** The iterations Jikkou creates SCRAM credentials with when a KafkaUser does not say. */
const JIKKOU_SCRAM_ITERATIONS = 8192;

interface Collected {
  documents: ImportedDocument[];
  losses: ImportLoss[];
  notes: ImportNote[];
  bindings: SourceBinding[];
  configMaps: Map<string, Record<string, string>>;
  roles: Map<string, Cursor>;
}

/**
 * Jikkou resources: `KafkaTopic` / `KafkaTopicList` (partitions, replicas, configs, configMapRefs to a
 * `ConfigMap`; -1 replicas = the broker's default), `KafkaPrincipalAuthorization` (its ACLs and those of the
 * `KafkaPrincipalRole`s it names, for the principal in metadata.name), `KafkaClientQuota` / `KafkaClientQuotaList`
 * (USER, USER_CLIENT, USER_ALL_CLIENTS, CLIENT, USERS_DEFAULT, CLIENTS_DEFAULT) and `KafkaUser` (SCRAM
 * authentications, Jikkou's 8192 iterations by default; the password is never copied). ACLs become
 * consumer/producer roles where a role generates exactly them; MATCH patterns (resolved by Jikkou against live
 * names at apply time) and USER resources are losses.
 */
export const jikkouImporter: Importer = {
  tool: 'jikkou',
  reads: 'resources (kafka.jikkou.io)',
  convert(files: readonly SourceFile[], options: ImportOptions): ImportResult {
    const out: Collected = {
      documents: [],
      losses: [],
      notes: [],
      bindings: [],
      configMaps: new Map(),
      roles: new Map(),
    };
    const resources: { resource: Cursor; listKind?: string }[] = [];
    for (const file of files) {
      for (const root of parseSource(file)) {
        if (!root.isMap()) root.fail('not a Jikkou resource: expected a mapping with apiVersion and kind');
        const apiVersion = root.get('apiVersion').optString();
        if (apiVersion === undefined || !JIKKOU_API.test(apiVersion))
          root
            .get('apiVersion')
            .fail(
              `not a Jikkou resource: expected apiVersion kafka.jikkou.io/v1beta2 (or core.jikkou.io), got ${apiVersion ?? 'none'}`,
            );
        const kind = root.get('kind').string();
        if (kind === 'ConfigMap')
          out.configMaps.set(root.get('metadata').get('name').string(), root.get('data').stringMap());
        else if (kind === 'KafkaPrincipalRole') out.roles.set(root.get('metadata').get('name').string(), root);
        else if (kind.endsWith('List')) {
          // Items carry no kind of their own: the list's kind without "List".
          for (const item of root.get('items').items())
            resources.push({ resource: item, listKind: kind.slice(0, -'List'.length) });
          const labels = root.get('metadata').get('labels');
          if (labels.present)
            out.losses.push({
              at: labels.at,
              construct: `${kind} labels`,
              reason: 'not converted (give each item its labels)',
            });
        } else resources.push({ resource: root });
      }
    }
    for (const { resource, listKind } of resources) convertResource(resource, listKind, out);
    const intents = inferIntents(out.bindings, (principal) => principal.replace(/^User:/, ''));
    out.documents.push(...grantDocuments(out.bindings, intents, options.access));
    return { documents: out.documents, losses: out.losses, notes: out.notes };
  },
};

function convertResource(resource: Cursor, listKind: string | undefined, out: Collected): void {
  const kind = resource.get('kind').optString() ?? listKind ?? 'item without a kind';
  const metadata = resource.get('metadata');
  const name = metadata.get('name').optString();
  // Annotations steer Jikkou itself (e.g. forcing a password renewal); labels only a topic can carry.
  for (const [key, value] of metadata.get('annotations').entries())
    out.losses.push({
      at: value.at,
      construct: `${kind} "${name ?? ''}" annotation "${key}"`,
      reason: 'not converted',
    });
  if (kind !== 'KafkaTopic')
    for (const [key, value] of metadata.get('labels').entries())
      out.losses.push({ at: value.at, construct: `${kind} "${name ?? ''}" label "${key}"`, reason: 'not converted' });
  switch (kind) {
    case 'KafkaTopic':
      convertTopic(resource, out);
      return;
    case 'KafkaPrincipalAuthorization':
      convertAuthorization(resource, out);
      return;
    case 'KafkaClientQuota':
      convertQuota(resource, out);
      return;
    case 'KafkaUser':
    case 'User':
      convertUser(resource, out);
      return;
    default:
      out.losses.push({
        at: resource.at,
        construct: `${kind}${name ? ` "${name}"` : ''}`,
        reason:
          'only KafkaTopic, KafkaPrincipalAuthorization, KafkaPrincipalRole, KafkaClientQuota, KafkaUser and ConfigMap are converted',
      });
  }
}

function convertTopic(resource: Cursor, out: Collected): void {
  const metadata = resource.get('metadata');
  const name = metadata.get('name').string();
  const spec = resource.get('spec');
  unknownKeys(
    spec,
    ['partitions', 'replicas', 'configs', 'configMapRefs'],
    `KafkaTopic "${name}" spec field`,
    out.losses,
  );
  const partitionsText = spec.get('partitions').optNumber();
  if (partitionsText === undefined || partitionsText === -1) {
    out.losses.push({
      at: spec.at,
      construct: `KafkaTopic "${name}"`,
      reason: "partitions is not set or -1 (the broker's default): a Topic needs the number; add it and import again",
    });
    return;
  }
  const partitions = positiveInt(spec.get('partitions')) as number;
  const replicas = spec.get('replicas').optNumber();
  const replicationFactor =
    replicas === undefined || replicas === -1 ? 'default' : (positiveInt(spec.get('replicas')) as number);
  const config: Record<string, string> = {};
  for (const ref of spec.get('configMapRefs').items()) {
    const data =
      out.configMaps.get(ref.string()) ??
      ref.fail(`ConfigMap "${ref.string()}" is not in any file given (pass it as a SOURCE too)`);
    Object.assign(config, data);
  }
  Object.assign(config, spec.get('configs').stringMap());
  const labels = metadata.get('labels').stringMap();
  out.documents.push(
    topicDocument(
      name,
      { partitions, replicationFactor, config },
      spec.get('configs'),
      resource.at,
      out.losses,
      Object.keys(labels).length > 0 ? labels : undefined,
    ),
  );
}

function convertAuthorization(resource: Cursor, out: Collected): void {
  const principal = resource.get('metadata').get('name').string();
  const spec = resource.get('spec');
  unknownKeys(spec, ['roles', 'acls'], `KafkaPrincipalAuthorization "${principal}" spec field`, out.losses);
  for (const acl of spec.get('acls').items()) convertAcl(principal, acl, out);
  for (const role of spec.get('roles').items()) {
    const definition =
      out.roles.get(role.string()) ??
      role.fail(`KafkaPrincipalRole "${role.string()}" is not in any file given (pass it as a SOURCE too)`);
    for (const acl of definition.get('spec').get('acls').items()) convertAcl(principal, acl, out);
  }
}

function convertAcl(principal: string, acl: Cursor, out: Collected): void {
  unknownKeys(acl, ['resource', 'type', 'operations', 'host'], `ACL of "${principal}" field`, out.losses);
  const resource = acl.get('resource');
  unknownKeys(resource, ['type', 'pattern', 'patternType'], `ACL of "${principal}" resource field`, out.losses);
  const typeText = resource.get('type').string();
  const patternText = resource.get('patternType').optString() ?? 'LITERAL';
  if (typeText.toUpperCase() === 'USER' || patternText.toUpperCase() === 'MATCH') {
    out.losses.push({
      at: acl.at,
      construct: `ACL of "${principal}" on ${typeText} "${resource.get('pattern').optString()}" (${patternText})`,
      reason:
        patternText.toUpperCase() === 'MATCH'
          ? 'a MATCH pattern is resolved by Jikkou against live names at apply time: write the names or a prefix'
          : 'USER resources (delegation tokens): not converted',
    });
    return;
  }
  const resourceType = aclResourceType(resource.get('type'));
  const resourceName = resourceType === 'cluster' ? 'kafka-cluster' : resource.get('pattern').string();
  for (const operation of acl.get('operations').items()) {
    if (['createtoken', 'describetokens'].includes(operation.string().toLowerCase().replace(/_/g, ''))) {
      out.losses.push({
        at: operation.at,
        construct: `operation ${operation.string()}`,
        reason: 'token operations: not converted',
      });
      continue;
    }
    out.bindings.push(
      binding(principal, resourceType, resourceName, aclOperation(operation), acl.at, {
        patternType: aclPatternType(resource.get('patternType'), 'literal'),
        host: acl.get('host').optString() ?? '*',
        permission: aclPermission(acl.get('type'), 'allow'),
      }),
    );
  }
}

function convertQuota(resource: Cursor, out: Collected): void {
  const spec = resource.get('spec');
  const type = spec.get('type').string().toUpperCase();
  const entity = spec.get('entity');
  const user = entity.get('user').optString();
  const clientId = entity.get('clientId').optString();
  const need = (field: 'user' | 'clientId', value: string | undefined) =>
    value ?? entity.get(field).fail(`is required for a ${type} quota`);
  let chosen: { user?: string; clientId?: string };
  switch (type) {
    case 'USER':
      chosen = { user: need('user', user) };
      break;
    case 'USER_CLIENT':
      chosen = { user: need('user', user), clientId: need('clientId', clientId) };
      break;
    case 'USER_ALL_CLIENTS':
      chosen = { user: need('user', user), clientId: '<default>' };
      break;
    case 'CLIENT':
      chosen = { clientId: need('clientId', clientId) };
      break;
    case 'USERS_DEFAULT':
      chosen = { user: '<default>' };
      break;
    case 'CLIENTS_DEFAULT':
      chosen = { clientId: '<default>' };
      break;
    default:
      chosen = spec
        .get('type')
        .fail(
          `unknown quota type "${type}" (expected USER, USER_CLIENT, USER_ALL_CLIENTS, CLIENT, USERS_DEFAULT or CLIENTS_DEFAULT)`,
        );
  }
  const values: Record<string, number> = {};
  for (const [key, value] of spec.get('configs').entries()) {
    const field = QUOTA_FIELDS[key];
    const number = value.optNumber();
    if (field === undefined || number === undefined) {
      out.losses.push({ at: value.at, construct: `KafkaClientQuota config "${key}"`, reason: 'not converted' });
      continue;
    }
    values[field] = number;
  }
  if (Object.keys(values).length > 0) out.documents.push(quotaDocument(chosen, values, resource.at));
}

function convertUser(resource: Cursor, out: Collected): void {
  const name = resource.get('metadata').get('name').string();
  const credentials: { mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; iterations: number }[] = [];
  for (const authentication of resource.get('spec').get('authentications').items()) {
    const text = authentication.get('type').string().toUpperCase();
    const type =
      text === 'SCRAM-SHA-256' || text === 'SCRAM-SHA-512'
        ? text
        : authentication.get('type').fail(`expected scram-sha-256 or scram-sha-512, got "${text.toLowerCase()}"`);
    credentials.push({
      mechanism: type,
      iterations: positiveInt(authentication.get('iterations')) ?? JIKKOU_SCRAM_ITERATIONS,
    });
  }
  if (credentials.length === 0) {
    out.losses.push({
      at: resource.at,
      construct: `KafkaUser "${name}"`,
      reason: 'no authentications: nothing to convert',
    });
    return;
  }
  out.documents.push(
    userDocument(name, credentials, resource.at, out.notes, 'the KafkaUser resource (or generated by Jikkou)'),
  );
}
