import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileLocker } from '../../../../lib/adapters/store/file-locker.ts';
import type { Locker } from '../../../../lib/ports/lock.ts';
import { InMemoryLocker } from '../../../support/fakes/in-memory-locker.ts';

type MakeLocker = (now: () => Date) => Promise<Locker>;

const lockers: [string, MakeLocker][] = [
  ['InMemoryLocker', async (now) => new InMemoryLocker(now)],
  ['FileLocker', async (now) => new FileLocker(await mkdtemp(join(tmpdir(), 'landscape-locks-')), now)],
];

describe.each(lockers)('%s.holds (the fencing check before an apply writes its results)', (_name, make) => {
  it('is true until someone else takes the environment: an expired lease nobody took still holds', async () => {
    // Prepare
    let clock = new Date('2026-11-26T10:00:00Z');
    const locker = await make(() => clock);
    const first = await locker.tryLock('prod', 'apply:1', 60);
    if (!first.acquired) throw new Error('expected the lock');

    // Act + Assess
    expect(await locker.holds(first.lease)).toBe(true);
    clock = new Date('2026-11-26T10:01:01Z');
    expect(await locker.holds(first.lease)).toBe(true); // a long apply past its lease, nobody waiting
    const second = await locker.tryLock('prod', 'apply:2', 60);
    if (!second.acquired) throw new Error('expected the lock after expiry');
    expect([await locker.holds(first.lease), await locker.holds(second.lease)]).toEqual([false, true]);
    expect(await locker.breakLock('prod')).toBe(true);
    const third = await locker.tryLock('prod', 'apply:3', 60);
    if (!third.acquired) throw new Error('expected the lock after the break');
    expect([await locker.holds(second.lease), await locker.holds(third.lease)]).toEqual([false, true]);
    await locker.release(third.lease);
    expect(await locker.holds(third.lease)).toBe(false);
  });
});
