import { z } from 'zod';
import { SecretOrStringSchema, SecretRefSchema } from '../common.ts';

/** How Landscape reaches the Kafka brokers of an environment (`spec.kafka`). */
export const KafkaConnectionSchema = z.strictObject({
  bootstrapServers: z.array(z.string().regex(/^[^\s:]+:\d+$/, 'expected "host:port"')).min(1),
  clientId: z.string().default('landscape'),
  sasl: z
    .strictObject({
      mechanism: z.enum(['scram-sha-256', 'scram-sha-512', 'plain']),
      username: z.string().min(1),
      password: SecretRefSchema,
    })
    .optional(),
  tls: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** PEM text, or a secret reference to it. */
      ca: SecretOrStringSchema.optional(),
      rejectUnauthorized: z.boolean().default(true),
      serverName: z.string().optional(),
    })
    .optional(),
  /** Per-request timeout for admin calls. */
  requestTimeoutMs: z.int().positive().default(30_000),
  /**
   * The brokers' Kafka version (`3.9`, `4.1`, `4.1.2`): topic configs are checked against that version's own
   * definitions (names, types, ranges). Default: the newest version Landscape knows.
   */
  version: z
    .string()
    .regex(/^\d+\.\d+(\.\d+)?$/, 'expected a Kafka version such as "4.1" or "3.9.1"')
    .optional(),
  /**
   * User names of the brokers' super-users (their `super.users`, which a broker never reveals over the
   * protocol). They and the user Landscape connects as are protected: never exported, pruned or changed.
   */
  superUsers: z.array(z.string().min(1)).optional(),
});
export type KafkaConnection = z.infer<typeof KafkaConnectionSchema>;
