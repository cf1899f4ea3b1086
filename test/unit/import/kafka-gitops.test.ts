import { describe, expect, it } from 'vitest';
import { landscapeAccess } from '../../../lib/import/access-expander.ts';
import { kafkaGitopsImporter } from '../../../lib/import/kafka-gitops.ts';
import { ImportFormatError } from '../../../lib/import/source.ts';
import { appliedByKafkaGitops } from '../../fixtures/import/kafka-gitops/applied.ts';
import { bindingKeys, fixture, generatedBindings, validateAll } from './helpers.ts';

const same = (name: string) => name;
const source = (text: string) => ({ path: 'state.yaml', text });

describe('kafka-gitops importer', () => {
  it('writes topics and ACL documents that generate exactly the bindings kafka-gitops applies', () => {
    const result = kafkaGitopsImporter.convert([fixture('kafka-gitops', 'state.yaml')], {});
    validateAll(result.documents);
    const applied = appliedByKafkaGitops(same);
    expect(generatedBindings(result.documents)).toEqual(bindingKeys(applied.acls ?? []));
    // settings.topics.defaults.replication is said once, in a TopicDefaults matching every topic.
    const defaults = result.documents.filter((d) => d.kind === 'TopicDefaults').map((d) => d.spec);
    expect(defaults).toEqual([{ match: { namePattern: '.*' }, replicationFactor: 1 }]);
    const topics = result.documents.filter((d) => d.kind === 'Topic');
    expect(topics.every((t) => !('replicationFactor' in t.spec))).toBe(true);
    expect(topics.map((t) => [t.name, { replicationFactor: 1, ...t.spec }])).toEqual(
      (applied.topics ?? []).map((t) => [
        t.name,
        {
          partitions: t.partitions,
          replicationFactor: t.replicationFactor,
          ...(t.config ? { config: t.config } : {}),
        },
      ]),
    );
    expect(result.losses).toEqual([]);
    expect(result.notes.map((n) => `${n.at.file}:${n.at.line}`)).toEqual([
      'test/fixtures/import/kafka-gitops/state.yaml:7',
    ]);
  });

  it('uses access roles where the bindings they generate are exactly what kafka-gitops applied', () => {
    const result = kafkaGitopsImporter.convert([fixture('kafka-gitops', 'state.yaml')], { access: landscapeAccess });
    const applied = appliedByKafkaGitops(same);
    // Nothing more, nothing less: planning the import against that cluster shows no changes.
    expect(generatedBindings(result.documents)).toEqual(bindingKeys(applied.acls ?? []));
    const access = Object.fromEntries(result.documents.filter((d) => d.kind === 'Access').map((d) => [d.name, d.spec]));
    // A consumer role is READ + DESCRIBE on its topics and READ on its group: what kafka-gitops grants with
    // describeTopicEnabled. Its producers are not granted IDEMPOTENT_WRITE: `idempotent: false`. The streams app
    // and the Connect worker are the roles with `aclStyle: kafka-gitops` (kafka-gitops's own grants); the
    // connector's topic and group are a consumer. The reader role's topic "*" is no topic name an Access
    // accepts (raw ACLs).
    expect(access).toEqual({
      'acme-orders': {
        principals: ['User:acme-orders'],
        consumer: [{ topics: ['acme.payments'], group: 'acme-orders-group' }],
        producer: [{ topics: ['acme.orders'], idempotent: false }],
      },
      'acme-billing': {
        principals: ['User:acme-billing'],
        consumer: [{ topics: ['acme.orders', 'acme.payments'], group: 'acme-billing' }],
      },
      'acme-enricher': {
        principals: ['User:acme-enricher'],
        streams: [
          {
            applicationId: 'acme-enricher',
            inputs: ['acme.orders'],
            outputs: ['acme.enriched'],
            aclStyle: 'kafka-gitops',
          },
        ],
      },
      'acme-connect': {
        principals: ['User:acme-connect'],
        connectWorker: [
          {
            group: 'acme-connect',
            configTopic: 'connect-configs-acme-connect',
            offsetTopic: 'connect-offsets-acme-connect',
            statusTopic: 'connect-status-acme-connect',
            aclStyle: 'kafka-gitops',
          },
        ],
        consumer: [{ topics: ['acme.enriched'], group: 'connect-acme-sink' }],
      },
    });
  });

  it('keeps the streams role for the internal grants when kafka-gitops grants no DESCRIBE on the topics', () => {
    const state = [
      'services:',
      '  enricher:',
      '    type: kafka-streams',
      '    principal: User:enricher',
      '    consumes: [orders]',
      '    produces: [enriched]',
    ].join('\n');
    const result = kafkaGitopsImporter.convert([source(state)], { access: landscapeAccess });
    expect(result.documents.map((d) => [d.kind, d.name, d.spec])).toEqual([
      [
        'Access',
        'enricher',
        { principals: ['User:enricher'], streams: [{ applicationId: 'enricher', aclStyle: 'kafka-gitops' }] },
      ],
      [
        'Acl',
        'enricher-topic-enriched',
        { principal: 'User:enricher', resource: { type: 'topic', name: 'enriched' }, operations: ['write'] },
      ],
      [
        'Acl',
        'enricher-topic-orders',
        { principal: 'User:enricher', resource: { type: 'topic', name: 'orders' }, operations: ['read'] },
      ],
    ]);
  });

  it('lists what it cannot convert with file:line and writes the rest', () => {
    const result = kafkaGitopsImporter.convert(
      [
        source(
          [
            'settings:', // 1
            '  ccloud:', // 2
            '    enabled: true', // 3
            '  files:', // 4
            '    services: services.yaml', // 5
            'topics:', // 6
            '  t1:', // 7
            '    partitions: 1', // 8
            '    replication: 1', // 9
            '    configs:', // 10
            '      not.a.config: x', // 11
            'services:', // 12
            '  db:', // 13
            '    type: ksqldb', // 14
            '    principal: User:ksql', // 15
            '  cloud-app:', // 16
            '    type: application', // 17
          ].join('\n'),
        ),
      ],
      {},
    );
    expect(result.losses.map((l) => `${l.at.file}:${l.at.line} ${l.construct}`)).toEqual([
      'state.yaml:2 Confluent Cloud mode',
      'state.yaml:4 settings.files',
      'state.yaml:11 topic "t1" config "not.a.config"',
      'state.yaml:14 service "db" of type "ksqldb"',
      'state.yaml:16 service "cloud-app"',
    ]);
    expect(result.documents.map((d) => `${d.kind} ${d.name}`)).toEqual(['Topic t1']);
  });

  it('lists settings it does not know inside the sections it reads', () => {
    const text = [
      'settings:', // 1
      '  topics:', // 2
      '    defaults:', // 3
      '      replication: 1', // 4
      '      partitions: 6', // 5
      '  services:', // 6
      '    acls:', // 7
      '      describeGroupEnabled: true', // 8
    ].join('\n');
    const result = kafkaGitopsImporter.convert([source(text)], {});
    expect(result.losses.map((l) => `${l.at.line} ${l.construct}`)).toEqual([
      '5 settings.topics.defaults "partitions"',
      '8 settings.services.acls "describeGroupEnabled"',
    ]);
  });

  it('refuses a file that is not a kafka-gitops state file, naming file and line', () => {
    const strimzi = source(
      'apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaTopic\nmetadata:\n  name: orders\nspec:\n  partitions: 1\n',
    );
    expect(() => kafkaGitopsImporter.convert([strimzi], {})).toThrow(ImportFormatError);
    expect(() => kafkaGitopsImporter.convert([strimzi], {})).toThrow(
      'state.yaml:1: apiVersion: not a kafka-gitops state file: unexpected key "apiVersion"',
    );
    expect(() => kafkaGitopsImporter.convert([source('topics:\n  t: [1\n')], {})).toThrow(
      /^state\.yaml:3: not valid YAML/,
    );
    expect(() => kafkaGitopsImporter.convert([source('topics:\n  t:\n    partitions: many\n')], {})).toThrow(
      'state.yaml:3: topics.t.partitions: expected a number, got "many"',
    );
  });
});
