import { loadConfig } from '../config/load-config.ts';
import { ConfigError } from '../errors.ts';
import type { LoadedConfig } from '../model/documents.ts';
import { printProblems } from './output.ts';

/** Loads one environment's config; on config problems prints them (file:line) and returns undefined. */
export async function loadOrReport(dir: string, env: string): Promise<LoadedConfig | undefined> {
  try {
    return await loadConfig(dir, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      printProblems(error.problems);
      return undefined;
    }
    throw error;
  }
}
