import { z } from 'zod';

/** Governance rules evaluated during plan; violations are listed with file:line. */
export const PolicySpecSchema = z
  .strictObject({
    severity: z.enum(['warn', 'deny']).default('deny').describe('`deny` fails the plan; `warn` only reports.'),
    kinds: z
      .array(z.string())
      .optional()
      .describe('Kinds the rules apply to; absent means every kind the rule makes sense for.'),
    rules: z.strictObject({
      namePattern: z
        .string()
        .optional()
        .describe('A regular expression the names of the documents it applies to must match.'),
      minPartitions: z.int().positive().optional(),
      maxPartitions: z.int().positive().optional(),
      minReplicationFactor: z.int().positive().optional(),
      maxReplicationFactor: z.int().positive().optional(),
      minRetentionMs: z
        .int()
        .optional()
        .describe(
          "Lower bound on a topic's declared `retention.ms`, in milliseconds (a retention left to the broker default is not checked).",
        ),
      maxRetentionMs: z
        .int()
        .optional()
        .describe("Upper bound on a topic's declared `retention.ms`; `-1` (unlimited) is above any maximum."),
      requiredLabels: z
        .array(z.string())
        .optional()
        .describe('Labels the documents it applies to must have (non-empty).'),
      forbiddenConfigs: z.array(z.string()).optional().describe('Topic config keys no topic may set.'),
    }),
  })
  .describe('Governance rules checked at plan time; violations are listed with file:line.');
export type PolicySpec = z.infer<typeof PolicySpecSchema>;
