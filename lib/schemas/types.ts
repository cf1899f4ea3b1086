import type { SchemaType } from '../model/kinds/schema.ts';

/** One problem found while parsing a schema locally. Lines and columns are 1-based, within the schema text. */
export interface SchemaProblem {
  message: string;
  line?: number;
  column?: number;
  hint?: string;
}

/** The result of parsing a schema: its canonical text, or every problem found. */
export type SchemaParseResult = { ok: true; canonical: string } | { ok: false; problems: SchemaProblem[] };

/** What a schema may be given as: text, or (Avro and JSON Schema) an object written in YAML. */
export type SchemaInput = string | Record<string, unknown>;

export type { SchemaType };
