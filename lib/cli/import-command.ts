import { EXIT } from './output.ts';

export interface ImportOptions {
  /** kafka-gitops | julieops | strimzi | jikkou | terraform-state */
  from: string;
  out: string;
}

/** `landscape import --from TOOL SOURCE... --out DIR`: placeholder until the importers land. */
export async function importCommand(_sources: string[], _options: ImportOptions): Promise<number> {
  process.stderr.write('landscape import: not implemented yet\n');
  return EXIT.error;
}
