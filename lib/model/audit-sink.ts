import { z } from 'zod';
import { SecretRefSchema, UrlOrSecretSchema } from './common.ts';

export const AuditSinkSpecSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('webhook'),
      url: UrlOrSecretSchema,
      secret: SecretRefSchema.optional().describe('HMAC-SHA256 signing secret of each record.'),
    }),
    z.strictObject({ type: z.literal('kafka'), topic: z.string().min(1) }),
    z.strictObject({ type: z.literal('s3'), bucket: z.string().min(1), prefix: z.string().default('audit/') }),
  ])
  .describe(
    'Where audit records (plans, applies, approvals, drift results) are sent, besides the state store: a webhook, a Kafka topic or an S3 bucket.',
  );
export type AuditSinkSpec = z.infer<typeof AuditSinkSpecSchema>;
