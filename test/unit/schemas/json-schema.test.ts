import { describe, expect, it } from 'vitest';
import { normalizeSchema } from '../../../lib/schemas/index.ts';

describe('normalizeSchema (JSON Schema)', () => {
  it('sorts keys at every level and drops whitespace', () => {
    const a = normalizeSchema(
      'JSON',
      '{ "type": "object",\n  "properties": { "b": { "type": "integer" }, "a": { "type": "string" } } }',
      [],
    );
    const b = normalizeSchema(
      'JSON',
      { properties: { a: { type: 'string' }, b: { type: 'integer' } }, type: 'object' },
      [],
    );
    expect(a).toEqual({
      ok: true,
      canonical: '{"properties":{"a":{"type":"string"},"b":{"type":"integer"}},"type":"object"}',
    });
    expect(b).toEqual(a);
  });

  it('keeps array order (enum, required, items tuples)', () => {
    const a = normalizeSchema('JSON', { type: 'string', enum: ['b', 'a'] }, []);
    const b = normalizeSchema('JSON', { type: 'string', enum: ['a', 'b'] }, []);
    expect(a).not.toEqual(b);
  });

  it('checks the schema against its meta-schema, one problem per place', () => {
    const result = normalizeSchema('JSON', { type: 'object', properties: { a: { type: 'strin' } } }, []);
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          message:
            'not a valid JSON Schema at /properties/a/type: must be equal to one of the allowed values ("array", "boolean", "integer", "null", "number", "object", "string")',
        },
      ],
    });
  });

  it('uses the draft the schema declares (2020-12)', () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      prefixItems: [{ type: 'string' }],
      type: 'array',
    };
    expect(normalizeSchema('JSON', schema, []).ok).toBe(true);
  });

  it('accepts vendor keywords registries use', () => {
    expect(normalizeSchema('JSON', { type: 'object', javaType: 'com.x.Order', 'connect.index': 1 }, []).ok).toBe(true);
  });

  it('reports a $ref nobody provides, and accepts one a reference provides', () => {
    const schema = { type: 'object', properties: { customer: { $ref: 'customer.json' } } };
    const missing = normalizeSchema('JSON', schema, []);
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.problems[0]?.message).toBe('unresolved $ref "customer.json"');
    expect(normalizeSchema('JSON', schema, ['customer.json']).ok).toBe(true);
  });

  it('reports JSON syntax errors with line and column', () => {
    const result = normalizeSchema('JSON', '{\n  "type": "object",\n}', []);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toMatchObject({ line: 3, column: 1 });
  });
});
