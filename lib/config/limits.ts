import { ConfigError } from '../errors.ts';

/**
 * Bounds on what the loader reads and parses, so that validate and plan stay within memory and time on any
 * input (a 50 MB flow list, 100,000 files, an alias bomb). Each has a default sized for large real
 * landscapes (tens of thousands of documents) and an environment variable to raise it.
 */
export interface ConfigLimits {
  /** YAML files under the config directory. */
  maxFiles: number;
  /** Bytes of one file: a YAML file or a Schema's `spec.file`. */
  maxFileBytes: number;
  /** Bytes of all files together. */
  maxTotalBytes: number;
  /**
   * YAML nodes of all files together, counted before parsing as line breaks plus the indicators that start
   * a node (`- , : ? [ {`): an upper bound on what the parser builds. Parsed YAML costs 0.5 to 1.5 KB of
   * memory per node, so this is the bound that keeps memory in check; bytes alone do not (a 1 MB flow list
   * `[1,1,1,…]` is 500,000 nodes).
   */
  maxYamlNodes: number;
  /** Nesting depth of mappings and lists in a document. */
  maxDepth: number;
  /**
   * Aliases (`*name`) in one document. The YAML library resolves each alias by scanning the document's
   * anchors and aliases, so a document with many of both takes quadratic time; real configs use a few.
   */
  maxYamlAliases: number;
}

export const DEFAULT_CONFIG_LIMITS: Readonly<ConfigLimits> = Object.freeze({
  maxFiles: 10_000,
  maxFileBytes: 4 * 1024 * 1024,
  maxTotalBytes: 32 * 1024 * 1024,
  maxYamlNodes: 500_000,
  maxDepth: 64,
  maxYamlAliases: 1000,
});

/** The environment variable that raises each limit (named in every limit error). */
export const LIMIT_VARIABLES: Readonly<Record<keyof ConfigLimits, string>> = Object.freeze({
  maxFiles: 'LANDSCAPE_MAX_CONFIG_FILES',
  maxFileBytes: 'LANDSCAPE_MAX_CONFIG_FILE_BYTES',
  maxTotalBytes: 'LANDSCAPE_MAX_CONFIG_BYTES',
  maxYamlNodes: 'LANDSCAPE_MAX_CONFIG_NODES',
  maxDepth: 'LANDSCAPE_MAX_CONFIG_DEPTH',
  maxYamlAliases: 'LANDSCAPE_MAX_CONFIG_ALIASES',
});

/**
 * The defaults, overridden by the `LANDSCAPE_MAX_CONFIG_*` variables that are set. A value that is not a
 * positive integer is a configuration error naming the variable (silently falling back would hide it).
 */
export function configLimitsFrom(env: Readonly<Record<string, string | undefined>>): ConfigLimits {
  const limits: ConfigLimits = { ...DEFAULT_CONFIG_LIMITS };
  for (const [key, variable] of Object.entries(LIMIT_VARIABLES) as [keyof ConfigLimits, string][]) {
    const text = env[variable];
    if (text === undefined || text === '') continue;
    if (!/^[1-9]\d*$/.test(text.trim()) || !Number.isSafeInteger(Number(text)))
      throw new ConfigError([
        {
          file: variable,
          line: 1,
          column: 1,
          message: `expected a positive integer, got ${JSON.stringify(text.slice(0, 40))}`,
          hint: `unset ${variable} for the default ${DEFAULT_CONFIG_LIMITS[key]}`,
        },
      ]);
    limits[key] = Number(text);
  }
  return limits;
}

/** `4 MiB` style sizes for limit messages. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** The limits in force: the defaults and whatever the `LANDSCAPE_MAX_CONFIG_*` variables raise. */
export function currentConfigLimits(): ConfigLimits {
  return configLimitsFrom(process.env);
}
