import { mkdtemp } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileLocker } from '../../../lib/adapters/store/file-locker.ts';
import type { AuditRecord } from '../../../lib/ports/state-store.ts';
import { landscapeCli } from '../../support/cli/landscape-cli.ts';

/** The real CLI, without a terminal (as in a script or CI). */
const landscape = (state: string, ...args: string[]) =>
  landscapeCli(args, { state, env: { LANDSCAPE_ACTOR: 'operator@cli' } });

describe('landscape unlock', () => {
  it('shows the holder, asks (or needs --yes), releases the lock and records who did it', async () => {
    // Prepare: an apply holds "prod" (this process stands in for one that hangs or runs elsewhere).
    const state = await mkdtemp(join(tmpdir(), 'landscape-unlock-'));
    const locker = new FileLocker(state);
    const held = await locker.tryLock('prod', 'alice@cli', 900);
    if (!held.acquired) throw new Error('expected the lock');

    // Act
    const refused = await landscape(state, 'unlock', '--env', 'prod');
    const heldAfterRefusal = await locker.holds(held.lease);
    const released = await landscape(state, 'unlock', '--env', 'prod', '--yes');
    const again = await landscape(state, 'unlock', '--env', 'prod', '--yes');
    const audit = await landscape(state, 'audit', '--env', 'prod', '--json');

    // Assess
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(`alice@cli (pid ${process.pid} on ${hostname()}, since ${held.lease.since})`);
    expect(refused.stderr).toContain('pass --yes');
    expect(heldAfterRefusal).toBe(true);
    expect(released).toMatchObject({ code: 0 });
    expect(released.stdout).toContain('unlocked "prod"');
    expect(await locker.list()).toEqual([]);
    expect(await locker.holds(held.lease)).toBe(false);
    expect(again).toMatchObject({ code: 0, stdout: 'environment "prod" is not locked\n' });
    const records = JSON.parse(audit.stdout) as AuditRecord[];
    expect(records.filter((r) => r.type === 'lock')).toEqual([
      expect.objectContaining({
        actor: 'operator@cli',
        outcome: 'Broken',
        message: expect.stringContaining('held by alice@cli'),
      }),
    ]);
    const next = await locker.tryLock('prod', 'bob@cli', 900);
    expect(next.acquired && next.lease.token).toBeGreaterThan(held.lease.token);
  });
});
