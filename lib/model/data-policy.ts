import { z } from 'zod';

export const RedactionSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('all') }),
  z.strictObject({ type: z.literal('hash') }),
  z.strictObject({ type: z.literal('last-n'), n: z.int().positive() }),
]);
export type Redaction = z.infer<typeof RedactionSchema>;

/** Fields to mask (names or dotted paths, `*` wildcards) on the topics it covers (names or `*` patterns). */
export const DataPolicySpecSchema = z.strictObject({
  topics: z.array(z.string().min(1)).min(1),
  fields: z.array(z.string().min(1)).min(1),
  redaction: RedactionSchema.default({ type: 'all' }),
});
export type DataPolicySpec = z.infer<typeof DataPolicySpecSchema>;
