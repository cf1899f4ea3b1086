import { EXIT } from './output.ts';

export interface SchemaOptions {
  out: string;
}

/** `landscape schema --out DIR`: placeholder until the JSON Schema export lands. */
export async function schemaCommand(_options: SchemaOptions): Promise<number> {
  process.stderr.write('landscape schema: not implemented yet\n');
  return EXIT.error;
}
