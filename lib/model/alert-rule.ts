import { z } from 'zod';
import { DurationSchema } from './common.ts';

const LagRule = z.strictObject({
  type: z.literal('consumer-lag'),
  group: z.string().min(1),
  topic: z.string().min(1).optional(),
  /** Fire when total lag exceeds this many messages... */
  maxMessages: z.int().positive().optional(),
  /** ...or when the oldest unconsumed record is older than this. */
  maxTime: DurationSchema.optional(),
});
const ThroughputRule = z.strictObject({
  type: z.literal('throughput'),
  topic: z.string().min(1),
  /** messages per second */
  below: z.number().nonnegative().optional(),
  above: z.number().positive().optional(),
});
const UnderReplicatedRule = z.strictObject({
  type: z.literal('under-replicated'),
  topic: z.string().min(1).optional(),
});

export const AlertRuleSpecSchema = z.strictObject({
  condition: z.discriminatedUnion('type', [LagRule, ThroughputRule, UnderReplicatedRule]),
  /** The condition must hold this long before the alert fires. */
  for: DurationSchema.default('0s'),
  severity: z.enum(['info', 'warning', 'critical']).default('warning'),
  channels: z.array(z.string().min(1)).min(1, 'name at least one Channel'),
});
export type AlertRuleSpec = z.infer<typeof AlertRuleSpecSchema>;

/** An AlertRule as the monitor sees it: its name and validated spec. */
export interface MonitoredRule {
  name: string;
  spec: AlertRuleSpec;
}
