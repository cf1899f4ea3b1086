import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileLocker } from '../../../../lib/adapters/store/file-locker.ts';
import { ReconcilerError } from '../../../../lib/errors.ts';
import type { LockAttempt } from '../../../../lib/ports/lock.ts';

const WORKER = join(import.meta.dirname, '../../../support/store/lock-worker.ts');
const stateDir = () => mkdtemp(join(tmpdir(), 'landscape-locks-'));

/** Runs the lock worker, which takes the lease and is killed holding it; resolves with what it printed. */
function crashWhileHolding(root: string, environment: string): Promise<LockAttempt> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [WORKER, root, environment], (error, stdout) => {
      if (error?.signal !== 'SIGKILL') reject(error ?? new Error('the worker was expected to be killed'));
      else resolve(JSON.parse(stdout) as LockAttempt);
    });
  });
}

describe('FileLocker', () => {
  it('names the holder (actor, host, pid, since) to whoever finds the environment locked', async () => {
    const locker = new FileLocker(await stateDir(), () => new Date('2026-11-26T10:00:00Z'));
    await locker.tryLock('prod', 'alice@cli', 900);
    expect(await locker.tryLock('prod', 'bob@cli', 900)).toMatchObject({
      acquired: false,
      holder: { holder: 'alice@cli', host: hostname(), pid: process.pid, since: '2026-11-26T10:00:00.000Z' },
    });
  });

  it('frees at once a lease whose process died on this machine (no 15-minute wait after a crash)', async () => {
    // Prepare: a process takes the lease and is killed without releasing it.
    const root = await stateDir();
    const crashed = await crashWhileHolding(root, 'prod');
    if (!crashed.acquired) throw new Error('the worker did not get the lock');

    // Act
    const next = await new FileLocker(root).tryLock('prod', 'bob@cli', 900);

    // Assess
    expect(next).toMatchObject({ acquired: true, lease: { holder: 'bob@cli', pid: process.pid } });
    expect(next.acquired && next.lease.token).toBeGreaterThan(crashed.lease.token);
  });

  it('treats a lease with an absurd expiry as broken', async () => {
    // Prepare: a lock file whose lease runs until 2999, held by this (live) process.
    const root = await stateDir();
    const locker = new FileLocker(root);
    const first = await locker.tryLock('prod', 'alice@cli', 900);
    if (!first.acquired) throw new Error('expected the lock');
    const file = join(root, 'locks', 'prod.json');
    const state = JSON.parse(await readFile(file, 'utf8'));
    state.lease.expiresAt = '2999-01-01T00:00:00.000Z';
    await writeFile(file, JSON.stringify(state));

    // Act + Assess
    expect(await locker.list()).toEqual([]);
    expect(await locker.tryLock('prod', 'bob@cli', 900)).toMatchObject({
      acquired: true,
      lease: { holder: 'bob@cli' },
    });
  });

  it('never hands out an old token again, even when the lock file is deleted', async () => {
    const root = await stateDir();
    const locker = new FileLocker(root);
    const first = await locker.tryLock('prod', 'alice@cli', 900);
    if (!first.acquired) throw new Error('expected the lock');
    await rm(join(root, 'locks', 'prod.json'));
    const second = await locker.tryLock('prod', 'bob@cli', 900);
    expect(second.acquired && second.lease.token).toBeGreaterThan(first.lease.token);
    expect(await locker.holds(first.lease)).toBe(false);
  });

  it('names a damaged lock file and the command that resets it; unlocking repairs it', async () => {
    // Prepare: a lock file cut short (a full disk, an editor).
    const root = await stateDir();
    const locker = new FileLocker(root);
    const first = await locker.tryLock('prod', 'alice@cli', 900);
    if (!first.acquired) throw new Error('expected the lock');
    const file = join(root, 'locks', 'prod.json');
    await writeFile(file, (await readFile(file, 'utf8')).slice(0, 20));

    // Act
    const error = await locker.tryLock('prod', 'bob@cli', 900).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ReconcilerError);
    expect((error as ReconcilerError).code).toBe('StateDamaged');
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain('landscape unlock --env prod');
    expect(await locker.breakLock('prod')).toBe(true);
    const next = await locker.tryLock('prod', 'bob@cli', 900);
    expect(next.acquired && next.lease.token).toBeGreaterThan(first.lease.token);
  });
});
