import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { ConfigError, type ConfigProblem } from '../errors.ts';
import { type ConfigDocument, documentsOfKind, type LoadedConfig } from '../model/documents.ts';
import { didYouMean } from '../model/suggest.ts';
import { type ConfigFile, parseConfigFiles, type RawDocument, validateDocument } from './parse-config.ts';

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.landscape']);

/**
 * Every *.yaml / *.yml below `root` (sorted, so problems and plans come out in a stable order). Each file's
 * `path` is `displayRoot` joined with its path below the root: what errors and plans show. It defaults to the
 * root as given; the pipeline passes '' so that paths are repository-relative and plans of one commit are
 * byte-identical whatever directory it was checked out into.
 */
export async function readConfigFiles(
  root: string,
  displayRoot: string = root,
): Promise<(ConfigFile & { fsPath: string })[]> {
  const info = await stat(root).catch(() => undefined);
  if (!info)
    throw new ConfigError([
      {
        file: root,
        line: 1,
        column: 1,
        message: 'config directory does not exist',
        hint: 'pass the folder that holds your YAML',
      },
    ]);
  const paths: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (/\.ya?ml$/.test(entry.name)) paths.push(full);
    }
  };
  if (info.isDirectory()) await walk(root);
  else paths.push(root);
  paths.sort();
  return Promise.all(
    paths.map(async (fsPath) => ({
      fsPath,
      path: info.isDirectory() ? join(displayRoot, relative(root, fsPath)) : displayRoot,
      text: await readFile(fsPath, 'utf8'),
    })),
  );
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

/** Schema documents may point at a file: read it here so rendering stays pure. */
async function inlineSchemaFiles(
  documents: ConfigDocument[],
  fsPaths: ReadonlyMap<string, string>,
): Promise<ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  for (const doc of documentsOfKind(documents, 'Schema')) {
    if (doc.spec.file === undefined) continue;
    const path = resolve(dirname(fsPaths.get(doc.source.file) ?? doc.source.file), doc.spec.file);
    try {
      doc.spec.schema = await readFile(path, 'utf8');
    } catch {
      problems.push({
        ...doc.locate(['spec', 'file']),
        resource: `Schema "${doc.metadata.name}"`,
        field: 'spec.file',
        message: `cannot read "${doc.spec.file}" (looked at ${relative(process.cwd(), path)})`,
        hint: 'the path is relative to the YAML file that names it',
      });
    }
  }
  return problems;
}

/** Parses and validates the tree for one environment (or for none: base documents only). */
async function loadDocuments(root: string, environment: string | undefined, displayRoot: string = root) {
  const files = await readConfigFiles(root, displayRoot);
  const { raws, problems } = parseConfigFiles(files);
  const environments = environmentNames(raws);
  const documents: ConfigDocument[] = [];
  for (const raw of raws) {
    const result = validateDocument(raw, { environment, environments });
    problems.push(...result.problems);
    if (result.document) documents.push(result.document);
  }
  problems.push(...duplicateProblems(documents));
  problems.push(...(await inlineSchemaFiles(documents, new Map(files.map((f) => [f.path, f.fsPath])))));
  return { documents, problems, environments };
}

export interface LoadOptions {
  /** Prefix for file paths in problems and plans (default: `root` as given; '' for root-relative paths). */
  displayRoot?: string;
}

/**
 * Reads every *.yaml / *.yml under `root`, validates each document, applies the overlays of `environment`
 * and returns the landscape of that environment. Throws ConfigError listing every problem at file:line:column.
 */
export async function loadConfig(root: string, environment: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  const { documents, problems, environments } = await loadDocuments(root, environment, options.displayRoot ?? root);
  const environmentDoc = documentsOfKind(documents, 'Environment').find((d) => d.metadata.name === environment);
  if (!environmentDoc && problems.length === 0) {
    const hint = didYouMean(environment, environments);
    problems.push({
      file: root,
      line: 1,
      column: 1,
      message: `no Environment named "${environment}"`,
      hint:
        hint ??
        (environments.size > 0 ? `declared: ${[...environments].join(', ')}` : 'add a document of kind Environment'),
    });
  }
  const errors = problems.filter((p) => p.severity !== 'warning');
  if (errors.length > 0 || !environmentDoc) throw new ConfigError(problems);
  return {
    root,
    environment: environmentDoc,
    documents: documents.filter((d) => d.kind !== 'Environment'),
  };
}

/** Validates every document for every declared environment; returns problems (deduplicated) instead of throwing. */
export async function validateConfig(root: string): Promise<ConfigProblem[]> {
  const base = await loadDocuments(root, undefined);
  const all = [...base.problems];
  for (const environment of base.environments) {
    const perEnvironment = await loadDocuments(root, environment);
    all.push(...perEnvironment.problems);
  }
  const seen = new Set<string>();
  return all.filter((p) => {
    const id = `${p.file}:${p.line}:${p.column}:${p.field ?? ''}:${p.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
