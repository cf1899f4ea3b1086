import { type ConfigProblem, formatProblem } from '../errors.ts';
import type { ProgressListener } from '../ports/resource-provider.ts';

/** Exit codes: 0 nothing to do / success, 1 error, 2 changes (plan) or drift found (drift). */
export const EXIT = { ok: 0, error: 1, changes: 2 } as const;

export function printProblems(problems: readonly ConfigProblem[]): void {
  for (const problem of problems) process.stderr.write(`${formatProblem(problem)}\n`);
  const errors = problems.filter((p) => p.severity !== 'warning').length;
  if (errors > 0) process.stderr.write(`\n${errors} error${errors === 1 ? '' : 's'} in the configuration.\n`);
}

/**
 * Progress lines on stderr for long operations, at most one per phase every 2 seconds (and the last one),
 * so a 10,000-topic apply shows it is alive without flooding CI logs.
 */
export function progressPrinter(): ProgressListener {
  const last = new Map<string, number>();
  return ({ phase, done, total, message }) => {
    const now = Date.now();
    if (done < total && now - (last.get(phase) ?? 0) < 2000) return;
    last.set(phase, now);
    process.stderr.write(`  ${phase}: ${done}/${total}${message ? ` ${message}` : ''}\n`);
  };
}
