import { z } from 'zod';
import { DurationSchema } from './common.ts';

const LagRule = z.strictObject({
  type: z.literal('consumer-lag'),
  group: z.string().min(1),
  topic: z.string().min(1).optional(),
  maxMessages: z.int().positive().optional().describe('Fire when the total lag exceeds this many messages...'),
  maxTime: DurationSchema.optional().describe('...or when the oldest unconsumed record is older than this.'),
});
const ThroughputRule = z.strictObject({
  type: z.literal('throughput'),
  topic: z.string().min(1),
  below: z.number().nonnegative().optional().describe('Fire below this many messages per second.'),
  above: z.number().positive().optional().describe('Fire above this many messages per second.'),
});
const UnderReplicatedRule = z.strictObject({
  type: z.literal('under-replicated'),
  topic: z.string().min(1).optional(),
});

export const AlertRuleSpecSchema = z
  .strictObject({
    condition: z
      .discriminatedUnion('type', [LagRule, ThroughputRule, UnderReplicatedRule])
      .describe('What to watch: `consumer-lag` of a group, `throughput` of a topic, or `under-replicated` partitions.'),
    for: DurationSchema.default('0s').describe('How long the condition must hold before the alert fires.'),
    severity: z.enum(['info', 'warning', 'critical']).default('warning'),
    channels: z.array(z.string().min(1)).min(1, 'name at least one Channel').describe('Channel documents to notify.'),
  })
  .describe('An alert evaluated by `landscape monitor` (or the deployed monitor) from live offsets and metadata.');
export type AlertRuleSpec = z.infer<typeof AlertRuleSpecSchema>;

/** An AlertRule as the monitor sees it: its name and validated spec. */
export interface MonitoredRule {
  name: string;
  spec: AlertRuleSpec;
}
