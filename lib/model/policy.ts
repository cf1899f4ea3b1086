import { z } from 'zod';

/** Governance rules evaluated during plan; violations are listed with file:line. */
export const PolicySpecSchema = z.strictObject({
  severity: z.enum(['warn', 'deny']).default('deny'),
  /** Kinds the rules apply to; absent means every kind the rule makes sense for. */
  kinds: z.array(z.string()).optional(),
  rules: z.strictObject({
    namePattern: z.string().optional(),
    minPartitions: z.int().positive().optional(),
    maxPartitions: z.int().positive().optional(),
    minReplicationFactor: z.int().positive().optional(),
    maxReplicationFactor: z.int().positive().optional(),
    minRetentionMs: z.int().optional(),
    maxRetentionMs: z.int().optional(),
    requiredLabels: z.array(z.string()).optional(),
    forbiddenConfigs: z.array(z.string()).optional(),
  }),
});
export type PolicySpec = z.infer<typeof PolicySpecSchema>;
