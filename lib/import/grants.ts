import { keys } from '../model/keys.ts';
import type { AclBinding, AclOperation, AclPatternType, AclPermission, AclResourceType } from '../model/kinds/acl.ts';
import { slug, uniqueNames } from '../plan/kinds/export-names.ts';
import type { Cursor, SourceLine } from './source.ts';
import type { AccessExpander, ImportedDocument } from './types.ts';

/** An ACL binding the source tool applies, with the line of the construct that makes it apply it. */
export interface SourceBinding extends AclBinding {
  from: SourceLine;
}

/**
 * A role the source used (a kafka-gitops service's consumes, a JulieOps producer, ...), written as one entry
 * of an `Access` spec: `{ consumer: { topics: [...], group } }`. `owner` names the Access document it goes to.
 */
export interface AccessIntent {
  owner: string;
  principal: string;
  role: 'consumer' | 'producer' | 'streams' | 'connectWorker' | 'admin';
  entry: Record<string, unknown>;
  /** Other spellings of the same role, tried in order when `entry` does not fit (e.g. `idempotent: false`). */
  alternatives?: Record<string, unknown>[];
  from: SourceLine;
}

/** A producer entry, and the same without IDEMPOTENT_WRITE for tools that do not grant it. */
export function producerIntent(
  owner: string,
  principal: string,
  entry: Record<string, unknown>,
  from: SourceLine,
): AccessIntent {
  return { owner, principal, role: 'producer', entry, alternatives: [{ ...entry, idempotent: false }], from };
}

const OPERATIONS: Record<string, AclOperation> = {
  all: 'all',
  read: 'read',
  write: 'write',
  create: 'create',
  delete: 'delete',
  alter: 'alter',
  describe: 'describe',
  clusteraction: 'clusterAction',
  describeconfigs: 'describeConfigs',
  alterconfigs: 'alterConfigs',
  idempotentwrite: 'idempotentWrite',
};
const RESOURCE_TYPES: Record<string, AclResourceType> = {
  topic: 'topic',
  group: 'group',
  cluster: 'cluster',
  transactionalid: 'transactionalId',
  delegationtoken: 'delegationToken',
};
const PATTERN_TYPES: Record<string, AclPatternType> = { literal: 'literal', prefixed: 'prefixed', prefix: 'prefixed' };
const PERMISSIONS: Record<string, AclPermission> = { allow: 'allow', deny: 'deny' };

/** `READ`, `Read`, `read`, `DESCRIBE_CONFIGS`, `DescribeConfigs`, `describe-configs`: every tool spells these differently. */
const normal = (text: string) => text.toLowerCase().replace(/[_\- ]/g, '');

function pick<T>(table: Record<string, T>, what: string, cursor: Cursor, fallback?: string): T {
  const text = cursor.optString() ?? fallback;
  if (text === undefined) cursor.fail('is required');
  const value = table[normal(text)];
  if (value === undefined) cursor.fail(`unknown ${what} "${text}" (expected one of ${Object.keys(table).join(', ')})`);
  return value;
}

export const aclOperation = (cursor: Cursor, fallback?: string) => pick(OPERATIONS, 'operation', cursor, fallback);
export const aclResourceType = (cursor: Cursor, fallback?: string) =>
  pick(RESOURCE_TYPES, 'resource type', cursor, fallback);
export const aclPatternType = (cursor: Cursor, fallback?: string) =>
  pick(PATTERN_TYPES, 'pattern type', cursor, fallback);
export const aclPermission = (cursor: Cursor, fallback?: string) => pick(PERMISSIONS, 'permission', cursor, fallback);

/** The name Kafka gives the one cluster resource. */
export const CLUSTER_RESOURCE = 'kafka-cluster';

/** A binding with the defaults every tool uses: allowed, from any host, literal name. */
export function binding(
  principal: string,
  resourceType: AclResourceType,
  resourceName: string,
  operation: AclOperation,
  from: SourceLine,
  options: { patternType?: AclPatternType; host?: string; permission?: AclPermission } = {},
): SourceBinding {
  return {
    principal,
    host: options.host ?? '*',
    resourceType,
    resourceName: resourceType === 'cluster' ? CLUSTER_RESOURCE : resourceName,
    patternType: options.patternType ?? 'literal',
    operation,
    permission: options.permission ?? 'allow',
    from,
  };
}

const bindingKey = (b: AclBinding) => keys.acl(b);

/**
 * Turns what the source grants into `Access` documents (where the source used a role) and raw `Acl` documents
 * (everything else). An intent becomes an Access entry only when every binding the access kind generates for it
 * is one the source tool applied, and none is generated twice; the bindings it covers are then not written as
 * raw ACLs. So the documents together generate exactly the source tool's bindings: planned against the cluster
 * the tool managed, they show no changes.
 */
export function grantDocuments(
  bindings: readonly SourceBinding[],
  intents: readonly AccessIntent[],
  expand: AccessExpander | undefined,
): ImportedDocument[] {
  const byKey = new Map<string, SourceBinding>();
  for (const b of bindings) if (!byKey.has(bindingKey(b))) byKey.set(bindingKey(b), b);
  // Which Access document generates each covered binding: one document may generate a binding twice (a
  // consumer and a producer of one topic both DESCRIBE it; the kind merges them), two documents may not.
  const coveredBy = new Map<string, string>();
  const kept = new Map<string, { principal: string; from: SourceLine; roles: Map<string, unknown[]> }>();
  if (expand) {
    for (const intent of intents) {
      const id = `${intent.owner}|${intent.principal}`;
      for (const entry of [intent.entry, ...(intent.alternatives ?? [])]) {
        const generated = expand({ principals: [intent.principal], [intent.role]: [entry] }).map(bindingKey);
        // Fits: generates only bindings the source has, none of another document's, and something new (a
        // fallback spelling of a role already kept adds nothing).
        const fits =
          generated.some((key) => !coveredBy.has(key)) &&
          generated.every((key) => byKey.has(key) && (coveredBy.get(key) ?? id) === id);
        if (!fits) continue;
        for (const key of generated) coveredBy.set(key, id);
        const access = kept.get(id) ?? { principal: intent.principal, from: intent.from, roles: new Map() };
        access.roles.set(intent.role, [...(access.roles.get(intent.role) ?? []), entry]);
        kept.set(id, access);
        break;
      }
    }
  }
  const documents: ImportedDocument[] = [];
  const accessNames = uniqueNames([...kept.keys()], (id) => slug(id.slice(0, id.lastIndexOf('|'))));
  for (const [owner, access] of kept) {
    documents.push({
      file: 'access.yaml',
      kind: 'Access',
      name: accessNames.get(owner) as string,
      spec: { principals: [access.principal], ...Object.fromEntries(access.roles) },
      from: access.from,
    });
  }
  documents.push(...aclDocuments([...byKey].filter(([key]) => !coveredBy.has(key)).map(([, b]) => b)));
  return documents;
}

/** Bindings that differ only in operation become one Acl document, as people write them. */
export function aclDocuments(bindings: readonly SourceBinding[]): ImportedDocument[] {
  const groups = new Map<string, { binding: SourceBinding; operations: AclOperation[] }>();
  for (const b of bindings) {
    const id = [b.principal, b.resourceType, b.patternType, b.resourceName, b.permission, b.host].join('|');
    const group = groups.get(id) ?? { binding: b, operations: [] };
    if (!group.operations.includes(b.operation)) group.operations.push(b.operation);
    groups.set(id, group);
  }
  const readable = (b: AclBinding) =>
    slug(
      `${b.principal.replace(/^User:/, '')}-${b.resourceType}-${b.resourceName}${b.patternType === 'prefixed' ? '-prefixed' : ''}${b.permission === 'deny' ? '-deny' : ''}`,
    );
  const names = uniqueNames([...groups.keys()], (id) =>
    readable((groups.get(id) as { binding: SourceBinding }).binding),
  );
  return [...groups].map(([id, { binding: b, operations }]) => ({
    file: 'acls.yaml',
    kind: 'Acl',
    name: names.get(id) as string,
    spec: {
      principal: b.principal,
      resource: {
        type: b.resourceType,
        name: b.resourceName,
        ...(b.patternType === 'prefixed' ? { patternType: 'prefixed' } : {}),
      },
      operations: [...operations].sort(),
      ...(b.permission === 'deny' ? { permission: 'deny' } : {}),
      ...(b.host === '*' ? {} : { host: b.host }),
    },
    from: b.from,
  }));
}

/**
 * The roles raw bindings amount to, for sources that have no roles (Strimzi, Terraform, Jikkou ACLs): per
 * principal, READ on topics plus READ on exactly one group is a consumer, WRITE on literal topics a producer.
 * These are only candidates: `grantDocuments` keeps one only when the access kind generates exactly bindings
 * the source has, so a guess that does not fit costs nothing but length.
 */
export function inferIntents(
  bindings: readonly SourceBinding[],
  ownerOf: (principal: string) => string,
): AccessIntent[] {
  const byPrincipal = new Map<string, SourceBinding[]>();
  for (const b of bindings) byPrincipal.set(b.principal, [...(byPrincipal.get(b.principal) ?? []), b]);
  const intents: AccessIntent[] = [];
  for (const [principal, list] of byPrincipal) {
    const allowed = list.filter((b) => b.permission === 'allow' && b.host === '*');
    const reads = allowed.filter((b) => b.resourceType === 'topic' && b.operation === 'read');
    const groups = allowed.filter((b) => b.resourceType === 'group' && b.operation === 'read');
    const writes = allowed.filter(
      (b) => b.resourceType === 'topic' && b.operation === 'write' && b.patternType === 'literal',
    );
    const first = reads[0] ?? writes[0];
    if (!first) continue;
    const owner = ownerOf(principal);
    const [group] = groups;
    if (reads.length > 0 && group && groups.length === 1) {
      const topics = reads.filter((b) => b.patternType === 'literal').map((b) => b.resourceName);
      const topicPrefixes = reads.filter((b) => b.patternType === 'prefixed').map((b) => b.resourceName);
      intents.push({
        owner,
        principal,
        role: 'consumer',
        entry: {
          ...(topics.length > 0 ? { topics } : {}),
          ...(topicPrefixes.length > 0 ? { topicPrefixes } : {}),
          ...(group.patternType === 'prefixed' ? { groupPrefix: group.resourceName } : { group: group.resourceName }),
        },
        from: (reads[0] as SourceBinding).from,
      });
    }
    if (writes.length > 0)
      intents.push(
        producerIntent(
          owner,
          principal,
          { topics: writes.map((b) => b.resourceName) },
          (writes[0] as SourceBinding).from,
        ),
      );
  }
  return intents;
}
