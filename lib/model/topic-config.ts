import { TOPIC_CONFIG_DEFINITIONS, TOPIC_CONFIG_VERSIONS } from './topic-config-definitions.ts';

/**
 * One Kafka version's definition of a topic config, as the broker's LogConfig declares it (generated into
 * topic-config-definitions.ts by scripts/topic-configs/generate.sh; never written by hand).
 */
export interface TopicConfigDefinition {
  /** ConfigDef type: how the broker parses the value. */
  type: 'boolean' | 'short' | 'int' | 'long' | 'double' | 'string' | 'list' | 'class' | 'password';
  /** The broker's default, as text (null: none). */
  default: string | null;
  /** Inclusive numeric bounds (ConfigDef.Range). */
  min?: number;
  max?: number;
  /** A single value allowed outside the range (e.g. gzip level -1: the codec's default). */
  orValue?: number;
  /** The only values allowed (ConfigDef.ValidString), compared ignoring case when `caseInsensitive`. */
  oneOf?: readonly string[];
  caseInsensitive?: boolean;
  /** A comma-separated list whose items must each be one of these (ConfigDef.ValidList). */
  listOf?: readonly string[];
  /** Whether the list may be empty (ValidList; Kafka 4 refuses an empty cleanup.policy on some paths). */
  emptyAllowed?: boolean;
  /** `partition:broker,...` or `*` (replication throttling lists). */
  replicaList?: boolean;
}

/** A definition and the Kafka versions (major.minor) it holds for. */
export interface TopicConfigVariant extends TopicConfigDefinition {
  versions: readonly string[];
}

/** The Kafka versions (major.minor) whose topic configs are known, oldest first. */
export const KNOWN_KAFKA_VERSIONS: readonly string[] = TOPIC_CONFIG_VERSIONS;
/** The version assumed when an Environment does not name one. */
export const NEWEST_KAFKA_VERSION: string = TOPIC_CONFIG_VERSIONS[TOPIC_CONFIG_VERSIONS.length - 1] as string;

/** Every topic config key of any known version (what a config may name at all). */
export const ALL_TOPIC_CONFIG_KEYS: readonly string[] = Object.keys(TOPIC_CONFIG_DEFINITIONS).sort();

function compareVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

/**
 * The known version whose definitions apply to a broker of `version` (`4.1`, `4.1.2`): the same minor, else
 * the newest known one before it (a 4.4 broker is checked against 4.3 until the table is regenerated), else
 * the oldest known.
 */
export function definitionsVersionFor(version: string | undefined): string {
  if (version === undefined) return NEWEST_KAFKA_VERSION;
  const minor = version.split('.').slice(0, 2).join('.');
  const atOrBefore = KNOWN_KAFKA_VERSIONS.filter((known) => compareVersions(known, minor) <= 0);
  return atOrBefore[atOrBefore.length - 1] ?? (KNOWN_KAFKA_VERSIONS[0] as string);
}

/** The definition of `key` in Kafka `version` (major.minor, as definitionsVersionFor returns), if it has one. */
export function topicConfigDefinition(key: string, version: string): TopicConfigDefinition | undefined {
  return TOPIC_CONFIG_DEFINITIONS[key]?.find((variant) => variant.versions.includes(version));
}

/** The versions that define `key` (e.g. to say "added in 3.9" or "removed in 4.0"). */
export function versionsDefining(key: string): string[] {
  return (TOPIC_CONFIG_DEFINITIONS[key] ?? []).flatMap((variant) => variant.versions).sort(compareVersions);
}

const INTEGER = /^[-+]?\d+$/;
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const LIMITS: Partial<Record<TopicConfigDefinition['type'], [bigint, bigint]>> = {
  short: [-(2n ** 15n), 2n ** 15n - 1n],
  int: [-(2n ** 31n), 2n ** 31n - 1n],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** `[1048576, ...]`, `[0, ..., 1]`, `[1, ..., 9] or -1`: the allowed range as Kafka writes it. */
export function describeRange(definition: TopicConfigDefinition): string {
  const low = definition.min !== undefined ? `${definition.min}` : '';
  const high = definition.max !== undefined ? `${definition.max}` : '';
  const range = `[${low}${low ? ', ' : ''}...${high ? `, ${high}` : ''}]`;
  return definition.orValue !== undefined ? `${range} or ${definition.orValue}` : range;
}

/**
 * Why the broker would refuse `value` for a topic config with this definition, or undefined when it
 * accepts it: the same type parsing and validator the broker applies (ConfigDef.parseType + Validator).
 * Messages say what is allowed.
 */
export function topicConfigValueProblem(definition: TopicConfigDefinition, value: string): string | undefined {
  const text = value.trim();
  switch (definition.type) {
    case 'boolean':
      return /^(true|false)$/i.test(text) ? undefined : `expected true or false, got "${value}"`;
    case 'short':
    case 'int':
    case 'long': {
      const [lowest, highest] = LIMITS[definition.type] as [bigint, bigint];
      if (!INTEGER.test(text) || BigInt(text) < lowest || BigInt(text) > highest) {
        return `expected a whole number (${definition.type}), got "${value}"`;
      }
      return rangeProblem(definition, Number(text), value);
    }
    case 'double':
      if (!DECIMAL.test(text)) return `expected a number, got "${value}"`;
      return rangeProblem(definition, Number(text), value);
    case 'string':
      if (definition.oneOf) {
        const allowed = definition.caseInsensitive
          ? definition.oneOf.some((v) => v.toLowerCase() === text.toLowerCase())
          : definition.oneOf.includes(text);
        if (!allowed) return `expected one of ${definition.oneOf.join(', ')}, got "${value}"`;
      }
      return undefined;
    case 'list': {
      const items = text === '' ? [] : text.split(',').map((item) => item.trim());
      if (definition.listOf) {
        if (items.length === 0 && definition.emptyAllowed === false) {
          return `expected a comma-separated list of ${definition.listOf.join(', ')}, got an empty value`;
        }
        const wrong = items.filter((item) => !definition.listOf?.includes(item));
        if (wrong.length > 0) {
          return `expected a comma-separated list of ${definition.listOf.join(', ')}, got "${wrong.join(', ')}" in "${value}"`;
        }
      }
      if (definition.replicaList && text !== '*') {
        const wrong = items.filter((item) => !/^\d+:\d+$/.test(item));
        if (wrong.length > 0) {
          return `expected "*" or a comma-separated list of partition:broker pairs, got "${wrong.join(', ')}" in "${value}"`;
        }
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function rangeProblem(definition: TopicConfigDefinition, n: number, value: string): string | undefined {
  if (definition.orValue !== undefined && n === definition.orValue) return undefined;
  if ((definition.min !== undefined && n < definition.min) || (definition.max !== undefined && n > definition.max)) {
    return `${value} is out of range: allowed ${describeRange(definition)}`;
  }
  return undefined;
}
