import { describe, expect, it } from 'vitest';
import { landscapeAccess } from '../../../lib/import/access-expander.ts';
import { ImportFormatError } from '../../../lib/import/source.ts';
import { terraformStateImporter } from '../../../lib/import/terraform-state.ts';
import { appliedByTerraform } from '../../fixtures/import/terraform-state/applied.ts';
import { bindingKeys, fixture, generatedBindings, validateAll } from './helpers.ts';

const same = (name: string) => name;
const source = (text: string) => ({ path: 'show.json', text });

describe('terraform-state importer', () => {
  it('converts the Kafka provider resources of every module, one to one, with JSON line numbers', () => {
    const result = terraformStateImporter.convert([fixture('terraform-state', 'show.json')], {
      access: landscapeAccess,
    });
    validateAll(result.documents);
    const applied = appliedByTerraform(same);
    expect(generatedBindings(result.documents)).toEqual(bindingKeys(applied.acls ?? []));
    expect(result.documents.filter((d) => d.kind === 'Topic').map((d) => d.name)).toEqual([
      'acme.orders',
      'acme.payments',
    ]);
    expect(result.documents.filter((d) => d.kind === 'Quota').map((d) => d.spec)).toEqual([
      { user: 'acme-billing', consumerByteRate: 2097152, producerByteRate: 1048576 },
      { clientId: 'acme-reporting', requestPercentage: 30 },
    ]);
    // Two credential resources of one user: one User with both mechanisms; never the state's password.
    const [user] = result.documents.filter((d) => d.kind === 'User');
    expect(user?.spec).toEqual({
      scram: [
        {
          mechanism: 'SCRAM-SHA-256',
          password: { secretRef: { provider: 'env', name: 'ACME_BILLING_PASSWORD' } },
          iterations: 4096,
        },
        {
          mechanism: 'SCRAM-SHA-512',
          password: { secretRef: { provider: 'env', name: 'ACME_BILLING_PASSWORD' } },
          iterations: 8192,
        },
      ],
    });
    expect(JSON.stringify(result)).not.toContain('fixture-placeholder');
    expect(result.losses.map((l) => `${l.at.line} ${l.construct}`)).toEqual([
      '161 data source data.kafka_topic.existing',
      '230 module.payments.confluent_role_binding.owner (confluent_role_binding)',
    ]);
  });

  it('refuses what is not terraform show -json output, naming file and line', () => {
    expect(() => terraformStateImporter.convert([source('topics:\n  a: 1\n')], {})).toThrow(ImportFormatError);
    expect(() => terraformStateImporter.convert([source('topics:\n  a: 1\n')], {})).toThrow(
      'show.json:1: not the JSON of terraform show -json: expected a JSON object',
    );
    expect(() => terraformStateImporter.convert([source('{\n  "version": 4,\n  "resources": []\n}\n')], {})).toThrow(
      'show.json:1: not the JSON of terraform show -json: expected "format_version" and "values"',
    );
    const badAcl = JSON.stringify(
      {
        format_version: '1.0',
        values: {
          root_module: {
            resources: [
              {
                address: 'kafka_acl.a',
                mode: 'managed',
                type: 'kafka_acl',
                values: { acl_principal: 'User:a', resource_type: 'Topik', resource_name: 't', acl_operation: 'Read' },
              },
            ],
          },
        },
      },
      null,
      2,
    );
    expect(() => terraformStateImporter.convert([source(badAcl)], {})).toThrow(
      /^show\.json:12: values\.root_module\.resources\[0\]\.values\.resource_type: unknown resource type "Topik"/,
    );
  });
});
