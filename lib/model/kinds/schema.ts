import { z } from 'zod';
import type { FieldChange } from '../plan.ts';

export const SchemaTypeSchema = z.enum(['AVRO', 'JSON', 'PROTOBUF']);
export type SchemaType = z.infer<typeof SchemaTypeSchema>;

export const CompatibilitySchema = z.enum([
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'NONE',
]);

export const SchemaSpecSchema = z
  .strictObject({
    subject: z.string().min(1).optional().describe('The registry subject; default `metadata.name`.'),
    type: SchemaTypeSchema.default('AVRO').describe('`AVRO`, `JSON` (JSON Schema) or `PROTOBUF`.'),
    schema: z
      .union([z.string(), z.record(z.string(), z.unknown())])
      .optional()
      .describe('The schema inline: text, or (Avro, JSON) a YAML mapping. Exactly one of `schema` or `file`.'),
    // The loader refuses a path that resolves outside the config directory, symbolic links included.
    file: z
      .string()
      .min(1)
      .refine((path) => !/^([/\\]|[A-Za-z]:)/.test(path) && !path.includes('\0'), {
        message: 'must be a path relative to the YAML file, inside the config directory',
      })
      .optional()
      .describe('A schema file, relative to this YAML file and inside the config directory.'),
    references: z
      .array(
        z.strictObject({
          name: z
            .string()
            .min(1)
            .describe('The name the schema imports it by (Avro full name, Protobuf import path, JSON `$ref`).'),
          subject: z.string().min(1),
          version: z.int().positive(),
        }),
      )
      .default([])
      .describe('Schemas this one imports, by subject and version.'),
    compatibility: CompatibilitySchema.optional().describe(
      "The subject's compatibility level; absent leaves it to the registry's global level.",
    ),
  })
  .refine((s) => (s.schema === undefined) !== (s.file === undefined), {
    message: 'set exactly one of "schema" (inline) or "file"',
    path: ['schema'],
  })
  .describe('A schema registry subject: its latest version, type, references and compatibility level.');
export type SchemaSpec = z.infer<typeof SchemaSpecSchema>;

/** A subject as rendered (renderSchema, lib/plan/kinds/schema.ts). */
export interface SchemaDesired {
  subject: string;
  type: SchemaType;
  /** Canonical text (lib/schemas). */
  schema: string;
  references: { name: string; subject: string; version: number }[];
  compatibility?: string;
}

/** A subject as the registry adapter observes it: its latest version, normalized the same way. */
export interface SchemaLive {
  subject: string;
  type: SchemaType;
  schema: string;
  references: { name: string; subject: string; version: number }[];
  /** The effective level (the subject's own, else the registry's global one). */
  compatibility: string;
  version: number;
  id: number;
}

/** Field paths of a Schema change; apply keys its steps on them. */
export const SCHEMA_FIELDS = {
  schema: 'schema',
  references: 'references',
  type: 'type',
  compatibility: 'compatibility',
} as const;

/** The fields that need a new version to be registered. */
export function needsNewVersion(fields: readonly FieldChange[]): boolean {
  return fields.some((f) => f.path === 'schema' || f.path === 'references' || f.path === 'type');
}
