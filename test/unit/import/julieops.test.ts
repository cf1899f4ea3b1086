import { describe, expect, it } from 'vitest';
import { landscapeAccess } from '../../../lib/import/access-expander.ts';
import { julieOpsImporter } from '../../../lib/import/julieops.ts';
import { ImportFormatError } from '../../../lib/import/source.ts';
import { appliedByJulieOps } from '../../fixtures/import/julieops/applied.ts';
import { bindingKeys, fixture, generatedBindings, validateAll } from './helpers.ts';

const same = (name: string) => name;
const files = [fixture('julieops', 'descriptor.yaml'), fixture('julieops', 'plans.yaml')];
const source = (text: string) => ({ path: 'topology.yaml', text });

describe('julieops importer', () => {
  it('generates exactly the bindings JulieOps applies, with roles for consumers, producers, streams and Connect', () => {
    const result = julieOpsImporter.convert(files, { access: landscapeAccess });
    validateAll(result.documents);
    expect(generatedBindings(result.documents)).toEqual(bindingKeys(appliedByJulieOps(same).acls ?? []));
    const access = result.documents.filter((d) => d.kind === 'Access').map((d) => d.name);
    expect(access).toEqual([
      'orders-acme-billing',
      'orders-acme-audit',
      'orders-acme-orders',
      'orders-acme-ledger',
      'orders-acme-auditor',
      'orders-acme-enricher',
      'acme-connect',
    ]);
    const spec = (name: string) => result.documents.find((d) => d.kind === 'Access' && d.name === name)?.spec;
    // JulieOps's own streams and Connect grants: the roles with `aclStyle: julieops`.
    expect(spec('orders-acme-enricher')).toEqual({
      principals: ['User:acme-enricher'],
      streams: [
        {
          applicationId: 'acme-enricher',
          inputs: ['acme.shop.test.web.orders.events.avro'],
          outputs: ['acme.shop.test.web.orders.enriched'],
          aclStyle: 'julieops',
        },
      ],
    });
    expect(spec('acme-connect')).toEqual({
      principals: ['User:acme-connect'],
      connectWorker: [
        {
          group: 'acme-connect',
          configTopic: 'acme-connect-configs',
          offsetTopic: 'acme-connect-offsets',
          statusTopic: 'acme-connect-status',
          aclStyle: 'julieops',
        },
      ],
    });
    // The worker's connector topics are read and written; one it only reads stays a raw ACL.
    expect(result.documents.filter((d) => d.kind === 'Acl').map((d) => d.name)).toEqual([
      'acme-connect-topic-acme.shop.test.web.orders.enriched',
    ]);
    expect(result.losses.map((l) => `${l.at.file}:${l.at.line} ${l.construct}`)).toEqual([
      'test/fixtures/import/julieops/descriptor.yaml:35 project "orders" rbac',
      'test/fixtures/import/julieops/descriptor.yaml:45 topic "events" field "schemas"',
    ]);
  });

  it('names topics context.attributes.project.topic.dataType; a shared plan becomes TopicDefaults', () => {
    const result = julieOpsImporter.convert(files, {});
    const topics = result.documents.filter((d) => d.kind === 'Topic');
    expect(topics.map((t) => [t.name, t.labels, t.spec])).toEqual([
      ['acme.shop.test.web.orders.events.avro', { plan: 'gold' }, { partitions: 3, replicationFactor: 1 }],
      [
        'acme.shop.test.web.orders.enriched',
        { plan: 'gold', owner: 'acme-enricher' },
        { partitions: 2, replicationFactor: 'default', config: { 'retention.ms': '86400000' } },
      ],
      // silver is used once: merged into the topic instead of a TopicDefaults of its own.
      [
        'acme.shop.test.web.orders.audit',
        { plan: 'silver' },
        { partitions: 1, replicationFactor: 1, config: { 'retention.ms': '3600000' } },
      ],
    ]);
    expect(result.documents.filter((d) => d.kind === 'TopicDefaults').map((d) => [d.name, d.spec])).toEqual([
      [
        'plan-gold',
        { match: { labels: { plan: 'gold' } }, config: { 'retention.ms': '604800000', 'cleanup.policy': 'delete' } },
      ],
    ]);
  });

  it('refuses files that are not JulieOps descriptors or plans, and a plan no file defines', () => {
    expect(() => julieOpsImporter.convert([source('topics:\n  orders:\n    partitions: 1\n')], {})).toThrow(
      ImportFormatError,
    );
    expect(() => julieOpsImporter.convert([source('topics:\n  orders:\n    partitions: 1\n')], {})).toThrow(
      'topology.yaml:1: not a JulieOps descriptor (no "context") or plans file (no "plans")',
    );
    const missingPlan = 'context: c\nprojects:\n  - name: p\n    topics:\n      - name: t\n        plan: bronze\n';
    expect(() => julieOpsImporter.convert([source(missingPlan)], {})).toThrow(
      /^topology\.yaml:6: projects\[0\]\.topics\[0\]\.plan: plan "bronze" is not in any plans file given/,
    );
  });
});
