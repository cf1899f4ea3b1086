import { z } from 'zod';
import { SecretRefSchema, UrlOrSecretSchema } from './common.ts';

export const AuditSinkSpecSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('webhook'), url: UrlOrSecretSchema, secret: SecretRefSchema.optional() }),
  z.strictObject({ type: z.literal('kafka'), topic: z.string().min(1) }),
  z.strictObject({ type: z.literal('s3'), bucket: z.string().min(1), prefix: z.string().default('audit/') }),
]);
export type AuditSinkSpec = z.infer<typeof AuditSinkSpecSchema>;
