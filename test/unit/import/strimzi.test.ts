import { describe, expect, it } from 'vitest';
import { landscapeAccess } from '../../../lib/import/access-expander.ts';
import { ImportFormatError } from '../../../lib/import/source.ts';
import { strimziImporter } from '../../../lib/import/strimzi.ts';
import { appliedByStrimzi } from '../../fixtures/import/strimzi/applied.ts';
import { bindingKeys, fixture, generatedBindings, validateAll } from './helpers.ts';

const same = (name: string) => name;
const files = [fixture('strimzi', 'topics.yaml'), fixture('strimzi', 'users.yaml')];
const source = (text: string) => ({ path: 'crs.yaml', text });

describe('strimzi importer', () => {
  it('writes topics, users, quotas and ACLs that are exactly what the Strimzi operators apply', () => {
    const result = strimziImporter.convert(files, {});
    validateAll(result.documents);
    const applied = appliedByStrimzi(same);
    expect(generatedBindings(result.documents)).toEqual(bindingKeys(applied.acls ?? []));
    const byKind = (kind: string) => result.documents.filter((d) => d.kind === kind);
    expect(byKind('Topic').map((d) => [d.name, d.labels, d.spec])).toEqual([
      [
        'acme.orders',
        { team: 'acme-shop' },
        { partitions: 3, replicationFactor: 1, config: { 'retention.ms': '604800000', 'cleanup.policy': 'delete' } },
      ],
      ['acme.payments', undefined, { partitions: 2, replicationFactor: 1, config: { 'min.insync.replicas': '1' } }],
    ]);
    expect(byKind('User').map((d) => d.spec)).toEqual([
      {
        mechanism: 'SCRAM-SHA-512',
        password: { secretRef: { provider: 'env', name: 'ACME_ORDERS_PASSWORD' } },
        iterations: 4096,
      },
      {
        mechanism: 'SCRAM-SHA-512',
        password: { secretRef: { provider: 'env', name: 'ACME_REPORTER_PASSWORD' } },
        iterations: 4096,
      },
    ]);
    expect(byKind('Quota').map((d) => d.spec)).toEqual([
      { user: 'acme-orders', producerByteRate: 1048576, consumerByteRate: 2097152 },
      { user: 'CN=acme-audit', requestPercentage: 25 },
    ]);
    expect(result.losses.map((l) => `${l.at.file}:${l.at.line} ${l.construct}`)).toEqual([
      'test/fixtures/import/strimzi/topics.yaml:30 Kafka "acme-cluster"',
      'test/fixtures/import/strimzi/users.yaml:65 KafkaUser "acme-audit" authentication tls',
    ]);
    expect(result.notes.map((n) => n.message)).toEqual([
      expect.stringContaining('user "acme-orders": point its password at your secret'),
      expect.stringContaining('Kubernetes Secret "acme-reporter-credentials" key "password"'),
    ]);
  });

  it('uses roles where the ACLs are exactly a role, and keeps the rest as Acl documents', () => {
    const result = strimziImporter.convert(files, { access: landscapeAccess });
    expect(generatedBindings(result.documents)).toEqual(bindingKeys(appliedByStrimzi(same).acls ?? []));
    const access = Object.fromEntries(result.documents.filter((d) => d.kind === 'Access').map((d) => [d.name, d.spec]));
    expect(access).toEqual({
      'acme-orders': {
        principals: ['User:acme-orders'],
        consumer: [{ topics: ['acme.payments'], group: 'acme-orders' }],
        producer: [{ topics: ['acme.orders'], idempotent: false }],
      },
      'acme-audit': {
        principals: ['User:CN=acme-audit'],
        consumer: [{ topicPrefixes: ['acme.'], group: 'acme-audit' }],
      },
    });
    // The reporter may READ but not DESCRIBE its topic: less than a consumer role, so its ACLs stay raw.
    expect(result.documents.filter((d) => d.kind === 'Acl' && d.name.startsWith('acme-reporter'))).toHaveLength(2);
  });

  it('refuses a file that is not Strimzi resources, naming file and line', () => {
    expect(() => strimziImporter.convert([source('topics:\n  orders:\n    partitions: 1\n')], {})).toThrow(
      ImportFormatError,
    );
    expect(() => strimziImporter.convert([source('topics:\n  orders:\n    partitions: 1\n')], {})).toThrow(
      'crs.yaml:1: apiVersion: not a Strimzi resource: expected apiVersion kafka.strimzi.io/v1beta2 (or v1), got none',
    );
    const badAcl = [
      'apiVersion: kafka.strimzi.io/v1beta2',
      'kind: KafkaUser',
      'metadata: { name: u }',
      'spec:',
      '  authorization:',
      '    type: simple',
      '    acls:',
      '      - resource: { type: topic, name: t }',
      '        operations: [Reed]',
    ].join('\n');
    expect(() => strimziImporter.convert([source(badAcl)], {})).toThrow(
      /^crs\.yaml:9: spec\.authorization\.acls\[0\]\.operations\[0\]: unknown operation "Reed"/,
    );
  });

  it('lists a topic without partitions instead of guessing the broker default', () => {
    const result = strimziImporter.convert(
      [source('apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaTopic\nmetadata:\n  name: t\nspec:\n  replicas: 1\n')],
      {},
    );
    expect(result.documents).toEqual([]);
    expect(result.losses.map((l) => `${l.at.line} ${l.reason}`)).toEqual([
      expect.stringMatching(/^5 spec\.partitions is not set/),
    ]);
  });
});
