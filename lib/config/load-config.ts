import { dirname, relative, resolve } from 'node:path';
import { ConfigError, type ConfigProblem } from '../errors.ts';
import { applyTopicDefaults } from '../model/apply-topic-defaults.ts';
import { type ConfigDocument, documentsOfKind, type LoadedConfig } from '../model/documents.ts';
import { didYouMean } from '../model/suggest.ts';
import { type ConfigLimits, currentConfigLimits, formatBytes, LIMIT_VARIABLES } from './limits.ts';
import {
  appliesTo,
  type CheckedDocument,
  checkEnvelope,
  parseConfigFiles,
  type RawDocument,
  validateForEnvironment,
} from './parse-config.ts';
import {
  type ConfigTree,
  type ReadConfigFile,
  readConfigTree,
  readRegularFile,
  type SafeRead,
} from './read-config-files.ts';

/**
 * Every *.yaml / *.yml below `root` that can be read safely and within the limits (sorted, so problems and
 * plans come out in a stable order). Each file's `path` is `displayRoot` joined with its path below the root:
 * what errors and plans show. It defaults to the root as given; the pipeline passes '' so that paths are
 * repository-relative and plans of one commit are byte-identical whatever directory it was checked out into.
 * Files that were refused are left out here and reported by loadConfig and validateConfig.
 */
export async function readConfigFiles(
  root: string,
  displayRoot: string = root,
  limits: ConfigLimits = currentConfigLimits(),
): Promise<ReadConfigFile[]> {
  return (await readConfigTree(root, displayRoot, limits)).files;
}

function environmentNames(raws: readonly RawDocument[]): Set<string> {
  const names = new Set<string>();
  for (const raw of raws) {
    const name = (raw.value.metadata as { name?: unknown } | undefined)?.name;
    if (raw.value.kind === 'Environment' && typeof name === 'string') names.add(name);
  }
  return names;
}

/** Documents of the same kind and name twice: the second one names the first. */
function duplicateProblems(documents: readonly ConfigDocument[]): ConfigProblem[] {
  const seen = new Map<string, ConfigDocument>();
  const problems: ConfigProblem[] = [];
  for (const doc of documents) {
    const id = `${doc.kind}/${doc.metadata.name}`;
    const first = seen.get(id);
    if (first) {
      problems.push({
        ...doc.source,
        resource: `${doc.kind} "${doc.metadata.name}"`,
        message: `declared twice (also at ${first.source.file}:${first.source.line})`,
        hint: 'keep one document per name; use overlays for per-environment values',
      });
    } else {
      seen.set(id, doc);
    }
  }
  return problems;
}

/** A config tree read, parsed and checked once; each environment's documents are validated from it. */
interface ParsedTree {
  root: string;
  tree: ConfigTree;
  limits: ConfigLimits;
  /** Problems of files and envelopes, which do not depend on the environment. */
  problems: ConfigProblem[];
  checked: CheckedDocument[];
  environments: Set<string>;
  fsPaths: Map<string, string>;
  /** Schema files read so far, by absolute path (each is read once). */
  schemaFiles: Map<string, SafeRead>;
}

async function parseTree(root: string, displayRoot: string, limits: ConfigLimits): Promise<ParsedTree> {
  const tree = await readConfigTree(root, displayRoot, limits);
  const { raws, problems } = parseConfigFiles(tree.files, limits);
  const environments = environmentNames(raws);
  const checked: CheckedDocument[] = [];
  for (const raw of raws) {
    const result = checkEnvelope(raw, environments);
    problems.push(...result.problems);
    if (result.checked) checked.push(result.checked);
  }
  return {
    root,
    tree,
    limits,
    problems: [...tree.problems, ...problems],
    checked,
    environments,
    fsPaths: new Map(tree.files.map((f) => [f.path, f.fsPath])),
    schemaFiles: new Map(),
  };
}

/**
 * Schema documents may point at a file: read it here so rendering stays pure. The file must be a regular
 * file inside the config directory (symbolic links included) and within the size limits; anything else is a
 * problem at `spec.file` that never quotes the file.
 */
async function inlineSchemaFiles(documents: readonly ConfigDocument[], parsed: ParsedTree): Promise<ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  for (const doc of documentsOfKind(documents, 'Schema')) {
    // A document shared with the base validation has its text already.
    if (doc.spec.file === undefined || doc.spec.schema !== undefined) continue;
    const path = resolve(dirname(parsed.fsPaths.get(doc.source.file) ?? doc.source.file), doc.spec.file);
    let read = parsed.schemaFiles.get(path);
    if (read === undefined) {
      const remaining = parsed.limits.maxTotalBytes - parsed.tree.bytesRead;
      read = await readRegularFile(path, parsed.tree.realRoot, Math.min(parsed.limits.maxFileBytes, remaining));
      if ('bytes' in read) parsed.tree.bytesRead += read.bytes;
      else if (read.tooLarge && remaining < parsed.limits.maxFileBytes)
        read = {
          refused: `would pass the limit of ${formatBytes(parsed.limits.maxTotalBytes)} for all config files together`,
          hint: `raise ${LIMIT_VARIABLES.maxTotalBytes}`,
        };
      parsed.schemaFiles.set(path, read);
    }
    if ('text' in read) {
      doc.spec.schema = read.text;
      continue;
    }
    const looked = read.refused === 'does not exist' ? ` (looked at ${relative(process.cwd(), path)})` : '';
    problems.push({
      ...doc.locate(['spec', 'file']),
      resource: `Schema "${doc.metadata.name}"`,
      field: 'spec.file',
      message: `cannot read "${doc.spec.file}": it ${read.refused}${looked}`,
      hint: read.refused === 'does not exist' ? 'the path is relative to the YAML file that names it' : read.hint,
    });
  }
  return problems;
}

/**
 * The documents of one environment (or, for `undefined`, the base documents without overlays) and their
 * problems. With `base` given, a document the environment does not change (no overlay for it) is the base
 * one, not validated again: validating every environment costs the documents plus the overlays, not
 * documents x environments.
 */
async function documentsFor(
  parsed: ParsedTree,
  environment: string | undefined,
  base?: ReadonlyMap<CheckedDocument, ConfigDocument | undefined>,
): Promise<{
  documents: ConfigDocument[];
  problems: ConfigProblem[];
  byChecked: Map<CheckedDocument, ConfigDocument | undefined>;
}> {
  const documents: ConfigDocument[] = [];
  const problems: ConfigProblem[] = [];
  const byChecked = new Map<CheckedDocument, ConfigDocument | undefined>();
  /** Documents validated in this call (the others are the base's, whose Schema files are read already). */
  const validated: ConfigDocument[] = [];
  // Whether this environment has exactly the base's names (then the base's duplicate check holds for it):
  // not when a document restricted to it takes part, or an overlay changes metadata or validity.
  let namesAsInBase = base !== undefined;
  for (const checked of parsed.checked) {
    if (environment !== undefined && !appliesTo(checked, environment)) continue;
    if (checked.metadata.environments !== undefined) namesAsInBase = false;
    let document: ConfigDocument | undefined;
    const overlay = environment !== undefined ? checked.overlays[environment] : undefined;
    if (base !== undefined && environment !== undefined && overlay === undefined) {
      document = base.get(checked);
    } else {
      const result = validateForEnvironment(checked, environment);
      problems.push(...result.problems);
      document = result.document;
      if (document) validated.push(document);
      if (overlay?.metadata !== undefined || (base !== undefined && !document !== !base.get(checked)))
        namesAsInBase = false;
    }
    if (environment === undefined) byChecked.set(checked, document);
    if (document) documents.push(document);
  }
  // Without an environment, documents restricted to some environments are validated but not compared for
  // duplicates: `orders` only in prod and `orders` only in test are two different topics.
  if (environment === undefined)
    appendAll(problems, duplicateProblems(documents.filter((d) => d.metadata.environments === undefined)));
  else if (!namesAsInBase) appendAll(problems, duplicateProblems(documents));
  appendAll(problems, await inlineSchemaFiles(validated, parsed));
  if (environment === undefined) return { documents, problems, byChecked };
  // TopicDefaults fill the topics of each environment after its overlays (ADR 0043): both sides are as that
  // environment sees them, and fields a topic sets itself, also by overlay, win.
  const defaulted = applyTopicDefaults(documents);
  appendAll(problems, defaulted.problems);
  return { documents: defaulted.documents, problems, byChecked };
}

export interface LoadOptions {
  /** Prefix for file paths in problems and plans (default: `root` as given; '' for root-relative paths). */
  displayRoot?: string;
  /** What the loader may read and parse (default: currentConfigLimits(), from `LANDSCAPE_MAX_CONFIG_*`). */
  limits?: ConfigLimits;
}

/**
 * Reads every *.yaml / *.yml under `root`, validates each document, applies the overlays of `environment`
 * and returns the landscape of that environment. Throws ConfigError listing every problem at file:line:column.
 */
export async function loadConfig(root: string, environment: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  const parsed = await parseTree(root, options.displayRoot ?? root, options.limits ?? currentConfigLimits());
  const view = await documentsFor(parsed, environment);
  const problems = [...parsed.problems, ...view.problems];
  return toLoadedConfig(parsed, environment, view.documents, problems);
}

function toLoadedConfig(
  parsed: ParsedTree,
  environment: string,
  documents: readonly ConfigDocument[],
  problems: ConfigProblem[],
): LoadedConfig {
  const environmentDoc = documentsOfKind(documents, 'Environment').find((d) => d.metadata.name === environment);
  if (!environmentDoc && problems.length === 0) {
    const hint = didYouMean(environment, parsed.environments);
    problems.push({
      file: parsed.root,
      line: 1,
      column: 1,
      message: `no Environment named "${environment}"`,
      hint:
        hint ??
        (parsed.environments.size > 0
          ? `declared: ${[...parsed.environments].join(', ')}`
          : 'add a document of kind Environment'),
    });
  }
  const errors = problems.filter((p) => p.severity !== 'warning');
  if (errors.length > 0 || !environmentDoc) throw new ConfigError(problems);
  return {
    root: parsed.root,
    environment: environmentDoc,
    documents: documents.filter((d) => d.kind !== 'Environment'),
  };
}

/** Every environment of a config tree, validated in one read (`landscape validate`). */
export interface LoadedLandscape {
  /** Every problem of every environment, deduplicated, in file order per environment. */
  problems: ConfigProblem[];
  /** The declared environments, in the order of their documents. */
  environments: string[];
  /** Each environment's landscape, ready to render; only when there is no error at all. */
  configs: Map<string, LoadedConfig>;
}

/**
 * Reads and parses the tree once, then validates the base documents and every environment's overlays: the
 * cost is the files plus the documents plus the overlays, whatever the number of environments.
 */
export async function loadLandscape(root: string, options: LoadOptions = {}): Promise<LoadedLandscape> {
  const parsed = await parseTree(root, options.displayRoot ?? root, options.limits ?? currentConfigLimits());
  const base = await documentsFor(parsed, undefined);
  const all = [...parsed.problems, ...base.problems];
  const views = new Map<string, ConfigDocument[]>();
  for (const environment of parsed.environments) {
    const view = await documentsFor(parsed, environment, base.byChecked);
    appendAll(all, view.problems);
    views.set(environment, view.documents);
  }
  const problems = deduplicate(all);
  const configs = new Map<string, LoadedConfig>();
  if (!problems.some((p) => p.severity !== 'warning'))
    for (const [environment, documents] of views)
      configs.set(environment, toLoadedConfig(parsed, environment, documents, []));
  return { problems, environments: [...parsed.environments], configs };
}

/**
 * `target.push(...items)` for lists of any length: a spread passes each item as an argument, and more than
 * about 120,000 arguments overflow the stack (a config of 100,000 small broken documents has that many).
 */
export function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

function deduplicate(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const id = `${p.file}:${p.line}:${p.column}:${p.field ?? ''}:${p.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** Validates every document for every declared environment; returns problems (deduplicated) instead of throwing. */
export async function validateConfig(root: string, options: LoadOptions = {}): Promise<ConfigProblem[]> {
  return (await loadLandscape(root, options)).problems;
}
