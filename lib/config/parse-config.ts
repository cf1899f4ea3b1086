import { type Document, isAlias, isCollection, isMap, isScalar, LineCounter, parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import type { ConfigProblem } from '../errors.ts';
import { CONFIG_API_VERSION, MetadataSchema } from '../model/common.ts';
import { type ConfigDocument, KINDS, type Kind, type SourceLocation, SPEC_SCHEMAS } from '../model/documents.ts';
import { didYouMean } from '../model/suggest.ts';
import { type ConfigLimits, currentConfigLimits, LIMIT_VARIABLES } from './limits.ts';
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

/**
 * An upper bound on the YAML nodes a text parses into, counted without parsing: a node starts after a line
 * break or one of the indicators `- , : ? [ {`. Quoted text and comments count too, so it over-counts a little.
 */
export function estimateYamlNodes(text: string): number {
  let count = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // \n , - : ? [ {
    if (c === 10 || c === 44 || c === 45 || c === 58 || c === 63 || c === 91 || c === 123) count++;
  }
  return count;
}

type NodeProblem = Omit<ConfigProblem, 'file'>;

/**
 * Checks a parsed document's structure in one pass without recursion, before anything converts or recurses
 * over it: nesting depth, the number of aliases, and keys repeated in a mapping. The YAML library's own
 * duplicate check compares each key with all before it (quadratic: 20,000 keys took 12 s), so it is off and
 * done here with a set per mapping.
 */
function checkStructure(
  document: Document.Parsed,
  lineCounter: LineCounter,
  limits: ConfigLimits,
): { problems: NodeProblem[]; firstAlias?: { line: number; column: number } } {
  const at = (node: { range?: [number, number, number] | null }) => {
    const pos = lineCounter.linePos(node.range?.[0] ?? 0);
    return { line: pos.line, column: pos.col };
  };
  const problems: NodeProblem[] = [];
  let aliases = 0;
  let repeated = 0;
  let firstAlias: number | undefined;
  const stack: [unknown, number][] = [[document.contents, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (isAlias(node)) {
      aliases++;
      firstAlias ??= node.range?.[0];
      if (aliases > limits.maxYamlAliases) {
        problems.push({
          ...at(node),
          message: `YAML aliases: more than ${limits.maxYamlAliases} in one document (the limit)`,
          hint: `write the values out, or raise ${LIMIT_VARIABLES.maxYamlAliases}`,
        });
        return { problems };
      }
      continue;
    }
    if (!isCollection(node)) continue;
    if (depth > limits.maxDepth) {
      problems.push({
        ...at(node),
        message: `nested deeper than ${limits.maxDepth} levels (the limit)`,
        hint: `flatten it, or raise ${LIMIT_VARIABLES.maxDepth}`,
      });
      return { problems };
    }
    // Children go on the stack last-first, so nodes are visited in document order.
    const children: unknown[] = [];
    if (isMap(node)) {
      const keys = new Set<unknown>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          if (keys.has(pair.key.value)) {
            if (problems.length < MAX_PROBLEMS_PER_DOCUMENT)
              problems.push({
                ...at(pair.key),
                message: 'YAML syntax: Map keys must be unique',
                hint: 'remove the repeated key',
              });
            else repeated++;
          }
          keys.add(pair.key.value);
        }
        children.push(pair.key, pair.value);
      }
    } else {
      for (const item of node.items) children.push(item);
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i], depth + 1]);
  }
  if (repeated > 0)
    problems.push({
      ...at(document.contents ?? {}),
      message: `${repeated} more repeated key${repeated === 1 ? '' : 's'} in this document not listed`,
      hint: 'remove the repeated keys',
    });
  return firstAlias === undefined
    ? { problems }
    : { problems, firstAlias: at({ range: [firstAlias, firstAlias, firstAlias] }) };
}

/**
 * Parses every file into documents; YAML syntax errors become problems at their line and column. Parsing
 * stays within `limits` (node budget over all files, nesting depth, aliases): a file or document beyond them
 * is a problem at its file:line and the others are still parsed.
 */
export function parseConfigFiles(
  files: readonly ConfigFile[],
  limits: ConfigLimits = currentConfigLimits(),
): { raws: RawDocument[]; problems: ConfigProblem[] } {
  const raws: RawDocument[] = [];
  const problems: ConfigProblem[] = [];
  let nodeBudget = limits.maxYamlNodes;
  for (const file of files) {
    const nodes = estimateYamlNodes(file.text);
    if (nodes > nodeBudget) {
      problems.push({
        file: file.path,
        line: 1,
        column: 1,
        message:
          nodes > limits.maxYamlNodes
            ? `has about ${nodes} YAML nodes, more than the limit of ${limits.maxYamlNodes}`
            : `has about ${nodes} YAML nodes; with the files before it that is more than the limit of ${limits.maxYamlNodes}`,
        hint: `split the configuration, or raise ${LIMIT_VARIABLES.maxYamlNodes}`,
      });
      continue;
    }
    nodeBudget -= nodes;
    const lineCounter = new LineCounter();
    let documents: Document.Parsed[];
    try {
      documents = parseAllDocuments(file.text, {
        lineCounter,
        prettyErrors: true,
        uniqueKeys: false,
      }) as Document.Parsed[];
    } catch (error) {
      problems.push({ file: file.path, line: 1, column: 1, message: `YAML cannot be parsed: ${firstLine(error)}` });
      continue;
    }
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
      const structure = checkStructure(document, lineCounter, limits);
      if (structure.problems.length > 0) {
        for (const problem of structure.problems) problems.push({ file: file.path, ...problem });
        continue;
      }
      let value: Record<string, unknown>;
      try {
        value = document.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
      } catch (error) {
        // The library refuses aliases that would expand into too much data (an "alias bomb").
        problems.push({
          ...source,
          ...structure.firstAlias,
          message: `YAML aliases expand to too much data (${firstLine(error)})`,
          hint: 'write the values out instead of aliases of aliases',
        });
        continue;
      }
      raws.push({ file: file.path, document, lineCounter, value, source });
    }
  }
  return { raws, problems };
}

function firstLine(error: unknown): string {
  return ((error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '').slice(0, 200);
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
  // Checks locate the same fields of a document in every environment that shares it (and some locate
  // every field whether or not there is a problem): each path is looked up in the YAML tree once.
  const located = new Map<string, SourceLocation>();
  return (path) => {
    const key = path.join('\u0000');
    const known = located.get(key);
    if (known) return known;
    // The overlay wins only when it sets exactly this field; otherwise the nearest field in the base document.
    let offset = environment !== undefined ? offsetOf(['overlays', environment, ...path]) : undefined;
    for (let length = path.length; offset === undefined && length > 0; length--)
      offset = offsetOf(path.slice(0, length));
    let location = raw.source;
    if (offset !== undefined) {
      const pos = raw.lineCounter.linePos(offset);
      location = { file: raw.file, line: pos.line, column: pos.col };
    }
    located.set(key, location);
    return location;
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

/** Problems listed per document at most: nobody reads the 10,000th, and locating each one costs a scan. */
export const MAX_PROBLEMS_PER_DOCUMENT = 50;

/** A document's problems, up to MAX_PROBLEMS_PER_DOCUMENT; past that they are only counted, not built. */
class DocumentProblems {
  readonly list: ConfigProblem[] = [];
  private omitted = 0;

  get full(): boolean {
    return this.list.length >= MAX_PROBLEMS_PER_DOCUMENT;
  }

  /** `make` locates the problem (the costly part) and runs only while there is room. */
  add(make: () => ConfigProblem): void {
    if (this.full) this.omitted++;
    else this.list.push(make());
  }

  /** Counts a problem without building it (the list is full). */
  skip(): void {
    this.omitted++;
  }

  /** The list, ending with how many more there were. */
  result(source: SourceLocation, resource: string): ConfigProblem[] {
    if (this.omitted === 0) return this.list;
    return [
      ...this.list,
      {
        ...source,
        resource,
        message: `${this.omitted} more problem${this.omitted === 1 ? '' : 's'} in this document not listed`,
        hint: 'fix the ones above and validate again',
      },
    ];
  }
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
  problems: DocumentProblems,
): void {
  const locate = makeLocator(raw, environment);
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = problems.full ? [] : knownKeysAt(schema, path);
      for (const key of issue.keys) {
        problems.add(() => {
          const hint = didYouMean(key, known);
          return {
            ...locateKey(raw, [...prefix, ...path], key, environment),
            resource,
            field: [...prefix, ...path, key].join('.'),
            message: `unknown field "${key}"`,
            hint: hint ?? (known.length > 0 ? `allowed here: ${known.join(', ')}` : 'remove it'),
          };
        });
      }
      continue;
    }
    if (problems.full) {
      problems.skip();
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
    problems.add(() => ({
      ...locate([...prefix, ...path]),
      resource,
      field: [...prefix, ...path].join('.'),
      message,
      ...(hint ? { hint } : {}),
    }));
  }
}

export interface ValidateOptions {
  /** The environment whose overlays apply; undefined validates the base documents only. */
  environment: string | undefined;
  /** Every declared Environment name (overlay keys must name one). */
  environments: ReadonlySet<string>;
}

type Overlay = { spec?: unknown; metadata?: unknown };

/**
 * A document whose envelope (apiVersion, kind, metadata, overlay keys) is valid: what does not depend on the
 * environment, checked once however many environments there are.
 */
export interface CheckedDocument {
  raw: RawDocument;
  kind: Kind;
  resource: string;
  metadata: z.infer<typeof MetadataSchema>;
  overlays: Readonly<Record<string, Overlay>>;
}

/** Checks the environment-independent part of a document. Returns no document when the envelope is broken. */
export function checkEnvelope(
  raw: RawDocument,
  environments: ReadonlySet<string>,
): { checked?: CheckedDocument; problems: ConfigProblem[] } {
  const value = raw.value;
  const at = makeLocator(raw, undefined);
  const kindValue = value.kind;
  const nameValue = (value.metadata as { name?: unknown } | undefined)?.name;
  const resource = `${typeof kindValue === 'string' ? kindValue : 'document'}${typeof nameValue === 'string' ? ` "${nameValue}"` : ''}`;
  const problems = new DocumentProblems();
  const done = () => ({ problems: problems.result(raw.source, resource) });

  for (const key of Object.keys(value)) {
    if (!ENVELOPE_KEYS.includes(key)) {
      problems.add(() => ({
        ...locateKey(raw, [], key, undefined),
        resource,
        field: key,
        message: `unknown field "${key}"`,
        hint: didYouMean(key, ENVELOPE_KEYS) ?? `a document has only ${ENVELOPE_KEYS.join(', ')}`,
      }));
    }
  }
  if (value.apiVersion !== CONFIG_API_VERSION) {
    problems.add(() => ({
      ...at(['apiVersion']),
      resource,
      field: 'apiVersion',
      message: `expected "${CONFIG_API_VERSION}", got ${describeGot(value.apiVersion)}`,
      hint: `set apiVersion: ${CONFIG_API_VERSION}`,
    }));
  }
  if (typeof kindValue !== 'string' || !(KINDS as string[]).includes(kindValue)) {
    problems.add(() => ({
      ...at(['kind']),
      resource,
      field: 'kind',
      message: `unknown kind ${describeGot(kindValue)}`,
      hint: (typeof kindValue === 'string' ? didYouMean(kindValue, KINDS) : undefined) ?? `one of: ${KINDS.join(', ')}`,
    }));
    return done();
  }
  const kind = kindValue as Kind;

  const metadata = MetadataSchema.safeParse(value.metadata);
  if (!metadata.success) {
    issuesToProblems(
      raw,
      undefined,
      resource,
      ['metadata'],
      MetadataSchema,
      value.metadata,
      metadata.error.issues,
      problems,
    );
    return done();
  }

  const overlays = value.overlays;
  if (overlays !== undefined && !isPlainObject(overlays)) {
    problems.add(() => ({
      ...at(['overlays']),
      resource,
      field: 'overlays',
      message: 'expected a mapping of environment name to changes',
    }));
    return done();
  }
  for (const [envName, overlay] of Object.entries(overlays ?? {})) {
    if (!environments.has(envName)) {
      problems.add(() => ({
        ...locateKey(raw, ['overlays'], envName, undefined),
        resource,
        field: `overlays.${envName}`,
        message: `no Environment named "${envName}"`,
        hint:
          didYouMean(envName, environments) ??
          `declared environments: ${[...environments].slice(0, 20).join(', ') || 'none'}${environments.size > 20 ? ', …' : ''}`,
      }));
    }
    if (!isPlainObject(overlay) || Object.keys(overlay).some((k) => k !== 'spec' && k !== 'metadata')) {
      problems.add(() => ({
        ...at(['overlays', envName]),
        resource,
        field: `overlays.${envName}`,
        message: 'an overlay may only change "spec" and "metadata"',
      }));
    }
  }
  return {
    checked: {
      raw,
      kind,
      resource,
      metadata: metadata.data,
      overlays: (overlays ?? {}) as Record<string, Overlay>,
    },
    problems: problems.result(raw.source, resource),
  };
}

/** True when the document takes part in `environment` (documents may be restricted to some environments). */
export function appliesTo(checked: CheckedDocument, environment: string): boolean {
  const only = checked.metadata.environments;
  return checked.kind === 'Environment' || only === undefined || only.includes(environment);
}

/**
 * Validates a checked document's spec (and metadata) for one environment, its overlay applied; undefined
 * validates the base document. Returns no document when it does not apply there or does not validate.
 */
export function validateForEnvironment(
  checked: CheckedDocument,
  environment: string | undefined,
): { document?: ConfigDocument; problems: ConfigProblem[] } {
  const { raw, kind, resource } = checked;
  if (environment !== undefined && !appliesTo(checked, environment)) return { problems: [] };
  const value = raw.value;
  const problems = new DocumentProblems();
  const overlay = environment !== undefined ? checked.overlays[environment] : undefined;
  const specInput = overlay?.spec !== undefined ? applyOverlay(value.spec ?? {}, overlay.spec) : (value.spec ?? {});
  const mergedMetadata =
    overlay?.metadata !== undefined
      ? MetadataSchema.safeParse(applyOverlay(value.metadata, overlay.metadata))
      : { success: true as const, data: checked.metadata };
  if (!mergedMetadata.success) {
    const issues = mergedMetadata.error.issues;
    issuesToProblems(raw, environment, resource, ['metadata'], MetadataSchema, value.metadata, issues, problems);
    return { problems: problems.result(raw.source, resource) };
  }

  const schema = SPEC_SCHEMAS[kind] as z.ZodType;
  const spec = schema.safeParse(specInput);
  if (!spec.success) {
    issuesToProblems(raw, environment, resource, ['spec'], schema, specInput, spec.error.issues, problems);
    return { problems: problems.result(raw.source, resource) };
  }
  return {
    document: {
      apiVersion: CONFIG_API_VERSION,
      kind,
      metadata: mergedMetadata.data,
      spec: spec.data as ConfigDocument['spec'],
      source: raw.source,
      locate: makeLocator(raw, environment),
    },
    problems: [],
  };
}

/** Validates one raw document for one environment. Returns no document when it does not apply there. */
export function validateDocument(
  raw: RawDocument,
  options: ValidateOptions,
): { document?: ConfigDocument; problems: ConfigProblem[] } {
  const envelope = checkEnvelope(raw, options.environments);
  if (!envelope.checked) return { problems: envelope.problems };
  const result = validateForEnvironment(envelope.checked, options.environment);
  return { ...result, problems: [...envelope.problems, ...result.problems] };
}
