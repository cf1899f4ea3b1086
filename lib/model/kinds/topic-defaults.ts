import { z } from 'zod';
import { LabelsSchema } from '../common.ts';
import { compileLinearPattern } from '../linear-pattern.ts';
import { ReplicationFactorSchema, TopicConfigSchema } from './topic.ts';

/**
 * Which topics a TopicDefaults document applies to: every label listed (equal values) and the name pattern, a
 * regular expression like a Policy's `namePattern` (matched in linear time, lib/model/linear-pattern.ts).
 * At least one of the two; both given means both must match.
 */
export const TopicMatchSchema = z
  .strictObject({
    labels: LabelsSchema.optional().describe('Labels a topic must have, with these values.'),
    namePattern: z
      .string()
      .min(1)
      .superRefine((source, context) => {
        const compiled = compileLinearPattern(source);
        if (!compiled.ok)
          context.addIssue({
            code: 'custom',
            message: `${compiled.message}: use characters, classes, groups, alternation and quantifiers`,
          });
      })
      .optional()
      .describe("A regular expression the topic name must match (like a Policy's `namePattern`), e.g. `^team-a\\.`."),
  })
  .refine(
    (m) => (m.labels !== undefined && Object.keys(m.labels).length > 0) || m.namePattern !== undefined,
    'matches no topic: give labels and/or namePattern',
  )
  .describe(
    'Which topics it applies to: every label listed (equal values) and the name pattern; at least one of the two.',
  );
export type TopicMatch = z.infer<typeof TopicMatchSchema>;

/**
 * Defaults for the topics it matches (ADR 0043): partitions, replication factor (`default` = the broker's
 * `default.replication.factor`) and configs. A field a Topic sets itself (in its document or its overlay)
 * wins; two matching TopicDefaults that set one field differently are an error naming both.
 */
export const TopicDefaultsSpecSchema = z
  .strictObject({
    match: TopicMatchSchema,
    partitions: z
      .int('expected a positive integer')
      .positive('expected a positive integer')
      .optional()
      .describe('Partitions of the matching topics that do not set their own.'),
    replicationFactor: ReplicationFactorSchema.optional().describe(
      "Replication factor of the matching topics that do not set their own; `default` = the brokers' `default.replication.factor`.",
    ),
    config: TopicConfigSchema,
  })
  .describe(
    'Defaults for the topics it matches: partitions, replication factor and configs. A field a Topic sets itself (in its document or its overlay) wins; two matching TopicDefaults that set one field differently are an error naming both.',
  );
export type TopicDefaultsSpec = z.infer<typeof TopicDefaultsSpecSchema>;

/** Whether `defaults` applies to the topic `name` with `labels`. */
export function topicDefaultsMatch(match: TopicMatch, name: string, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(match.labels ?? {})) if (labels[key] !== value) return false;
  if (match.namePattern === undefined) return true;
  const compiled = compileLinearPattern(match.namePattern);
  return compiled.ok && compiled.pattern.test(name);
}
