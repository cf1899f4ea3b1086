import type { ConfigProblem } from '../../errors.ts';
import { type ConfigDocument, documentsOfKind } from '../../model/documents.ts';
import { topicMetricName, topicNameProblem } from '../../model/kinds/topic.ts';
import {
  definitionsVersionFor,
  topicConfigDefinition,
  topicConfigValueProblem,
  versionsDefining,
} from '../../model/topic-config.ts';
import type { ConfigCheck } from './types.ts';

/**
 * What the broker would refuse about a declared topic, found before anything is applied: names Kafka
 * rejects or that collide in its metric names, and config values of the wrong type or out of range for the
 * Environment's Kafka version (per Kafka's own definitions, lib/model/topic-config-definitions.ts). Without
 * it such a topic passes validate and plan and fails only in apply.
 */
export const checkTopics: ConfigCheck = (config) => {
  const problems: ConfigProblem[] = [];
  const declaredVersion = config.environment.spec.kafka.version;
  const version = definitionsVersionFor(declaredVersion);
  const byMetricName = new Map<string, ConfigDocument<'Topic'>>();
  for (const doc of documentsOfKind(config.documents, 'Topic')) {
    const name = doc.metadata.name;
    const resource = `Topic "${name}"`;
    const atName = { ...doc.locate(['metadata', 'name']), resource, field: 'metadata.name' };
    const nameProblem = topicNameProblem(name);
    if (nameProblem) {
      problems.push({ ...atName, message: nameProblem, hint: 'rename the topic' });
    } else {
      const other = byMetricName.get(topicMetricName(name));
      if (other) {
        problems.push({
          ...atName,
          message: `collides with Topic "${other.metadata.name}" (${other.source.file}:${other.source.line}): Kafka's metric names replace "." with "_", so the broker refuses to create both`,
          hint: 'rename one of them',
        });
      } else {
        byMetricName.set(topicMetricName(name), doc);
        if (name.includes('.') && name.includes('_')) {
          problems.push({
            ...atName,
            severity: 'warning',
            message:
              'has both "." and "_": Kafka\'s metric names replace "." with "_", so it collides with any topic whose name differs only there',
            hint: 'use either "." or "_" in topic names, not both',
          });
        }
      }
    }
    for (const [key, value] of Object.entries(doc.spec.config)) {
      const at = { ...doc.locate(['spec', 'config', key]), resource, field: `spec.config.${key}` };
      const definition = topicConfigDefinition(key, version);
      if (!definition) {
        const defined = versionsDefining(key);
        problems.push({
          ...at,
          message: `"${key}" is not a topic config in Kafka ${version} (it is in Kafka ${defined.join(', ')})`,
          hint:
            declaredVersion === undefined
              ? `remove it, or set spec.kafka.version on the Environment if the brokers run Kafka ${defined.at(-1)}`
              : 'remove it',
        });
        continue;
      }
      const problem = topicConfigValueProblem(definition, value);
      if (!problem) continue;
      problems.push({
        ...at,
        message: `${problem} (Kafka ${version})`,
        hint: unsafeYamlNumber(value)
          ? `YAML reads numbers this large as floating point: quote the value`
          : definition.default !== null
            ? `the broker default is ${definition.default === '' ? '""' : definition.default}`
            : 'fix the value',
      });
    }
  }
  return { problems, notes: [] };
};

/** A whole number YAML parsed as a float that lost digits (beyond 2^53). */
function unsafeYamlNumber(value: string): boolean {
  return /^-?\d+$/.test(value) && !Number.isSafeInteger(Number(value));
}
