import type { LoadedConfig } from '../model/documents.ts';

/**
 * Reads every *.yaml / *.yml under `root`, validates each document, applies the overlays of `environment`
 * and returns the landscape of that environment. Throws ConfigError (lib/errors.ts) listing every problem
 * at file:line:column.
 */
export async function loadConfig(_root: string, _environment: string): Promise<LoadedConfig> {
  throw new Error('loadConfig: being written');
}

/** Validates every document for every environment declared; returns problems instead of throwing. */
export async function validateConfig(_root: string): Promise<import('../errors.ts').ConfigProblem[]> {
  throw new Error('validateConfig: being written');
}
