import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { withFileMutex } from '../../../../lib/adapters/store/file-io.ts';

const run = promisify(execFile);
const WORKER = join(import.meta.dirname, '../../../support/store/mutex-worker.ts');

/** Runs one worker process to completion (node runs the .ts file directly). */
function worker(lock: string, counter: string, count: number, mode = 'count', staleMs = 30_000) {
  return run(process.execPath, [WORKER, lock, counter, String(count), mode, String(staleMs)]);
}

describe('withFileMutex', () => {
  it('is mutually exclusive across processes: 6 processes x 150 increments lose no update', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'landscape-mutex-'));
    const lock = join(dir, 'counter.lock');
    const counter = join(dir, 'counter');

    // Act
    await Promise.all(Array.from({ length: 6 }, () => worker(lock, counter, 150)));

    // Assess
    expect(Number(await readFile(counter, 'utf8'))).toBe(900);
  });

  it('is mutually exclusive between concurrent callers in one process', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'landscape-mutex-'));
    const lock = join(dir, 'counter.lock');
    let inside = 0;
    let most = 0;
    let total = 0;

    // Act
    await Promise.all(
      Array.from({ length: 50 }, () =>
        withFileMutex(lock, async () => {
          inside++;
          most = Math.max(most, inside);
          await new Promise((resolve) => setImmediate(resolve));
          total++;
          inside--;
        }),
      ),
    );

    // Assess
    expect({ most, total }).toEqual({ most: 1, total: 50 });
  });

  it('takes over from a holder that died inside the mutex at once, and stays exclusive while others race for it', async () => {
    // Prepare: a process takes the mutex and is killed (SIGKILL) while holding it.
    const dir = await mkdtemp(join(tmpdir(), 'landscape-mutex-'));
    const lock = join(dir, 'counter.lock');
    const counter = join(dir, 'counter');
    const child = spawn(process.execPath, [WORKER, lock, counter, '0', 'die-holding', '600000'], { stdio: 'pipe' });
    const exit = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    expect(exit).toBe('SIGKILL');

    // Act: the dead holder's lock is stale at once (its pid is gone), not after the staleness timeout
    // (10 minutes here, far beyond the test's timeout); four processes race for the takeover.
    await Promise.all(Array.from({ length: 4 }, () => worker(lock, counter, 50, 'count', 600_000)));
    await withFileMutex(lock, async () => undefined, 600_000);

    // Assess
    expect(Number(await readFile(counter, 'utf8'))).toBe(200);
  });
});
