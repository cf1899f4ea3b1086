/**
 * A child process for the file-mutex race test: increments a counter file `count` times, each time under
 * `withFileMutex`, as a read, a pause and a write (a lost update shows up as a short final count).
 * Usage: node mutex-worker.ts LOCK COUNTER COUNT [die-holding|count] [STALE_MS]
 * With `die-holding` it takes the mutex once and kills itself inside it (SIGKILL: no cleanup runs).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { withFileMutex } from '../../../lib/adapters/store/file-io.ts';

const [lock, counter, count, mode, staleArg] = process.argv.slice(2);
const staleMs = staleArg ? Number(staleArg) : undefined;
if (!lock || !counter || !count) throw new Error('usage: mutex-worker.ts LOCK COUNTER COUNT [die-holding]');

if (mode === 'die-holding') {
  await withFileMutex(
    lock,
    async () => {
      process.stdout.write('holding\n');
      process.kill(process.pid, 'SIGKILL');
      await new Promise(() => undefined);
    },
    staleMs,
  );
}

for (let i = 0; i < Number(count); i++) {
  await withFileMutex(
    lock,
    async () => {
      const value = Number((await readFile(counter, 'utf8').catch(() => '0')) || '0');
      await yieldToLoop();
      await writeFile(counter, String(value + 1));
    },
    staleMs,
  );
}
