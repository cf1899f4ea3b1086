import { describe, expect, it } from 'vitest';
import { normalizeSchema } from '../../../lib/schemas/index.ts';

const canonical = (text: string) => {
  const result = normalizeSchema('PROTOBUF', text, []);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.canonical;
};

const ORDER = `syntax = "proto3";
package shop;

// An order.
message Order {
  string id = 1;          // the key
  repeated Item items = 2 [deprecated = true];
  map<string, int64> totals = 3;
  oneof payment { string card = 4; string iban = 5; }
  message Item { string sku = 1; }
  enum Status { NEW = 0; PAID = 1; }
  reserved 10 to 12;
}
`;

describe('normalizeSchema (Protobuf)', () => {
  it('prints one statement per line without comments', () => {
    expect(canonical(ORDER)).toBe(`syntax = "proto3";
package shop;
message Order {
  string id = 1;
  repeated Item items = 2 [deprecated = true];
  map<string, int64> totals = 3;
  oneof payment {
    string card = 4;
    string iban = 5;
  }
  message Item {
    string sku = 1;
  }
  enum Status {
    NEW = 0;
    PAID = 1;
  }
  reserved 10 to 12;
}
`);
  });

  it('gives differently formatted files the same canonical text', () => {
    const squeezed = `syntax='proto3';package shop;/* c */message Order{string id=1;repeated Item items=2[deprecated=true];map<string,int64>totals=3;oneof payment{string card=4;string iban=5;}message Item{string sku=1;}enum Status{NEW=0;PAID=1;}reserved 10 to 12;}`;
    expect(canonical(squeezed)).toBe(canonical(ORDER));
    expect(canonical(canonical(ORDER))).toBe(canonical(ORDER));
  });

  it('keeps declaration order (it decides message indexes on the wire)', () => {
    const a = canonical('syntax = "proto3"; message A { string x = 1; } message B { string y = 1; }');
    const b = canonical('syntax = "proto3"; message B { string y = 1; } message A { string x = 1; }');
    expect(a).not.toBe(b);
  });

  it('joins adjacent string literals and writes them double-quoted', () => {
    expect(canonical(`syntax = "proto3"; option java_package = 'com.' "shop";`)).toBe(
      'syntax = "proto3";\noption java_package = "com.shop";\n',
    );
  });

  it('reports a syntax error with its line', () => {
    const result = normalizeSchema('PROTOBUF', 'syntax = "proto3";\nmessage X {\n  string a = ;\n}', []);
    expect(result).toEqual({
      ok: false,
      problems: [{ message: "not a valid Protobuf schema: illegal id ';'", line: 3 }],
    });
  });

  it('reports an unknown type when the file imports nothing', () => {
    const result = normalizeSchema('PROTOBUF', 'syntax = "proto3";\nmessage X { Missing a = 1; }', []);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]?.message).toContain("no such Type or Enum 'Missing'");
  });

  it('leaves types from imported files to the registry', () => {
    const text = 'syntax = "proto3";\nimport "customer.proto";\nmessage X { shop.Customer c = 1; }';
    expect(normalizeSchema('PROTOBUF', text, ['customer.proto']).ok).toBe(true);
  });

  it('refuses a schema written as a YAML object', () => {
    expect(normalizeSchema('PROTOBUF', { syntax: 'proto3' }, []).ok).toBe(false);
  });
});
