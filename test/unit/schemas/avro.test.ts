import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { comparableSchema, normalizeSchema } from '../../../lib/schemas/index.ts';

const canonical = (input: string | Record<string, unknown>, refs: string[] = []) => {
  const result = normalizeSchema('AVRO', input, refs);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.canonical;
};

const order = {
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2 } },
    { name: 'item', type: { type: 'record', name: 'Item', fields: [{ name: 'sku', type: 'string' }] } },
    { name: 'items', type: { type: 'array', items: 'Item' } },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID'] }, default: 'NEW' },
  ],
};

describe('normalizeSchema (Avro)', () => {
  it('gives formatting, key order and namespace spelling one canonical text', () => {
    // Prepare
    const compact = JSON.stringify(order);
    const spaced = JSON.stringify(order, null, 4);
    const reordered = JSON.stringify({
      fields: order.fields.map((f) => Object.fromEntries(Object.entries(f).reverse())),
      namespace: 'shop',
      name: 'Order',
      type: 'record',
    });
    const fullNames = JSON.stringify({ ...order, namespace: undefined, name: 'shop.Order' });

    // Act
    const forms = [compact, spaced, reordered, fullNames].map((text) => canonical(text));

    // Assess
    expect(new Set(forms).size).toBe(1);
    expect(forms[0]).toBe(
      '{"name":"shop.Order","type":"record","fields":[{"name":"id","type":"string"},{"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},{"name":"item","type":{"name":"shop.Item","type":"record","fields":[{"name":"sku","type":"string"}]}},{"name":"items","type":{"type":"array","items":"shop.Item"}},{"name":"status","type":{"name":"shop.Status","type":"enum","symbols":["NEW","PAID"]},"default":"NEW"}]}',
    );
  });

  it('writes {"type": "string"} as "string" and drops the default sort order', () => {
    const a = canonical({
      type: 'record',
      name: 'A',
      fields: [{ name: 'a', type: { type: 'string' }, order: 'ascending' }],
    });
    const b = canonical({ type: 'record', name: 'A', fields: [{ name: 'a', type: 'string' }] });
    expect(a).toBe(b);
    expect(
      canonical({ type: 'record', name: 'A', fields: [{ name: 'a', type: 'string', order: 'descending' }] }),
    ).not.toBe(b);
  });

  it('keeps field order, defaults and custom properties: they change the schema', () => {
    const base = canonical(JSON.stringify(order));
    const swapped = canonical(
      JSON.stringify({ ...order, fields: [order.fields[1], order.fields[0], ...order.fields.slice(2)] }),
    );
    const withDefault = canonical(
      JSON.stringify({ ...order, fields: [{ name: 'id', type: 'string', default: '' }, ...order.fields.slice(1)] }),
    );
    const withProperty = canonical(JSON.stringify({ ...order, 'x-owner': 'payments' }));
    expect(new Set([base, swapped, withDefault, withProperty]).size).toBe(4);
  });

  it('keeps docs in the canonical text but ignores them (and aliases) when comparing', () => {
    const plain = canonical(JSON.stringify(order));
    const documented = canonical(
      JSON.stringify({
        ...order,
        doc: 'an order',
        fields: [{ name: 'id', type: 'string', doc: 'id', aliases: ['key'] }, ...order.fields.slice(1)],
      }),
    );
    expect(documented).toContain('"doc":"an order"');
    expect(documented).not.toBe(plain);
    expect(comparableSchema('AVRO', documented)).toBe(comparableSchema('AVRO', plain));
  });

  it('never loses meaning: the canonical text parses to the same canonical text (random records)', () => {
    const fieldName = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
    const primitive = fc.constantFrom('null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string');
    const record = fc.uniqueArray(fc.record({ name: fieldName, type: primitive, wrapped: fc.boolean() }), {
      minLength: 1,
      maxLength: 6,
      selector: (f) => f.name,
    });
    fc.assert(
      fc.property(record, fc.integer({ min: 0, max: 4 }), (fields, indent) => {
        const schema = {
          type: 'record',
          name: 'R',
          namespace: 'p',
          fields: fields.map((f) => ({ name: f.name, type: f.wrapped ? { type: f.type } : f.type })),
        };
        const once = canonical(JSON.stringify(schema, null, indent));
        expect(canonical(once)).toBe(once);
        expect(JSON.parse(once).fields.map((f: { name: string }) => f.name)).toEqual(fields.map((f) => f.name));
      }),
    );
  });

  it('reports a JSON syntax error at its line and column', () => {
    const result = normalizeSchema('AVRO', '{\n  "type": "record",\n  "name": "A"\n  "fields": []\n}', []);
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          message: "not valid JSON: Expected ',' or '}' after property value",
          line: 4,
          column: 3,
          hint: 'an Avro schema is JSON',
        },
      ],
    });
  });

  it('reports an undefined type name where it is used, with the fix', () => {
    const text =
      '{\n  "type": "record",\n  "name": "Person",\n  "fields": [\n    { "name": "address", "type": "Address" }\n  ]\n}';
    const result = normalizeSchema('AVRO', text, []);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]).toMatchObject({
      message: 'not a valid Avro schema: undefined type name: Address',
      line: 5,
      column: 34,
    });
    expect(result.problems[0]?.hint).toContain('spec.references');
  });

  it('accepts names defined by referenced subjects', () => {
    const text = JSON.stringify({ type: 'record', name: 'x.Person', fields: [{ name: 'address', type: 'x.Address' }] });
    expect(normalizeSchema('AVRO', text, ['x.Address']).ok).toBe(true);
  });

  it('reports an invalid default', () => {
    const result = normalizeSchema(
      'AVRO',
      { type: 'record', name: 'A', fields: [{ name: 'a', type: 'int', default: 'x' }] },
      [],
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]?.message).toMatch(/^not a valid Avro schema: .*default/);
  });
});
