import { z } from 'zod';
import { didYouMean } from './suggest.ts';

/**
 * Topic-level configs Kafka 4.x accepts. Unknown keys are errors (with "did you mean"), because a typo
 * such as `retention.msec` would otherwise be rejected by the broker only at apply time.
 */
export const TOPIC_CONFIG_KEYS = [
  'cleanup.policy',
  'compression.gzip.level',
  'compression.lz4.level',
  'compression.type',
  'compression.zstd.level',
  'delete.retention.ms',
  'file.delete.delay.ms',
  'flush.messages',
  'flush.ms',
  'follower.replication.throttled.replicas',
  'index.interval.bytes',
  'leader.replication.throttled.replicas',
  'local.retention.bytes',
  'local.retention.ms',
  'max.compaction.lag.ms',
  'max.message.bytes',
  'message.timestamp.after.max.ms',
  'message.timestamp.before.max.ms',
  'message.timestamp.type',
  'min.cleanable.dirty.ratio',
  'min.compaction.lag.ms',
  'min.insync.replicas',
  'preallocate',
  'remote.log.copy.disable',
  'remote.log.delete.on.disable',
  'remote.storage.enable',
  'retention.bytes',
  'retention.ms',
  'segment.bytes',
  'segment.index.bytes',
  'segment.jitter.ms',
  'segment.ms',
  'unclean.leader.election.enable',
] as const;

const topicConfigKeySet: ReadonlySet<string> = new Set(TOPIC_CONFIG_KEYS);
export function isTopicConfigKey(key: string): boolean {
  return topicConfigKeySet.has(key);
}

/** Values may be written as YAML numbers or booleans; Kafka stores strings, so they are compared as strings. */
export const TopicConfigValueSchema = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));

export const TopicSpecSchema = z.strictObject({
  partitions: z.int('expected a positive integer').positive('expected a positive integer'),
  replicationFactor: z.int('expected a positive integer').positive('expected a positive integer'),
  config: z
    .record(z.string(), TopicConfigValueSchema)
    .default({})
    .superRefine((config, ctx) => {
      for (const key of Object.keys(config)) {
        if (isTopicConfigKey(key)) continue;
        const hint = didYouMean(key, TOPIC_CONFIG_KEYS);
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `unknown topic config "${key}"${hint ? `: ${hint}` : ''}`,
          input: key,
        });
      }
    }),
});
export type TopicSpec = z.infer<typeof TopicSpecSchema>;

/** Kafka's own rule for topic names (legal characters and length). */
export const TOPIC_NAME_PATTERN = /^[a-zA-Z0-9._-]{1,249}$/;
