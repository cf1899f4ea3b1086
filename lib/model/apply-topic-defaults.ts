import type { ConfigProblem } from '../errors.ts';
import { type ConfigDocument, documentsOfKind } from './documents.ts';
import { type TopicDefaultsSpec, topicDefaultsMatch } from './kinds/topic-defaults.ts';

type Field = 'partitions' | 'replicationFactor' | `config.${string}`;

function defaultOf(spec: TopicDefaultsSpec, field: Field): string | number | undefined {
  if (field === 'partitions' || field === 'replicationFactor') return spec[field];
  return spec.config[field.slice('config.'.length)];
}

function fieldPath(field: Field): (string | number)[] {
  return field.startsWith('config.') ? ['spec', 'config', field.slice('config.'.length)] : ['spec', field];
}

/**
 * The Topic documents of one environment with their TopicDefaults applied (ADR 0043), after the overlays: a
 * field the Topic sets itself wins; otherwise the value of the matching TopicDefaults (in file order) that
 * sets it. Two matching TopicDefaults that would give one topic's field different values are an error at the
 * second one, naming the first (once per pair and field, with the first topic it happened on). Documents are
 * copied, never changed: the same validated document may serve several environments.
 *
 * @example
 * applyTopicDefaults([defaults({ match: { labels: { team: 'a' } }, partitions: 6 }), topic('a.orders', { team: 'a' })]);
 * // the topic now has partitions: 6
 */
export function applyTopicDefaults(documents: readonly ConfigDocument[]): {
  documents: ConfigDocument[];
  problems: ConfigProblem[];
} {
  const all = documentsOfKind(documents, 'TopicDefaults');
  if (all.length === 0) return { documents: [...documents], problems: [] };
  const problems: ConfigProblem[] = [];
  const reported = new Set<string>();
  const filled = documents.map((doc): ConfigDocument => {
    if (doc.kind !== 'Topic') return doc;
    const topic = doc as ConfigDocument<'Topic'>;
    const labels = topic.metadata.labels ?? {};
    const matching = all.filter((d) => topicDefaultsMatch(d.spec.match, topic.metadata.name, labels));
    if (matching.length === 0) return doc;
    const spec = { ...topic.spec, config: { ...topic.spec.config } };
    const fields = new Set<Field>();
    for (const d of matching) {
      if (d.spec.partitions !== undefined) fields.add('partitions');
      if (d.spec.replicationFactor !== undefined) fields.add('replicationFactor');
      for (const key of Object.keys(d.spec.config)) fields.add(`config.${key}`);
    }
    for (const field of fields) {
      const own = field.startsWith('config.')
        ? spec.config[field.slice('config.'.length)]
        : spec[field as 'partitions'];
      if (own !== undefined) continue;
      const setting = matching.filter((d) => defaultOf(d.spec, field) !== undefined);
      const first = setting[0] as ConfigDocument<'TopicDefaults'>;
      const value = defaultOf(first.spec, field) as string | number;
      for (const other of setting.slice(1)) {
        const otherValue = defaultOf(other.spec, field);
        const id = `${first.metadata.name}|${other.metadata.name}|${field}`;
        if (otherValue === value || reported.has(id)) continue;
        reported.add(id);
        const at = first.locate(fieldPath(field));
        problems.push({
          ...other.locate(fieldPath(field)),
          resource: `TopicDefaults "${other.metadata.name}"`,
          field: fieldPath(field).join('.'),
          message: `sets ${field} to ${JSON.stringify(otherValue)} for Topic "${topic.metadata.name}", which TopicDefaults "${first.metadata.name}" (${at.file}:${at.line}) sets to ${JSON.stringify(value)}`,
          hint: `make the two matches disjoint, agree on one value, or set ${field} on the topic itself`,
          severity: 'error',
        });
      }
      if (field === 'partitions') spec.partitions = value as number;
      else if (field === 'replicationFactor') spec.replicationFactor = value as number | 'default';
      else spec.config[field.slice('config.'.length)] = String(value);
    }
    return { ...topic, spec };
  });
  return { documents: filled, problems };
}
