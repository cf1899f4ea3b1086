import { isTopicConfigKey } from '../model/kinds/topic.ts';
import type { Cursor, SourceLine } from './source.ts';
import type { ImportedDocument, ImportLoss, ImportNote } from './types.ts';

/**
 * A Topic document. Configs Landscape does not know as topic configs (a tool's own keys, or typos the tool
 * passed to the broker) are losses at their line, not written: the result must validate.
 */
export function topicDocument(
  name: string,
  spec: { partitions: number; replicationFactor?: number | 'default' | undefined; config: Record<string, string> },
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
      // Absent when a TopicDefaults the importer writes sets it.
      ...(spec.replicationFactor !== undefined ? { replicationFactor: spec.replicationFactor } : {}),
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

/**
 * A SCRAM User whose password is a secret reference the user must point at the real secret (`env` variable
 * `NAME_PASSWORD` until then): no source holds a password Landscape may copy into git. One "to do" line each.
 */
export function userDocument(
  name: string,
  credentials: readonly { mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; iterations: number }[],
  from: SourceLine,
  notes: ImportNote[],
  where?: string,
): ImportedDocument {
  const password = { secretRef: { provider: 'env', name: passwordVariable(name) } };
  notes.push({
    at: from,
    message: `user "${name}": point its password at your secret (written as env ${passwordVariable(name)})${where ? `; the source keeps it in ${where}` : ''}`,
  });
  const [only] = credentials;
  const spec =
    credentials.length === 1 && only
      ? { mechanism: only.mechanism, password, iterations: only.iterations }
      : { scram: credentials.map((c) => ({ mechanism: c.mechanism, password, iterations: c.iterations })) };
  return { file: 'users.yaml', kind: 'User', name, spec, from };
}

/** Kafka's quota names (as Terraform and Jikkou write them) and the Quota spec fields they become. */
export const QUOTA_FIELDS: Record<
  string,
  'producerByteRate' | 'consumerByteRate' | 'requestPercentage' | 'controllerMutationRate'
> = {
  producer_byte_rate: 'producerByteRate',
  consumer_byte_rate: 'consumerByteRate',
  request_percentage: 'requestPercentage',
  controller_mutation_rate: 'controllerMutationRate',
  producerByteRate: 'producerByteRate',
  consumerByteRate: 'consumerByteRate',
  requestPercentage: 'requestPercentage',
  controllerMutationRate: 'controllerMutationRate',
};

/** A Quota document for a user and/or client id (`<default>` for the default entity). */
export function quotaDocument(
  entity: { user?: string; clientId?: string },
  values: Record<string, number>,
  from: SourceLine,
): ImportedDocument {
  const name = [entity.user && `user-${entity.user}`, entity.clientId && `client-${entity.clientId}`]
    .filter(Boolean)
    .join('-')
    .replace(/[<>]/g, '');
  return { file: 'quotas.yaml', kind: 'Quota', name, spec: { ...entity, ...values }, from };
}
