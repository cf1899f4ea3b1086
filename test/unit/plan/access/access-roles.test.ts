import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../lib/config/load-config.ts';
import { sha256Hex } from '../../../../lib/engine/hash.ts';
import { renderAndCheck } from '../../../../lib/engine/plan-environment.ts';
import { ConfigError } from '../../../../lib/errors.ts';
import { type ConfigDocument, documentsOfKind } from '../../../../lib/model/documents.ts';
import { AccessSpecSchema } from '../../../../lib/model/kinds/access.ts';
import type { AclBinding } from '../../../../lib/model/kinds/acl.ts';
import { RESOURCE_KIND_NAMES } from '../../../../lib/model/resource.ts';
import { accessBindings } from '../../../../lib/plan/access/roles.ts';
import { computePlan } from '../../../../lib/plan/compute-plan.ts';
import { renderAccess } from '../../../../lib/plan/kinds/access.ts';
import { renderPlanMarkdown, renderPlanText } from '../../../../lib/plan/render-plan.ts';
import { configDir } from '../../../support/builders.ts';

const ENV = `apiVersion: landscape.dev/v1
kind: Environment
metadata: { name: dev }
spec:
  kafka: { bootstrapServers: ["127.0.0.1:9092"] }
`;

const doc = (kind: string, name: string, spec: string) =>
  `apiVersion: landscape.dev/v1\nkind: ${kind}\nmetadata: { name: ${name} }\nspec:\n${spec}`;

async function render(files: Record<string, string>) {
  const dir = await configDir({ 'env.yaml': ENV, ...files });
  const config = await loadConfig(dir, 'dev', { displayRoot: '' });
  return renderAndCheck(config);
}

async function problemsOf(files: Record<string, string>) {
  const dir = await configDir({ 'env.yaml': ENV, ...files });
  try {
    const config = await loadConfig(dir, 'dev', { displayRoot: '' });
    return renderAndCheck(config).problems;
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

/** `User:a read topic:orders` lines, as a reviewer reads them. */
const names = (resources: { kind: string; name: string }[]) =>
  resources.filter((r) => r.kind === 'Acl').map((r) => r.name);

describe('Access', () => {
  it('expands consumer, producer and streams roles into the documented bindings', async () => {
    // Prepare
    const files = {
      'access.yaml': doc(
        'Access',
        'orders-service',
        `  principals: [User:orders]
  consumer:
    - { topics: [orders.v1], topicPrefixes: [payments.], group: orders-app }
  producer:
    - { topics: [orders.enriched], transactionalIds: [orders-tx] }
  streams:
    - { applicationId: enricher, inputs: [orders.v1], outputs: [orders.enriched], exactlyOnce: true }
`,
      ),
    };

    // Act
    const { desired, problems } = await render(files);

    // Assess
    expect(problems).toEqual([]);
    expect(names(desired)).toEqual([
      'User:orders idempotentWrite cluster:kafka-cluster',
      'User:orders read group:enricher',
      'User:orders read group:orders-app',
      'User:orders describe topic:orders.enriched',
      'User:orders write topic:orders.enriched',
      'User:orders describe topic:orders.v1',
      'User:orders read topic:orders.v1',
      'User:orders create topic:enricher-*',
      'User:orders delete topic:enricher-*',
      'User:orders describe topic:enricher-*',
      'User:orders describeConfigs topic:enricher-*',
      'User:orders read topic:enricher-*',
      'User:orders write topic:enricher-*',
      'User:orders describe topic:payments.*',
      'User:orders read topic:payments.*',
      'User:orders describe transactionalId:orders-tx',
      'User:orders write transactionalId:orders-tx',
      'User:orders describe transactionalId:enricher-*',
      'User:orders write transactionalId:enricher-*',
    ]);
    expect(new Set(desired.map((d) => d.origin))).toEqual(new Set(['Access "orders-service"']));
    // Each binding points at its role entry: the consumer entry is on line 7, the streams entry on line 11.
    const at = (name: string) => desired.find((d) => d.name === name)?.source;
    expect(at('User:orders read group:orders-app')).toMatchObject({ file: 'access.yaml', line: 7 });
    expect(at('User:orders read group:enricher')).toMatchObject({ file: 'access.yaml', line: 11 });
  });

  it('grants the connect worker its group, internal topics, connector topics and sink groups', async () => {
    const { desired } = await render({
      'access.yaml': doc(
        'Access',
        'connect',
        `  principals: [User:connect]
  connectWorker:
    - { group: connect-cluster, configTopic: connect-configs, offsetTopic: connect-offsets, statusTopic: connect-status, topicPrefixes: [cdc.] }
`,
      ),
    });
    const bindings = desired.map((d) => d.spec as unknown as AclBinding);
    const on = (type: string, name: string) =>
      bindings
        .filter((b) => b.resourceType === type && b.resourceName === name)
        .map((b) => b.operation)
        .sort();
    expect(on('group', 'connect-cluster')).toEqual(['read']);
    expect(on('group', 'connect-')).toEqual(['read']);
    for (const topic of ['connect-configs', 'connect-offsets', 'connect-status'])
      expect(on('topic', topic)).toEqual(['create', 'describe', 'describeConfigs', 'read', 'write']);
    expect(on('topic', 'cdc.')).toEqual(['describe', 'read', 'write']);
    expect(on('cluster', 'kafka-cluster')).toEqual(['idempotentWrite']);
  });

  it('grants admin ALL under its prefixes, for every principal', async () => {
    const { desired } = await render({
      'access.yaml': doc(
        'Access',
        'team-a-admins',
        `  principals: [User:alice, "User:CN=bob,O=acme"]
  admin: [{ topicPrefixes: [team-a.], groupPrefixes: [team-a.] }]
`,
      ),
    });
    expect(names(desired)).toEqual([
      'User:CN=bob,O=acme all group:team-a.*',
      'User:CN=bob,O=acme all topic:team-a.*',
      'User:alice all group:team-a.*',
      'User:alice all topic:team-a.*',
    ]);
  });

  it('applies a named AccessRole, pointing each binding at the role entry', async () => {
    const { desired, problems } = await render({
      'roles.yaml': doc(
        'AccessRole',
        'event-reader',
        '  consumer: [{ topicPrefixes: [events.], groupPrefix: readers. }]\n',
      ),
      'access.yaml': `${doc('Access', 'a', '  principals: [User:a]\n  roles: [event-reader]\n')}---\n${doc('Access', 'b', '  principals: [User:b]\n  roles: [event-reader]\n')}`,
    });
    expect(problems).toEqual([]);
    expect(names(desired)).toEqual([
      'User:a read group:readers.*',
      'User:a describe topic:events.*',
      'User:a read topic:events.*',
      'User:b read group:readers.*',
      'User:b describe topic:events.*',
      'User:b read topic:events.*',
    ]);
    expect(desired.every((d) => d.source?.file === 'roles.yaml' && d.source.line === 5)).toBe(true);
    expect(desired.map((d) => d.origin)).toContain('Access "b"');
  });

  it('refuses an unknown role name at its file:line, with "did you mean"', async () => {
    const problems = await problemsOf({
      'roles.yaml': doc('AccessRole', 'event-reader', '  consumer: [{ topics: [events] }]\n'),
      'access.yaml': doc('Access', 'a', '  principals: [User:a]\n  roles:\n    - event-readr\n'),
    });
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'access.yaml',
        line: 7,
        field: 'spec.roles[0]',
        message: 'no AccessRole named "event-readr" in Environment "dev"',
        hint: 'did you mean "event-reader"?',
      }),
    ]);
  });

  it('refuses a role entry that grants nothing, a star in a prefix, and an Access without principals', async () => {
    const problems = await problemsOf({
      'access.yaml': doc(
        'Access',
        'a',
        `  principals: []
  consumer: [{}]
  admin: [{ topicPrefixes: ["team-a.*"] }]
`,
      ),
    });
    expect(problems.map((p) => [p.line, p.field, p.message])).toEqual([
      [5, 'spec.principals', 'name at least one principal, e.g. "User:orders-app"'],
      [6, 'spec.consumer.0', 'grants nothing: name topics, topicPrefixes, a group or a groupPrefix'],
      [
        7,
        'spec.admin.0.topicPrefixes.0',
        '"team-a.*": a prefix is matched literally ("*" is not a wildcard); write "team-a."',
      ],
    ]);
  });

  it('notes that schema registry access is not enforced, without failing', async () => {
    const { desired, problems } = await render({
      'access.yaml': doc('Access', 'a', '  principals: [User:a]\n  schemaRegistry: reader\n'),
    });
    expect(desired).toEqual([]);
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'access.yaml',
        line: 6,
        severity: 'warning',
        message:
          'schema registry reader access for User:a is not enforced by Landscape: Environment "dev" has no spec.schemaRegistry',
      }),
    ]);
  });

  it('merges a hand-written Acl equal to a generated binding (granting twice is not a conflict)', async () => {
    const { desired, problems } = await render({
      'access.yaml': doc('Access', 'a', '  principals: [User:a]\n  consumer: [{ topics: [orders] }]\n'),
      'acl.yaml': doc(
        'Acl',
        'a-orders',
        '  principal: User:a\n  resource: { type: topic, name: orders }\n  operations: [read, alter]\n',
      ),
    });
    expect(problems).toEqual([]);
    // The generated binding is listed once (from the document read first); `alter` only the Acl grants.
    expect(names(desired)).toEqual([
      'User:a alter topic:orders',
      'User:a describe topic:orders',
      'User:a read topic:orders',
    ]);
  });
});

describe('accessBindings', () => {
  it('gives the bindings renderAccess generates, without locations', async () => {
    const files = {
      'roles.yaml': doc(
        'AccessRole',
        'event-reader',
        '  consumer: [{ topicPrefixes: [events.], groupPrefix: readers. }]\n',
      ),
      'access.yaml': doc(
        'Access',
        'a',
        '  principals: [User:a]\n  roles: [event-reader, missing]\n  producer: [{ topics: [orders] }]\n',
      ),
    };
    const dir = await configDir({ 'env.yaml': ENV, ...files });
    const config = await loadConfig(dir, 'dev', { displayRoot: '' });
    const [access] = documentsOfKind(config.documents, 'Access');
    const roles = new Map(documentsOfKind(config.documents, 'AccessRole').map((r) => [r.metadata.name, r.spec]));
    const rendered = renderAccess(access as ConfigDocument<'Access'>, config).resources.map((r) => r.spec);
    expect(accessBindings((access as ConfigDocument<'Access'>).spec, roles)).toEqual(rendered);
    expect(rendered).toHaveLength(6);
  });
});

describe('role table corners', () => {
  it('grants prefixes of every kind, literal connector topics, and no IDEMPOTENT_WRITE when idempotent is off', async () => {
    const { desired } = await render({
      'access.yaml': doc(
        'Access',
        'corners',
        `  principals: [User:c]
  producer:
    - { topicPrefixes: [out.], transactionalIdPrefixes: [tx.], idempotent: false }
  streams:
    - { applicationId: s, inputPrefixes: [in.], outputPrefixes: [out.] }
  connectWorker:
    - { group: g, configTopic: cfg, offsetTopic: off, statusTopic: st, topics: [sink.orders], connectorGroupPrefix: sinks- }
  admin:
    - { transactionalIdPrefixes: [team.] }
`,
      ),
    });
    const all = names(desired);
    expect(all).toEqual(
      expect.arrayContaining([
        'User:c describe topic:in.*',
        'User:c read topic:in.*',
        'User:c write topic:out.*',
        'User:c write transactionalId:tx.*',
        'User:c describe transactionalId:tx.*',
        'User:c all transactionalId:team.*',
        'User:c read topic:sink.orders',
        'User:c write topic:sink.orders',
        'User:c read group:sinks-*',
        'User:c read group:s',
      ]),
    );
    // Streams without exactlyOnce: no transactional ids of its own; IDEMPOTENT_WRITE from streams and connect.
    expect(all.filter((n) => n.includes('transactionalId:s-'))).toEqual([]);
    expect(all.filter((n) => n.includes('idempotentWrite'))).toEqual(['User:c idempotentWrite cluster:kafka-cluster']);
    expect(desired.find((d) => d.name === 'User:c idempotentWrite cluster:kafka-cluster')?.source?.line).toBe(9);
  });

  it('says how to add a role when there is no AccessRole at all, and notes a role that asks for the registry', async () => {
    const missing = await problemsOf({
      'access.yaml': doc('Access', 'a', '  principals: [User:a]\n  roles: [readers]\n'),
    });
    expect(missing).toEqual([
      expect.objectContaining({
        message: 'no AccessRole named "readers"',
        hint: 'add a document of kind AccessRole with that name',
      }),
    ]);
    const withRegistry = `apiVersion: landscape.dev/v1
kind: Environment
metadata: { name: dev }
spec:
  kafka: { bootstrapServers: ["127.0.0.1:9092"] }
  schemaRegistry: { url: "http://127.0.0.1:8081" }
`;
    const dir = await configDir({
      'env.yaml': withRegistry,
      'roles.yaml': doc('AccessRole', 'schema-writer', '  schemaRegistry: writer\n'),
      'access.yaml': doc('Access', 'a', '  principals: [User:a]\n  roles: [schema-writer]\n'),
    });
    const { desired, problems } = renderAndCheck(await loadConfig(dir, 'dev', { displayRoot: '' }));
    expect(desired).toEqual([]);
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'roles.yaml',
        line: 5,
        severity: 'warning',
        message:
          'schema registry writer access for User:a is not enforced by Landscape: the registry keeps permissions in its own access control, which Landscape does not manage',
      }),
    ]);
  });
});

describe('plan rendering of generated access', () => {
  it('lists hand-written changes first, then each intent under its name with the file:line of its entries', async () => {
    const { desired } = await render({
      'access.yaml': doc('Access', 'reader', '  principals: [User:r]\n  consumer: [{ topics: [orders] }]\n'),
      'acl.yaml': doc(
        'Acl',
        'z',
        '  principal: User:z\n  resource: { type: topic, name: orders }\n  operations: [read]\n',
      ),
    });
    const plan = computePlan({
      environment: {
        name: 'dev',
        spec: (await loadConfig(await configDir({ 'env.yaml': ENV }), 'dev')).environment.spec,
      },
      desired,
      observed: [],
      inventory: {},
      observedKinds: RESOURCE_KIND_NAMES,
      source: {},
      toolVersion: 'test',
      hash: sha256Hex,
    });
    const text = renderPlanText(plan);
    expect(text).toContain(
      [
        'Wave 3: ACLs',
        '  + create Acl User:z read topic:orders  (acl.yaml:1)',
        '  Access "reader":',
        '    + create Acl User:r describe topic:orders  (access.yaml:6)',
        '    + create Acl User:r read topic:orders  (access.yaml:6)',
      ].join('\n'),
    );
    expect(renderPlanMarkdown(plan)).toContain('  Access "reader":\n+     create Acl User:r describe topic:orders');
  });
});

describe('aclStyle: the bindings kafka-gitops and JulieOps grant for the same application', () => {
  const bindingsOf = (grants: Record<string, unknown>) =>
    accessBindings(AccessSpecSchema.parse({ principals: ['User:a'], ...grants }), new Map()).map(
      (b) => `${b.operation} ${b.resourceType}:${b.resourceName}${b.patternType === 'prefixed' ? '*' : ''}`,
    );
  const streams = { applicationId: 'enricher', inputs: ['orders'], outputs: ['enriched'] };
  const worker = { group: 'connect', configTopic: 'c-configs', offsetTopic: 'c-offsets', statusTopic: 'c-status' };

  it('defaults to Landscape’s table, unchanged', () => {
    expect(bindingsOf({ streams: [streams] })).toEqual(
      bindingsOf({ streams: [{ ...streams, aclStyle: 'landscape' }] }),
    );
    expect(bindingsOf({ streams: [streams] })).toContain('create topic:enricher-*');
    expect(bindingsOf({ connectWorker: [worker] })).toContain('read group:connect-*');
  });

  it('kafka-gitops: its eight operations under the bare application id, group DESCRIBE/DELETE, cluster DESCRIBE_CONFIGS', () => {
    expect(bindingsOf({ streams: [{ ...streams, aclStyle: 'kafka-gitops' }] })).toEqual([
      'read topic:orders',
      'describe topic:orders',
      'write topic:enriched',
      'describe topic:enriched',
      ...['read', 'write', 'describe', 'delete', 'create', 'alter', 'alterConfigs', 'describeConfigs'].map(
        (operation) => `${operation} topic:enricher*`,
      ),
      'read group:enricher',
      'describe group:enricher',
      'delete group:enricher',
      'describeConfigs cluster:kafka-cluster',
    ]);
    expect(bindingsOf({ connectWorker: [{ ...worker, aclStyle: 'kafka-gitops' }] })).toEqual([
      'read group:connect',
      ...['c-configs', 'c-offsets', 'c-status'].flatMap((t) => [`read topic:${t}`, `write topic:${t}`]),
    ]);
    expect(() =>
      AccessSpecSchema.parse({
        principals: ['User:a'],
        streams: [{ ...streams, exactlyOnce: true, aclStyle: 'kafka-gitops' }],
      }),
    ).toThrow('kafka-gitops grants a streams app no transactional ids');
  });

  it('julieops: READ/WRITE without DESCRIBE, ALL and group READ under the application id as a prefix', () => {
    expect(bindingsOf({ streams: [{ ...streams, exactlyOnce: true, aclStyle: 'julieops' }] })).toEqual([
      'read topic:orders',
      'write topic:enriched',
      'all topic:enricher*',
      'read group:enricher*',
      'write transactionalId:enricher*',
      'describe transactionalId:enricher*',
    ]);
    expect(bindingsOf({ connectWorker: [{ ...worker, topics: ['orders'], aclStyle: 'julieops' }] })).toEqual([
      'read group:connect',
      ...['c-configs', 'c-offsets', 'c-status', 'orders'].flatMap((t) => [`read topic:${t}`, `write topic:${t}`]),
      'create cluster:kafka-cluster',
    ]);
  });
});
