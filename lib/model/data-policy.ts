import { z } from 'zod';

export const RedactionSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('all') }),
  z.strictObject({ type: z.literal('hash') }),
  z.strictObject({ type: z.literal('last-n'), n: z.int().positive() }),
]);
export type Redaction = z.infer<typeof RedactionSchema>;

/** Fields to mask (names or dotted paths, `*` wildcards) on the topics it covers (names or `*` patterns). */
export const DataPolicySpecSchema = z
  .strictObject({
    topics: z.array(z.string().min(1)).min(1).describe('Topic names or `*` patterns it covers.'),
    fields: z.array(z.string().min(1)).min(1).describe('Field names or dotted paths to mask, `*` wildcards allowed.'),
    redaction: RedactionSchema.default({ type: 'all' }).describe(
      '`all` hides the value, `hash` shows a hash, `last-n` keeps the last `n` characters.',
    ),
  })
  .describe('Fields masked whenever Landscape shows records of these topics (`landscape peek`, topic samples).');
export type DataPolicySpec = z.infer<typeof DataPolicySpecSchema>;
