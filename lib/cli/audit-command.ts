import type { AuditRecord } from '../ports/state-store.ts';
import { localContext } from '../wiring/local.ts';
import { EXIT } from './output.ts';

/** One audit record as a terminal line: when, what, outcome, who, commit, plan, counts. */
export function auditLine(record: AuditRecord): string {
  const commit = record.commit ? ` commit ${record.commit.slice(0, 12)}` : '';
  const plan = record.planHash ? ` plan ${record.planHash.slice(0, 12)}` : '';
  const counts = record.summary
    ? ` (${Object.entries(record.summary)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')})`
    : '';
  const changes = record.changes?.length ? ` ${record.changes.length} change(s)` : '';
  const message = record.message ? `: ${record.message.split('\n')[0]}` : '';
  return `${record.at}  ${record.type.padEnd(8)} ${record.outcome.padEnd(12)} by ${record.actor}${commit}${plan}${counts}${changes}${message}`;
}

/**
 * `landscape audit --env E [--limit N] [--json]`: the newest audit records of an environment from the state
 * directory (the same records the AuditSinks receive), newest first.
 */
export async function auditCommand(options: { env: string; limit?: number; state?: string; json?: boolean }) {
  const limit = options.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    process.stderr.write(`--limit must be a whole number from 1 to 1000, got ${String(options.limit)}\n`);
    return EXIT.error;
  }
  const { store } = localContext(options.state);
  const records = await store.listAudit(options.env, limit, {
    onSkipped: ({ count, where }) =>
      process.stderr.write(
        `warning: skipped ${count} damaged audit record${count === 1 ? '' : 's'} (${where}): cut short by a crash or a full disk; the readable records are listed\n`,
      ),
  });
  if (options.json) process.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
  else if (records.length === 0) process.stdout.write(`no audit records for environment "${options.env}"\n`);
  else for (const record of records) process.stdout.write(`${auditLine(record)}\n`);
  return EXIT.ok;
}
