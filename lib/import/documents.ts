import { isTopicConfigKey } from '../model/kinds/topic.ts';
import type { Cursor, SourceLine } from './source.ts';
import type { ImportedDocument, ImportLoss } from './types.ts';

/**
 * A Topic document. Configs Landscape does not know as topic configs (a tool's own keys, or typos the tool
 * passed to the broker) are losses at their line, not written: the result must validate.
 */
export function topicDocument(
  name: string,
  spec: { partitions: number; replicationFactor: number; config: Record<string, string> },
  configAt: Cursor | undefined,
  from: SourceLine,
  losses: ImportLoss[],
  labels?: Record<string, string>,
): ImportedDocument {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(spec.config)) {
    if (isTopicConfigKey(key)) {
      config[key] = value;
      continue;
    }
    losses.push({
      at: configAt?.get(key).at ?? from,
      construct: `topic "${name}" config "${key}"`,
      reason: 'not a Kafka topic config; set it where it belongs',
    });
  }
  return {
    file: 'topics.yaml',
    kind: 'Topic',
    name,
    ...(labels ? { labels } : {}),
    spec: {
      partitions: spec.partitions,
      replicationFactor: spec.replicationFactor,
      ...(Object.keys(config).length > 0 ? { config } : {}),
    },
    from,
  };
}

/** Positive integer or a format error at the cursor. */
export function positiveInt(cursor: Cursor): number | undefined {
  const value = cursor.optNumber();
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value <= 0) cursor.fail(`expected a positive integer, got ${value}`);
  return value;
}

/** The environment variable a placeholder secret reference names: `ORDERS_APP_PASSWORD`. */
export function passwordVariable(user: string): string {
  return `${user.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_PASSWORD`;
}

/** Every key of a mapping not in `known` is a loss at its line: nothing is dropped without a word. */
export function unknownKeys(cursor: Cursor, known: readonly string[], what: string, losses: ImportLoss[]): void {
  for (const [key, value] of cursor.entries()) {
    if (known.includes(key)) continue;
    losses.push({ at: value.at, construct: `${what} "${key}"`, reason: 'not converted (no Landscape equivalent)' });
  }
}
