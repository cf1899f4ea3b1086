import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { landscapeAccess } from '../import/access-expander.ts';
import { IMPORTERS } from '../import/importers.ts';
import { renderImport, renderReport } from '../import/render.ts';
import { ImportFormatError, type SourceFile } from '../import/source.ts';
import { EXIT } from './output.ts';

export interface ImportOptions {
  /** kafka-gitops | julieops | strimzi | jikkou | terraform-state */
  from: string;
  out: string;
}

const SOURCE_FILE = /\.(ya?ml|json)$/i;

/** A SOURCE is a file, or a directory whose YAML and JSON files are read (recursively, in name order). */
async function readSources(paths: readonly string[]): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  for (const path of paths) {
    if ((await stat(path)).isDirectory()) {
      const entries = (await readdir(path, { recursive: true })).filter((entry) => SOURCE_FILE.test(entry)).sort();
      for (const entry of entries) {
        const full = join(path, entry);
        if ((await stat(full)).isFile()) files.push({ path: full, text: await readFile(full, 'utf8') });
      }
    } else {
      files.push({ path, text: await readFile(path, 'utf8') });
    }
  }
  return files;
}

const lineCount = (text: string) => text.split('\n').filter((line) => line.trim() !== '').length;

/**
 * `landscape import --from TOOL SOURCE... --out DIR`: another tool's files as Landscape YAML in DIR, one file
 * per kind. What could not be converted is listed on stderr with its source file:line. Exit 0 when everything
 * was converted, 2 when the files were written but something was not converted (the report says what), 1 when
 * a source is not in the named format (nothing is written).
 */
export async function importCommand(sources: string[], options: ImportOptions): Promise<number> {
  const importer = IMPORTERS.get(options.from);
  if (!importer) {
    process.stderr.write(`unknown --from "${options.from}": expected one of ${[...IMPORTERS.keys()].join(', ')}\n`);
    return EXIT.error;
  }
  let files: SourceFile[];
  try {
    files = await readSources(sources);
  } catch (error) {
    process.stderr.write(`error: reading ${sources.join(', ')}: ${(error as Error).message}\n`);
    return EXIT.error;
  }
  if (files.length === 0) {
    process.stderr.write(`error: no YAML or JSON files in ${sources.join(', ')}\n`);
    return EXIT.error;
  }
  let result: ReturnType<typeof importer.convert>;
  try {
    result = importer.convert(files, { access: landscapeAccess });
  } catch (error) {
    if (!(error instanceof ImportFormatError)) throw error;
    process.stderr.write(`error: ${error.message} (not ${importer.tool} ${importer.reads}); nothing written\n`);
    return EXIT.error;
  }
  const rendered = renderImport(result, `imported by landscape import --from ${importer.tool}`);
  await mkdir(options.out, { recursive: true });
  for (const [file, text] of rendered) await writeFile(join(options.out, file), text);
  const sourceLines = files.reduce((sum, file) => sum + lineCount(file.text), 0);
  const resultLines = [...rendered.values()].reduce((sum, text) => sum + lineCount(text), 0);
  process.stdout.write(
    `imported ${result.documents.length} document(s) from ${files.length} ${importer.tool} file(s) to ${options.out}: ${[...rendered.keys()].join(', ')}\n` +
      `lines (not blank): source ${sourceLines}, result ${resultLines}\n`,
  );
  process.stderr.write(renderReport(result.losses, result.notes));
  return result.losses.length > 0 ? EXIT.changes : EXIT.ok;
}
