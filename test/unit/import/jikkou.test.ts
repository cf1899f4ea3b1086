import { describe, expect, it } from 'vitest';
import { landscapeAccess } from '../../../lib/import/access-expander.ts';
import { jikkouImporter } from '../../../lib/import/jikkou.ts';
import { ImportFormatError } from '../../../lib/import/source.ts';
import { appliedByJikkou } from '../../fixtures/import/jikkou/applied.ts';
import { bindingKeys, fixture, generatedBindings, validateAll } from './helpers.ts';

const same = (name: string) => name;
const files = [fixture('jikkou', 'topics.yaml'), fixture('jikkou', 'access.yaml')];
const source = (text: string) => ({ path: 'jikkou.yaml', text });

describe('jikkou importer', () => {
  it('converts topics (with ConfigMaps), authorizations (with roles), quotas and users', () => {
    const result = jikkouImporter.convert(files, { access: landscapeAccess });
    validateAll(result.documents);
    expect(generatedBindings(result.documents)).toEqual(bindingKeys(appliedByJikkou(same).acls ?? []));
    expect(result.documents.filter((d) => d.kind === 'Topic').map((d) => [d.name, d.spec])).toEqual([
      [
        'acme.orders',
        {
          partitions: 3,
          replicationFactor: 1,
          config: { 'cleanup.policy': 'delete', 'min.insync.replicas': '1', 'retention.ms': '604800000' },
        },
      ],
      [
        'acme.payments',
        {
          partitions: 2,
          replicationFactor: 'default',
          config: { 'cleanup.policy': 'delete', 'min.insync.replicas': '1' },
        },
      ],
    ]);
    // The role KafkaPrincipalRole grants is exactly a consumer: billing's access is one role.
    expect(result.documents.find((d) => d.kind === 'Access' && d.name === 'acme-billing')?.spec).toEqual({
      principals: ['User:acme-billing'],
      consumer: [{ topics: ['acme.orders'], group: 'acme-readers' }],
    });
    expect(result.documents.filter((d) => d.kind === 'Quota').map((d) => d.spec)).toEqual([
      { user: 'acme-billing', consumerByteRate: 2097152 },
      { user: 'acme-orders', clientId: 'acme-orders-client', producerByteRate: 1048576, requestPercentage: 20 },
    ]);
    expect(result.documents.find((d) => d.kind === 'User')?.spec).toEqual({
      scram: [
        {
          mechanism: 'SCRAM-SHA-512',
          password: { secretRef: { provider: 'env', name: 'ACME_BILLING_PASSWORD' } },
          iterations: 8192,
        },
        {
          mechanism: 'SCRAM-SHA-256',
          password: { secretRef: { provider: 'env', name: 'ACME_BILLING_PASSWORD' } },
          iterations: 4096,
        },
      ],
    });
    expect(result.losses.map((l) => `${l.at.line} ${l.construct}`)).toEqual([
      '48 ACL of "User:acme-orders" on topic "acme-.*-events" (MATCH)',
    ]);
  });

  it('refuses what is not a Jikkou resource, and names a missing role or ConfigMap', () => {
    const strimzi = 'apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaTopic\nmetadata:\n  name: t\n';
    expect(() => jikkouImporter.convert([source(strimzi)], {})).toThrow(ImportFormatError);
    expect(() => jikkouImporter.convert([source(strimzi)], {})).toThrow(
      'jikkou.yaml:1: apiVersion: not a Jikkou resource: expected apiVersion kafka.jikkou.io/v1beta2 (or core.jikkou.io), got kafka.strimzi.io/v1beta2',
    );
    const missingRole =
      'apiVersion: kafka.jikkou.io/v1beta2\nkind: KafkaPrincipalAuthorization\nmetadata:\n  name: "User:a"\nspec:\n  roles: [ Nope ]\n';
    expect(() => jikkouImporter.convert([source(missingRole)], {})).toThrow(
      /^jikkou\.yaml:6: spec\.roles\[0\]: KafkaPrincipalRole "Nope" is not in any file given/,
    );
  });
});

describe('jikkou importer, what it does not convert', () => {
  it('lists annotations, and labels of resources other than topics, instead of dropping them', () => {
    const text = [
      'apiVersion: kafka.jikkou.io/v1', // 1
      'kind: KafkaUser', // 2
      'metadata:', // 3
      '  name: bob', // 4
      '  labels: { team: a }', // 5
      '  annotations:', // 6
      '    kafka.jikkou.io/force-password-renewal: true', // 7
      'spec:', // 8
      '  authentications:', // 9
      '    - type: scram-sha-512', // 10
    ].join('\n');
    const result = jikkouImporter.convert([{ path: 'users.yaml', text }], {});
    expect(result.losses.map((l) => `${l.at.line} ${l.construct}`)).toEqual([
      '7 KafkaUser "bob" annotation "kafka.jikkou.io/force-password-renewal"',
      '5 KafkaUser "bob" label "team"',
    ]);
    expect(result.documents.map((d) => d.kind)).toEqual(['User']);
  });
});
