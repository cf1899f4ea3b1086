import { z } from 'zod';

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
