import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { KINDS } from '../model/documents.ts';
import {
  type DocumentRoles,
  type ExampleSourceFile,
  type GeneratedFile,
  jsonSchemaFiles,
  pickExamples,
  REFERENCE_FILE,
  renderReference,
  SCHEMAS_DIR,
} from './reference.ts';

/**
 * Where the reference takes its examples from, in order of preference: the examples users start from, then
 * docs/reference-examples.yaml (written for the reference, for kinds examples/ does not show), then the golden
 * plan inputs (documents that plan as recorded). The first document of a kind wins.
 */
export const EXAMPLE_DIRS = ['examples', 'docs/reference-examples.yaml', 'test/golden/plan'] as const;

async function yamlFilesUnder(root: string, path: string): Promise<string[]> {
  const full = join(root, path);
  if (/\.ya?ml$/.test(path)) return [full];
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(full, { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Every YAML file the examples are taken from, relative paths with `/`, in order of preference. */
export async function readExampleSources(root: string): Promise<ExampleSourceFile[]> {
  const files: ExampleSourceFile[] = [];
  for (const dir of EXAMPLE_DIRS) {
    for (const path of await yamlFilesUnder(root, dir)) {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch {
        continue;
      }
      files.push({ path: relative(root, path).split('\\').join('/'), text });
    }
  }
  return files;
}

/** docs/reference.md and docs/schemas/*.json as they should be checked in, relative to the repository root. */
export async function generateReferenceFiles(root: string, roles: DocumentRoles): Promise<GeneratedFile[]> {
  const examples = pickExamples(await readExampleSources(root));
  const missing = KINDS.filter((kind) => !examples.has(kind));
  if (missing.length > 0) {
    throw new Error(
      `no example document of kind ${missing.join(', ')}: add one to examples/ or docs/reference-examples.yaml`,
    );
  }
  return [
    { name: REFERENCE_FILE, content: renderReference(examples, roles) },
    ...jsonSchemaFiles().map((file) => ({ name: `${SCHEMAS_DIR}/${file.name}`, content: file.content })),
  ];
}
