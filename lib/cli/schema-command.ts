import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { COMBINED_SCHEMA_FILE, jsonSchemaFiles } from '../config/reference.ts';
import { EXIT } from './output.ts';

export interface SchemaOptions {
  out: string;
}

/**
 * `landscape schema --out DIR`: one JSON Schema per kind (`topic.schema.json`, ...) and `landscape.schema.json`
 * for every kind at once, from the zod schemas `landscape validate` uses. Editors with the YAML language server
 * complete and check Landscape files with them (README, "Editor support").
 */
export async function schemaCommand(options: SchemaOptions): Promise<number> {
  const files = jsonSchemaFiles();
  await mkdir(options.out, { recursive: true });
  for (const file of files) await writeFile(join(options.out, file.name), file.content);
  process.stdout.write(
    `wrote ${files.length} JSON Schemas to ${options.out} (${COMBINED_SCHEMA_FILE} covers every kind)\n`,
  );
  return EXIT.ok;
}
