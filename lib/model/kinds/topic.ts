import { z } from 'zod';
import { didYouMean } from '../suggest.ts';
import { ALL_TOPIC_CONFIG_KEYS } from '../topic-config.ts';

/**
 * Topic-level configs of every Kafka version Landscape knows (generated from Kafka's own definitions, see
 * topic-config.ts). Unknown keys are errors (with "did you mean"), because a typo such as `retention.msec`
 * would otherwise be rejected by the broker only at apply time. Whether the target broker's version has the
 * key, and accepts the value, is checked per Environment (lib/governance/checks/topics.ts).
 */
export const TOPIC_CONFIG_KEYS: readonly string[] = ALL_TOPIC_CONFIG_KEYS;

const topicConfigKeySet: ReadonlySet<string> = new Set(TOPIC_CONFIG_KEYS);
export function isTopicConfigKey(key: string): boolean {
  return topicConfigKeySet.has(key);
}

/** Values may be written as YAML numbers or booleans; Kafka stores strings, so they are compared as strings. */
export const TopicConfigValueSchema = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));

/** Topic configs: known keys only (with "did you mean"), values as strings. */
export const TopicConfigSchema = z
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
  })
  .describe(
    'Topic-level configs, `key: value` (the keys are listed under Topic configs). Keys left out keep the broker default; a key removed from git is reset to it.',
  );

const PositiveIntSchema = z.int('expected a positive integer').positive('expected a positive integer');

/** The value of `replicationFactor: default`: the broker's `default.replication.factor` decides (KIP-464). */
export const BROKER_DEFAULT = 'default';

/** A replication factor, or `default` for the broker's own. */
export const ReplicationFactorSchema = z.union([PositiveIntSchema, z.literal(BROKER_DEFAULT)], {
  error: 'expected a positive integer or "default" (the broker\'s default.replication.factor)',
});

/**
 * A topic. `partitions` and `replicationFactor` may come from a matching TopicDefaults document instead
 * (lib/model/kinds/topic-defaults.ts, applied by the loader after the overlays); a topic that has neither
 * is an error at its file:line.
 */
export const TopicSpecSchema = z
  .strictObject({
    partitions: PositiveIntSchema.optional().describe(
      'Number of partitions; Kafka cannot decrease it (a plan refuses a decrease). Required unless a matching TopicDefaults sets it.',
    ),
    replicationFactor: ReplicationFactorSchema.optional().describe(
      "Copies of each partition, or `default` for the brokers' `default.replication.factor`. Required unless a matching TopicDefaults sets it.",
    ),
    config: TopicConfigSchema,
  })
  .describe('A Kafka topic; `metadata.name` is the topic name (letters, digits, `.`, `_`, `-`).');
export type TopicSpec = z.infer<typeof TopicSpecSchema>;

/** Kafka's own rule for topic names (legal characters and length), as its `Topic.validate` applies it. */
export const TOPIC_NAME_PATTERN = /^[a-zA-Z0-9._-]{1,249}$/;

/**
 * Why Kafka refuses `name` as a topic name (org.apache.kafka.common.internals.Topic.validate), or undefined.
 * Messages say what is allowed.
 */
export function topicNameProblem(name: string): string | undefined {
  if (name === '.' || name === '..') return `"${name}" is not a valid topic name: Kafka refuses "." and ".."`;
  if (name.length > 249) return `topic names are at most 249 characters, this one has ${name.length}`;
  if (!TOPIC_NAME_PATTERN.test(name)) {
    const illegal = [...new Set([...name].filter((ch) => !/[a-zA-Z0-9._-]/.test(ch)))];
    return `topic names may only contain ASCII letters, digits, ".", "_" and "-"; this one has ${illegal.map((ch) => JSON.stringify(ch)).join(', ')}`;
  }
  return undefined;
}

/**
 * Kafka's metric names replace "." with "_", so topics whose names differ only there collide: the broker
 * refuses to create the second one (Topic.hasCollision). Two names collide when this is equal.
 */
export function topicMetricName(name: string): string {
  return name.replaceAll('.', '_');
}
