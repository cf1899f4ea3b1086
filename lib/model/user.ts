import { z } from 'zod';
import { SecretRefSchema } from './common.ts';

/** A SCRAM user. The password is only ever a secret reference; plans show "changed"/"unchanged". */
export const UserSpecSchema = z.strictObject({
  mechanism: z.enum(['SCRAM-SHA-256', 'SCRAM-SHA-512']).default('SCRAM-SHA-512'),
  password: SecretRefSchema,
  iterations: z.int().min(4096, 'Kafka requires at least 4096 iterations').max(16384).default(8192),
});
export type UserSpec = z.infer<typeof UserSpecSchema>;
