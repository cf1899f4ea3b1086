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
    /** Defaults to metadata.name. */
    subject: z.string().min(1).optional(),
    type: SchemaTypeSchema.default('AVRO'),
    /** Inline schema: text, or (Avro/JSON) a YAML object. */
    schema: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    /**
     * Path relative to the document's file, inside the config directory (the loader refuses anything that
     * resolves outside it, symbolic links included).
     */
    file: z
      .string()
      .min(1)
      .refine((path) => !/^([/\\]|[A-Za-z]:)/.test(path) && !path.includes('\0'), {
        message: 'must be a path relative to the YAML file, inside the config directory',
      })
      .optional(),
    references: z
      .array(z.strictObject({ name: z.string().min(1), subject: z.string().min(1), version: z.int().positive() }))
      .default([]),
    compatibility: CompatibilitySchema.optional(),
  })
  .refine((s) => (s.schema === undefined) !== (s.file === undefined), {
    message: 'set exactly one of "schema" (inline) or "file"',
    path: ['schema'],
  });
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
