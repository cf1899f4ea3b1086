import type { AccessGrants, AccessRoleSpec, AccessSpec, GrantRole } from '../../model/kinds/access.ts';
import type { AclBinding, AclOperation, AclPatternType, AclResourceType } from '../../model/kinds/acl.ts';

/**
 * One binding a role grants, with the path of the role entry that asked for it inside the spec
 * (`['consumer', 0]`): plans point at that entry's file:line.
 */
export interface RoleBinding {
  binding: AclBinding;
  path: readonly [GrantRole, number];
}

/** The cluster resource's only name in Kafka's ACLs. */
export const CLUSTER = 'kafka-cluster';

/**
 * The Kafka ACL bindings of access by intent (ADR 0043 has the table). Every binding is an ALLOW from any host.
 * DESCRIBE is listed next to READ and WRITE although Kafka's authorizer implies it, and IDEMPOTENT_WRITE next
 * to WRITE although Kafka 3.0 implies it: the explicit bindings are what brokers before 3.0 need, and they are
 * the bindings App has always generated (the same roles render App's access, so its plans do not change).
 *
 * - consumer: topics READ, DESCRIBE; group READ.
 * - producer: topics WRITE, DESCRIBE; transactional ids WRITE, DESCRIBE; cluster IDEMPOTENT_WRITE when it
 *   writes topics and `idempotent` (the default).
 * - streams: inputs READ, DESCRIBE; outputs WRITE, DESCRIBE; internal topics (prefix `<applicationId>-`)
 *   CREATE, DELETE, DESCRIBE, DESCRIBE_CONFIGS, READ, WRITE; group `<applicationId>` READ; cluster
 *   IDEMPOTENT_WRITE; with exactlyOnce transactional ids (prefix `<applicationId>-`) WRITE, DESCRIBE.
 * - connectWorker: group READ; config/offset/status topics CREATE, DESCRIBE, DESCRIBE_CONFIGS, READ, WRITE;
 *   the connectors' topics READ, WRITE, DESCRIBE; sink groups (prefix `connect-`) READ; cluster IDEMPOTENT_WRITE.
 * - admin: ALL on the topics, groups and transactional ids under its prefixes.
 *
 * streams and connectWorker entries with `aclStyle: kafka-gitops` or `julieops` generate instead exactly what
 * that tool grants for the same application (ADR 0043 has those tables too), so an imported setup keeps its
 * roles and plans no changes.
 *
 * Bindings come out in the order of the roles and entries, each once (the first entry that asks for it).
 *
 * @example
 * roleBindings(['User:app'], { consumer: [{ topics: ['orders'], topicPrefixes: [], group: 'app' }], ... });
 * // User:app read topic:orders, User:app describe topic:orders, User:app read group:app
 */
export function roleBindings(principals: readonly string[], grants: AccessGrants): RoleBinding[] {
  const out: RoleBinding[] = [];
  const seen = new Set<string>();
  for (const principal of principals) {
    let path: readonly [GrantRole, number] = ['consumer', 0];
    const allow = (
      resourceType: AclResourceType,
      resourceName: string,
      patternType: AclPatternType,
      operations: readonly AclOperation[],
    ) => {
      for (const operation of operations) {
        const binding: AclBinding = {
          principal,
          host: '*',
          resourceType,
          resourceName,
          patternType,
          operation,
          permission: 'allow',
        };
        const id = `${principal}|${resourceType}|${patternType}|${resourceName}|${operation}`;
        if (seen.has(id)) continue;
        seen.add(id);
        out.push({ binding, path });
      }
    };
    const each = (
      resourceType: AclResourceType,
      names: readonly string[],
      prefixes: readonly string[],
      operations: readonly AclOperation[],
    ) => {
      for (const name of names) allow(resourceType, name, 'literal', operations);
      for (const prefix of prefixes) allow(resourceType, prefix, 'prefixed', operations);
    };

    grants.consumer.forEach((g, index) => {
      path = ['consumer', index];
      each('topic', g.topics, g.topicPrefixes, ['read', 'describe']);
      each('group', g.group !== undefined ? [g.group] : [], g.groupPrefix !== undefined ? [g.groupPrefix] : [], [
        'read',
      ]);
    });
    grants.producer.forEach((g, index) => {
      path = ['producer', index];
      each('topic', g.topics, g.topicPrefixes, ['write', 'describe']);
      each('transactionalId', g.transactionalIds, g.transactionalIdPrefixes, ['write', 'describe']);
      if (g.idempotent && g.topics.length + g.topicPrefixes.length > 0)
        allow('cluster', CLUSTER, 'literal', ['idempotentWrite']);
    });
    grants.streams.forEach((g, index) => {
      path = ['streams', index];
      const app = g.applicationId;
      if (g.aclStyle === 'julieops') {
        // JulieOps: READ and WRITE without DESCRIBE, ALL under the bare application id, its groups as a prefix.
        each('topic', g.inputs, g.inputPrefixes, ['read']);
        each('topic', g.outputs, g.outputPrefixes, ['write']);
        allow('topic', app, 'prefixed', ['all']);
        allow('group', app, 'prefixed', ['read']);
        if (g.exactlyOnce) allow('transactionalId', app, 'prefixed', ['write', 'describe']);
        return;
      }
      each('topic', g.inputs, g.inputPrefixes, ['read', 'describe']);
      each('topic', g.outputs, g.outputPrefixes, ['write', 'describe']);
      if (g.aclStyle === 'kafka-gitops') {
        // kafka-gitops: more operations under the bare application id, the group's DESCRIBE and DELETE
        // (application reset), DESCRIBE_CONFIGS on the cluster, no IDEMPOTENT_WRITE.
        const internalOperations = [
          'read',
          'write',
          'describe',
          'delete',
          'create',
          'alter',
          'alterConfigs',
          'describeConfigs',
        ] as const;
        allow('topic', app, 'prefixed', internalOperations);
        allow('group', app, 'literal', ['read', 'describe', 'delete']);
        allow('cluster', CLUSTER, 'literal', ['describeConfigs']);
        return;
      }
      const internal = `${app}-`;
      allow('topic', internal, 'prefixed', ['create', 'delete', 'describe', 'describeConfigs', 'read', 'write']);
      allow('group', app, 'literal', ['read']);
      allow('cluster', CLUSTER, 'literal', ['idempotentWrite']);
      if (g.exactlyOnce) allow('transactionalId', internal, 'prefixed', ['write', 'describe']);
    });
    grants.connectWorker.forEach((g, index) => {
      path = ['connectWorker', index];
      const storage = [g.configTopic, g.offsetTopic, g.statusTopic];
      allow('group', g.group, 'literal', ['read']);
      if (g.aclStyle !== 'landscape') {
        // Both tools: READ and WRITE on the storage and connector topics, no connector group prefix (they
        // grant connectors' groups by name); JulieOps adds CREATE on the cluster.
        each('topic', storage, [], ['read', 'write']);
        each('topic', g.topics, g.topicPrefixes, ['read', 'write']);
        if (g.aclStyle === 'julieops') allow('cluster', CLUSTER, 'literal', ['create']);
        return;
      }
      each('topic', storage, [], ['create', 'describe', 'describeConfigs', 'read', 'write']);
      each('topic', g.topics, g.topicPrefixes, ['read', 'write', 'describe']);
      allow('group', g.connectorGroupPrefix, 'prefixed', ['read']);
      allow('cluster', CLUSTER, 'literal', ['idempotentWrite']);
    });
    grants.admin.forEach((g, index) => {
      path = ['admin', index];
      each('topic', [], g.topicPrefixes, ['all']);
      each('group', [], g.groupPrefixes, ['all']);
      each('transactionalId', [], g.transactionalIdPrefixes, ['all']);
    });
  }
  return out;
}

/**
 * Every binding an Access spec generates: its inline grants, then those of the AccessRoles it names (a name
 * missing from `roles` adds nothing; rendering reports it), each binding once. The same bindings as
 * `renderAccess`, without locations: for callers that compare with bindings from elsewhere (importers).
 *
 * @example
 * accessBindings(accessSpec, new Map([['event-reader', roleSpec]])).length; // 6
 */
export function accessBindings(spec: AccessSpec, roles: ReadonlyMap<string, AccessRoleSpec>): AclBinding[] {
  const all = [spec, ...spec.roles.flatMap((name) => roles.get(name) ?? [])].flatMap((grants) =>
    roleBindings(spec.principals, grants).map((b) => b.binding),
  );
  const first = new Map<string, AclBinding>();
  for (const b of all) {
    const id = `${b.principal}|${b.resourceType}|${b.patternType}|${b.resourceName}|${b.operation}`;
    if (!first.has(id)) first.set(id, b);
  }
  return [...first.values()];
}
