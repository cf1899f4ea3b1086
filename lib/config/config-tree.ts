import { isAbsolute, relative } from 'node:path';
import type { ConfigProblem } from '../errors.ts';
import { readConfigFiles } from './load-config.ts';
import { parseConfigFiles } from './parse-config.ts';

/** An Environment document found in a checked-out tree (before validation). */
export interface EnvironmentEntry {
  name: string;
  /** `spec.branch` as written (default `main`); overlays do not change it. */
  branch: string;
}

/**
 * The Environment documents of a config tree, by name and branch, without validating anything else: a push
 * must know which environments it deploys even when another document is broken (that one is reported).
 */
export async function listEnvironments(root: string): Promise<EnvironmentEntry[]> {
  const files = await readConfigFiles(root);
  const { raws } = parseConfigFiles(files);
  const entries = new Map<string, EnvironmentEntry>();
  for (const raw of raws) {
    if (raw.value.kind !== 'Environment') continue;
    const name = (raw.value.metadata as { name?: unknown } | undefined)?.name;
    if (typeof name !== 'string') continue;
    const branch = (raw.value.spec as { branch?: unknown } | undefined)?.branch;
    entries.set(name, { name, branch: typeof branch === 'string' ? branch : 'main' });
  }
  return [...entries.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Makes problem paths relative to the checkout, as GitHub annotations and people expect. */
export function relativeProblems(root: string, problems: readonly ConfigProblem[]): ConfigProblem[] {
  return problems.map((p) => ({ ...p, file: repoPath(root, p.file) }));
}

export function repoPath(root: string, file: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(root, file);
  return rel === '' ? '.' : rel.startsWith('..') ? file : rel.split('\\').join('/');
}
