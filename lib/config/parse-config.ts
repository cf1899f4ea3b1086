import { type Document, isMap, isScalar, LineCounter, parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import type { ConfigProblem } from '../errors.ts';
import { CONFIG_API_VERSION, MetadataSchema } from '../model/common.ts';
import { type ConfigDocument, KINDS, type Kind, type SourceLocation, SPEC_SCHEMAS } from '../model/documents.ts';
import { didYouMean } from '../model/suggest.ts';
import { knownKeysAt } from './schema-introspection.ts';

/** One config file's text, with the path used in error messages. */
export interface ConfigFile {
  path: string;
  text: string;
}

/** A YAML document before validation: parsed, located, not yet checked. */
export interface RawDocument {
  file: string;
  document: Document.Parsed;
  lineCounter: LineCounter;
  value: Record<string, unknown>;
  source: SourceLocation;
}

const ENVELOPE_KEYS = ['apiVersion', 'kind', 'metadata', 'spec', 'overlays'];

/** Parses every file into documents; YAML syntax errors become problems at their line and column. */
export function parseConfigFiles(files: readonly ConfigFile[]): { raws: RawDocument[]; problems: ConfigProblem[] } {
  const raws: RawDocument[] = [];
  const problems: ConfigProblem[] = [];
  for (const file of files) {
    const lineCounter = new LineCounter();
    const documents = parseAllDocuments(file.text, { lineCounter, prettyErrors: true, uniqueKeys: true });
    const list = Array.isArray(documents) ? documents : [documents];
    for (const document of list) {
      if (document.errors.length > 0) {
        for (const error of document.errors) {
          const pos = error.linePos?.[0] ?? { line: 1, col: 1 };
          problems.push({
            file: file.path,
            line: pos.line,
            column: pos.col,
            message: `YAML syntax: ${(error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`,
            hint: error.code === 'DUPLICATE_KEY' ? 'remove the repeated key' : 'fix the YAML syntax',
          });
        }
        continue;
      }
      if (document.contents === null) continue; // empty document between `---` separators
      const start = lineCounter.linePos(document.contents.range?.[0] ?? 0);
      const source = { file: file.path, line: start.line, column: start.col };
      if (!isMap(document.contents)) {
        problems.push({ ...source, message: 'expected a mapping with apiVersion, kind, metadata and spec' });
        continue;
      }
      raws.push({ file: file.path, document, lineCounter, value: document.toJS() as Record<string, unknown>, source });
    }
  }
  return { raws, problems };
}

/** Deep merge for overlays: objects merge, arrays and scalars replace, `null` removes the key. */
export function applyOverlay(base: unknown, overlay: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(overlay)) return overlay;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    if (value === null) delete merged[key];
    else merged[key] = key in base ? applyOverlay(base[key], value) : value;
  }
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** Locator for a document: a field path maps to the overlay's node when the overlay sets it. */
function makeLocator(
  raw: RawDocument,
  environment: string | undefined,
): (path: readonly (string | number)[]) => SourceLocation {
  const offsetOf = (path: readonly (string | number)[]): number | undefined => {
    const node = raw.document.getIn(path, true) as { range?: [number, number, number] } | undefined;
    return node && typeof node === 'object' && node.range ? node.range[0] : undefined;
  };
  return (path) => {
    // The overlay wins only when it sets exactly this field; otherwise the nearest field in the base document.
    let offset = environment !== undefined ? offsetOf(['overlays', environment, ...path]) : undefined;
    for (let length = path.length; offset === undefined && length > 0; length--)
      offset = offsetOf(path.slice(0, length));
    if (offset !== undefined) {
      const pos = raw.lineCounter.linePos(offset);
      return { file: raw.file, line: pos.line, column: pos.col };
    }
    return raw.source;
  };
}

/** Key-node position for unknown-field problems (the value of an unknown key may be a collection elsewhere). */
function locateKey(
  raw: RawDocument,
  parentPath: readonly (string | number)[],
  key: string,
  environment: string | undefined,
) {
  const parents: (string | number)[][] = [];
  if (environment !== undefined) parents.push(['overlays', environment, ...parentPath]);
  parents.push([...parentPath]);
  for (const parent of parents) {
    const node = parent.length === 0 ? raw.document.contents : raw.document.getIn(parent, true);
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isScalar(pair.key) && pair.key.value === key && pair.key.range) {
          const pos = raw.lineCounter.linePos(pair.key.range[0]);
          return { file: raw.file, line: pos.line, column: pos.col };
        }
      }
    }
  }
  return makeLocator(raw, environment)(parentPath);
}

function describeGot(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return Array.isArray(value) ? 'a list' : 'a mapping';
}

/** Zod issues -> problems at file:line:column, with the value found and what would fix it. */
function issuesToProblems(
  raw: RawDocument,
  environment: string | undefined,
  resource: string,
  prefix: (string | number)[],
  schema: z.ZodType,
  input: unknown,
  issues: readonly z.core.$ZodIssue[],
): ConfigProblem[] {
  const locate = makeLocator(raw, environment);
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, path);
      for (const key of issue.keys) {
        const hint = didYouMean(key, known);
        problems.push({
          ...locateKey(raw, [...prefix, ...path], key, environment),
          resource,
          field: [...prefix, ...path, key].join('.'),
          message: `unknown field "${key}"`,
          hint: hint ?? (known.length > 0 ? `allowed here: ${known.join(', ')}` : 'remove it'),
        });
      }
      continue;
    }
    const got = valueAt(input, path);
    let message = issue.message;
    let hint: string | undefined;
    const suggestionAt = message.indexOf(': did you mean');
    if (suggestionAt > 0) {
      hint = message.slice(suggestionAt + 2);
      message = message.slice(0, suggestionAt);
    }
    if (issue.code === 'invalid_value' && 'values' in issue) {
      const allowed = issue.values.map(String);
      const suggestion = typeof got === 'string' ? didYouMean(got, allowed) : undefined;
      message = `expected one of ${allowed.map((v) => `"${v}"`).join(', ')}, got ${describeGot(got)}`;
      hint = suggestion;
    } else if (issue.code === 'invalid_type' && got === undefined) {
      message = `is required (expected ${issue.expected})`;
      hint = `add "${String(path.at(-1) ?? '')}"`;
    } else if (issue.code !== 'custom' && !message.includes(', got ')) {
      message = `${message}, got ${describeGot(got)}`;
    }
    problems.push({
      ...locate([...prefix, ...path]),
      resource,
      field: [...prefix, ...path].join('.'),
      message,
      ...(hint ? { hint } : {}),
    });
  }
  return problems;
}

export interface ValidateOptions {
  /** The environment whose overlays apply; undefined validates the base documents only. */
  environment: string | undefined;
  /** Every declared Environment name (overlay keys must name one). */
  environments: ReadonlySet<string>;
}

/** Validates one raw document for one environment. Returns no document when it does not apply there. */
export function validateDocument(
  raw: RawDocument,
  options: ValidateOptions,
): { document?: ConfigDocument; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const value = raw.value;
  const at = makeLocator(raw, undefined);
  const kindValue = value.kind;
  const nameValue = (value.metadata as { name?: unknown } | undefined)?.name;
  const resource = `${typeof kindValue === 'string' ? kindValue : 'document'}${typeof nameValue === 'string' ? ` "${nameValue}"` : ''}`;

  for (const key of Object.keys(value)) {
    if (!ENVELOPE_KEYS.includes(key)) {
      const hint = didYouMean(key, ENVELOPE_KEYS);
      problems.push({
        ...locateKey(raw, [], key, undefined),
        resource,
        field: key,
        message: `unknown field "${key}"`,
        hint: hint ?? `a document has only ${ENVELOPE_KEYS.join(', ')}`,
      });
    }
  }
  if (value.apiVersion !== CONFIG_API_VERSION) {
    problems.push({
      ...at(['apiVersion']),
      resource,
      field: 'apiVersion',
      message: `expected "${CONFIG_API_VERSION}", got ${describeGot(value.apiVersion)}`,
      hint: `set apiVersion: ${CONFIG_API_VERSION}`,
    });
  }
  if (typeof kindValue !== 'string' || !(KINDS as string[]).includes(kindValue)) {
    const hint = typeof kindValue === 'string' ? didYouMean(kindValue, KINDS) : undefined;
    problems.push({
      ...at(['kind']),
      resource,
      field: 'kind',
      message: `unknown kind ${describeGot(kindValue)}`,
      hint: hint ?? `one of: ${KINDS.join(', ')}`,
    });
    return { problems };
  }
  const kind = kindValue as Kind;

  const metadata = MetadataSchema.safeParse(value.metadata);
  if (!metadata.success) {
    problems.push(
      ...issuesToProblems(
        raw,
        undefined,
        resource,
        ['metadata'],
        MetadataSchema,
        value.metadata,
        metadata.error.issues,
      ),
    );
    return { problems };
  }

  const overlays = value.overlays;
  if (overlays !== undefined && !isPlainObject(overlays)) {
    problems.push({
      ...at(['overlays']),
      resource,
      field: 'overlays',
      message: 'expected a mapping of environment name to changes',
    });
    return { problems };
  }
  for (const [envName, overlay] of Object.entries(overlays ?? {})) {
    if (!options.environments.has(envName)) {
      const hint = didYouMean(envName, options.environments);
      problems.push({
        ...locateKey(raw, ['overlays'], envName, undefined),
        resource,
        field: `overlays.${envName}`,
        message: `no Environment named "${envName}"`,
        hint: hint ?? `declared environments: ${[...options.environments].join(', ') || 'none'}`,
      });
    }
    if (!isPlainObject(overlay) || Object.keys(overlay).some((k) => k !== 'spec' && k !== 'metadata')) {
      problems.push({
        ...at(['overlays', envName]),
        resource,
        field: `overlays.${envName}`,
        message: 'an overlay may only change "spec" and "metadata"',
      });
    }
  }
  const env = options.environment;
  if (
    env !== undefined &&
    metadata.data.environments &&
    !metadata.data.environments.includes(env) &&
    kind !== 'Environment'
  ) {
    return { problems };
  }
  const overlay =
    env !== undefined
      ? (overlays as Record<string, { spec?: unknown; metadata?: unknown }> | undefined)?.[env]
      : undefined;
  const specInput = overlay?.spec !== undefined ? applyOverlay(value.spec ?? {}, overlay.spec) : (value.spec ?? {});
  const mergedMetadata =
    overlay?.metadata !== undefined
      ? MetadataSchema.safeParse(applyOverlay(value.metadata, overlay.metadata))
      : metadata;
  if (!mergedMetadata.success) {
    problems.push(
      ...issuesToProblems(
        raw,
        env,
        resource,
        ['metadata'],
        MetadataSchema,
        value.metadata,
        mergedMetadata.error.issues,
      ),
    );
    return { problems };
  }

  const schema = SPEC_SCHEMAS[kind] as z.ZodType;
  const spec = schema.safeParse(specInput);
  if (!spec.success) {
    problems.push(...issuesToProblems(raw, env, resource, ['spec'], schema, specInput, spec.error.issues));
    return { problems };
  }
  const locate = makeLocator(raw, env);
  return {
    document: {
      apiVersion: CONFIG_API_VERSION,
      kind,
      metadata: mergedMetadata.data,
      spec: spec.data as ConfigDocument['spec'],
      source: raw.source,
      locate,
    },
    problems,
  };
}
