import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../lib/config/load-config.ts';
import { renderDesired } from '../../../../lib/plan/render-desired.ts';
import { configDir } from '../../../support/builders.ts';

const ENVIRONMENT = `apiVersion: landscape.dev/v1
kind: Environment
metadata: { name: test }
spec:
  kafka: { bootstrapServers: ["127.0.0.1:9092"] }
  schemaRegistry: { url: "http://127.0.0.1:8081/apis/ccompat/v7" }
`;

async function render(files: Record<string, string>) {
  const root = await configDir({ 'environment.yaml': ENVIRONMENT, ...files });
  return { root, ...renderDesired(await loadConfig(root, 'test')) };
}

describe('renderSchema', () => {
  it('renders a subject with the canonical schema, references and compatibility', async () => {
    const { resources, problems } = await render({
      'schemas.yaml': `apiVersion: landscape.dev/v1
kind: Schema
metadata: { name: orders-value }
spec:
  compatibility: FULL
  references: [{ name: shop.Customer, subject: customers-value, version: 2 }]
  schema: |
    { "type": "record", "name": "Order", "namespace": "shop",
      "fields": [ { "name": "customer", "type": "Customer" } ] }
`,
    });
    expect(problems).toEqual([]);
    expect(resources).toEqual([
      {
        key: 'schema/subject/orders-value',
        kind: 'Schema',
        name: 'orders-value',
        spec: {
          subject: 'orders-value',
          type: 'AVRO',
          schema: '{"name":"shop.Order","type":"record","fields":[{"name":"customer","type":"shop.Customer"}]}',
          references: [{ name: 'shop.Customer', subject: 'customers-value', version: 2 }],
          compatibility: 'FULL',
        },
        source: expect.objectContaining({ line: 1 }),
      },
    ]);
  });

  it('takes the subject from spec.subject and accepts a schema written as YAML', async () => {
    const { resources } = await render({
      'schemas.yaml': `apiVersion: landscape.dev/v1
kind: Schema
metadata: { name: payments }
spec:
  subject: payments-value
  type: JSON
  schema: { type: object, properties: { id: { type: string } } }
`,
    });
    expect(resources[0]?.key).toBe('schema/subject/payments-value');
    expect(resources[0]?.spec.schema).toBe('{"properties":{"id":{"type":"string"}},"type":"object"}');
    expect(resources[0]?.spec).not.toHaveProperty('compatibility');
  });

  it('reports a broken schema file at its own line and column', async () => {
    const { root, problems, resources } = await render({
      'schemas/orders.yaml': `apiVersion: landscape.dev/v1
kind: Schema
metadata: { name: orders-value }
spec: { file: ../avro/order.avsc }
`,
      'avro/order.avsc':
        '{\n  "type": "record",\n  "name": "Order",\n  "fields": [\n    { "name": "id" "type": "string" }\n  ]\n}\n',
    });
    expect(resources).toEqual([]);
    expect(problems).toEqual([
      {
        file: join(root, 'avro/order.avsc'),
        line: 5,
        column: 20,
        resource: 'Schema "orders-value"',
        message: "not valid JSON: Expected ',' or '}' after property value",
        hint: 'an Avro schema is JSON',
      },
    ]);
  });

  it('reports a broken inline schema at its line in the YAML file', async () => {
    const { root, problems } = await render({
      'schemas.yaml': `apiVersion: landscape.dev/v1
kind: Schema
metadata: { name: events }
spec:
  type: PROTOBUF
  schema: |
    syntax = "proto3";
    message Event {
      string id = ;
    }
`,
    });
    expect(problems).toEqual([
      expect.objectContaining({
        file: join(root, 'schemas.yaml'),
        line: 9,
        field: 'spec.schema',
        resource: 'Schema "events"',
        message: "not a valid Protobuf schema: illegal id ';' (schema line 3)",
      }),
    ]);
  });

  it('reports semantic problems at the schema field', async () => {
    const { root, problems } = await render({
      'schemas.yaml': `apiVersion: landscape.dev/v1
kind: Schema
metadata: { name: people }
spec:
  schema: { type: record, name: Person, fields: [{ name: address, type: Address }] }
`,
    });
    expect(problems).toEqual([
      expect.objectContaining({
        file: join(root, 'schemas.yaml'),
        line: 5,
        field: 'spec.schema',
        message: 'not a valid Avro schema: undefined type name: Address',
        hint: expect.stringContaining('spec.references'),
      }),
    ]);
  });
});
