import { EXIT } from './output.ts';

export interface DoctorOptions {
  env: string;
  json?: boolean;
  state?: string;
}

/** `landscape doctor DIR --env E`: placeholder until the connectivity checks land (issue: deployability). */
export async function doctorCommand(_dir: string, _options: DoctorOptions): Promise<number> {
  process.stderr.write('landscape doctor: not implemented yet\n');
  return EXIT.error;
}
