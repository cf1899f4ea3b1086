/**
 * Local, pure schema handling for the Schema kind: parse and check a schema the way its format defines it,
 * and give it one canonical text so that formatting never shows up as a change.
 * No I/O: files were read by the loader, subjects live in the registry adapter.
 */
import { avroFieldSignatures, comparableAvro, describeAvro, normalizeAvro } from './avro.ts';
import { describeJsonSchema, jsonSchemaPropertySignatures, normalizeJsonSchema } from './json-schema.ts';
import { describeProtobuf, normalizeProtobuf, protobufFieldSignatures } from './protobuf.ts';
import type { SchemaInput, SchemaParseResult, SchemaType } from './types.ts';

export type { SchemaInput, SchemaParseResult, SchemaProblem } from './types.ts';

/**
 * Parses `input` as a schema of `type` and returns its canonical text (what is registered and compared), or
 * the problems found, with lines and columns inside the schema text where the parser gives them.
 *
 * @example
 * normalizeSchema('AVRO', '{ "type": "string" }', []); // { ok: true, canonical: '"string"' }
 */
export function normalizeSchema(
  type: SchemaType,
  input: SchemaInput,
  referenceNames: readonly string[],
): SchemaParseResult {
  switch (type) {
    case 'AVRO':
      return normalizeAvro(input, referenceNames);
    case 'JSON':
      return normalizeJsonSchema(input, referenceNames);
    case 'PROTOBUF':
      return normalizeProtobuf(input, referenceNames);
  }
}

/**
 * The form two schemas are compared in: the canonical text, minus what registries ignore when they decide
 * whether a schema is new (Avro `doc` and `aliases`). Equal comparable forms mean "no new version".
 */
export function comparableSchema(type: SchemaType, canonical: string): string {
  return type === 'AVRO' ? comparableAvro(canonical) : canonical;
}

/** A one-line description for plans: `AVRO record shop.Order (4 fields)`. */
export function describeSchema(type: SchemaType, canonical: string): string {
  switch (type) {
    case 'AVRO':
      return `AVRO ${describeAvro(canonical)}`;
    case 'JSON':
      return `JSON ${describeJsonSchema(canonical)}`;
    case 'PROTOBUF':
      return `PROTOBUF ${describeProtobuf(canonical)}`;
  }
}

function signatures(type: SchemaType, canonical: string): Map<string, string> {
  switch (type) {
    case 'AVRO':
      return avroFieldSignatures(canonical);
    case 'JSON':
      return jsonSchemaPropertySignatures(canonical);
    case 'PROTOBUF':
      return protobufFieldSignatures(canonical);
  }
}

const list = (names: string[]) =>
  names.length > 8 ? `${names.slice(0, 8).join(', ')}, +${names.length - 8} more` : names.join(', ');

/**
 * What a new version changes, field by field where the format has fields:
 * `fields added: Order.note; changed: Order.amount`. Falls back to "schema changed".
 */
export function summarizeSchemaChange(type: SchemaType, before: string, after: string): string {
  const old = signatures(type, before);
  const next = signatures(type, after);
  const added = [...next.keys()].filter((k) => !old.has(k)).sort();
  const removed = [...old.keys()].filter((k) => !next.has(k)).sort();
  const changed = [...next.keys()].filter((k) => old.has(k) && old.get(k) !== next.get(k)).sort();
  const parts = [
    added.length > 0 ? `added: ${list(added)}` : '',
    removed.length > 0 ? `removed: ${list(removed)}` : '',
    changed.length > 0 ? `changed: ${list(changed)}` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join('; ') : 'schema changed (no field-level difference found)';
}
