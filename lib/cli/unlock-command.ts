import { StateDamagedError } from '../errors.ts';
import { lockRecord } from '../model/audit.ts';
import { describeHolder, type Lease } from '../ports/lock.ts';
import { localContext } from '../wiring/local.ts';
import { confirm, localAudit } from './local-plan.ts';
import { EXIT } from './output.ts';

/**
 * `landscape unlock --env E [--yes]`: releases an environment's apply lock after a crashed or killed apply,
 * instead of waiting for the lease to expire. Shows who holds it, asks for confirmation (`--yes` for scripts)
 * and records a `lock` audit record. The fencing counter is kept, so the apply that held the lock (if it still
 * runs somewhere) can no longer write its results.
 */
export async function unlockCommand(options: { env: string; yes?: boolean; state?: string }): Promise<number> {
  const { store, locker } = localContext(options.state);
  const environment = options.env;
  let lease: Lease | undefined;
  let damaged: string | undefined;
  try {
    lease = (await locker.list()).find((l) => l.environment === environment);
  } catch (error) {
    if (!(error instanceof StateDamagedError)) throw error;
    damaged = error.message;
  }
  if (!lease && !damaged) {
    process.stdout.write(`environment "${environment}" is not locked\n`);
    return EXIT.ok;
  }
  const what = lease
    ? `the lock of "${environment}" held by ${describeHolder(lease)} until ${lease.expiresAt}`
    : `the damaged lock of "${environment}" (${damaged})`;
  process.stdout.write(`${what}\n`);
  if (!options.yes) {
    if (!process.stdin.isTTY) {
      process.stderr.write('not unlocked: pass --yes to unlock without a prompt\n');
      return EXIT.error;
    }
    if (!(await confirm('Release it? Only do this when that apply is no longer running.'))) {
      process.stderr.write('not unlocked\n');
      return EXIT.error;
    }
  }
  const broken = await locker.breakLock(environment);
  await store.appendAudit(
    lockRecord(broken ? 'Broken' : 'NotLocked', {
      ...localAudit(environment),
      message: `landscape unlock released ${what}`,
    }),
  );
  process.stdout.write(
    broken
      ? `unlocked "${environment}": the next apply can run; an apply still running under the old lock can no longer record its results\n`
      : `environment "${environment}" was not locked any more\n`,
  );
  return EXIT.ok;
}
