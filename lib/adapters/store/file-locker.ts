import { readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { StateDamagedError } from '../../errors.ts';
import { hasAbsurdExpiry, type Lease, type LockAttempt, type Locker, MAX_LEASE_SECONDS } from '../../ports/lock.ts';
import { processAlive, thisMachine, withFileMutex, writeJson } from './file-io.ts';
import { type LockFile, leaseFiles, readLockFile } from './file-lease.ts';

/**
 * Leases in `<root>/locks/<env>.json`, each read-modify-write under that environment's mutex (file-lease.ts).
 * - The holder is named with host, pid and since when. A lease whose process is gone (same machine and boot)
 *   or whose expiry is absurd (beyond `MAX_LEASE_SECONDS`) is free to take, as an expired one is.
 * - Tokens are `max(last + 1, now in ms)`: monotonic even when the lock file is deleted by hand.
 */
export class FileLocker implements Locker {
  readonly #root: string;
  readonly #now: () => Date;

  constructor(root: string, now: () => Date = () => new Date()) {
    this.#root = root;
    this.#now = now;
  }

  async tryLock(environment: string, holder: string, ttlSeconds: number): Promise<LockAttempt> {
    const { file, mutex } = leaseFiles(this.#root, environment);
    const machine = await thisMachine();
    return withFileMutex(mutex, async () => {
      const state = (await readLockFile(file, environment)) ?? { lastToken: 0 };
      const now = this.#now();
      if (state.lease && (await this.#stillHeld(state, now))) return { acquired: false, holder: state.lease };
      const seconds = Math.min(Math.max(1, ttlSeconds), MAX_LEASE_SECONDS);
      const lease: Lease = {
        environment,
        holder,
        token: Math.max(state.lastToken + 1, now.getTime()),
        expiresAt: new Date(now.getTime() + seconds * 1000).toISOString(),
        since: now.toISOString(),
        host: hostname(),
        pid: process.pid,
      };
      await writeJson(file, { lease, lastToken: lease.token, machine } satisfies LockFile);
      return { acquired: true, lease };
    });
  }

  /** Unexpired, not absurdly long, and (on this machine) its process is alive. */
  async #stillHeld(state: LockFile, now: Date): Promise<boolean> {
    const lease = state.lease;
    if (!lease || new Date(lease.expiresAt) <= now || hasAbsurdExpiry(lease, now)) return false;
    if (state.machine === (await thisMachine()) && lease.pid !== undefined) return processAlive(lease.pid);
    return true;
  }

  async release(lease: Lease): Promise<void> {
    const { file, mutex } = leaseFiles(this.#root, lease.environment);
    await withFileMutex(mutex, async () => {
      const state = await readLockFile(file, lease.environment);
      // Only the holder of this exact token may release: a broken and re-taken lock stays with its new holder.
      if (state?.lease?.token === lease.token) await writeJson(file, { lastToken: state.lastToken } satisfies LockFile);
    });
  }

  async holds(lease: Lease): Promise<boolean> {
    // Expiry alone is not loss: until someone else takes the environment, the lease is still this one.
    const state = await readLockFile(leaseFiles(this.#root, lease.environment).file, lease.environment);
    return state?.lease?.token === lease.token;
  }

  async list(): Promise<Lease[]> {
    const dir = join(this.#root, 'locks');
    const names = await readdir(dir).catch(() => [] as string[]);
    const leases: Lease[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const state = await readLockFile(join(dir, name), name.slice(0, -'.json'.length));
      if (state && (await this.#stillHeld(state, this.#now()))) leases.push(state.lease as Lease);
    }
    return leases;
  }

  async breakLock(environment: string): Promise<boolean> {
    const { file, mutex } = leaseFiles(this.#root, environment);
    return withFileMutex(mutex, async () => {
      let state: LockFile | undefined;
      try {
        state = await readLockFile(file, environment);
      } catch (error) {
        if (!(error instanceof StateDamagedError)) throw error;
        // A damaged lock file is what `unlock` is for: start over, with a counter above any token handed out.
        await writeJson(file, { lastToken: this.#now().getTime() } satisfies LockFile);
        return true;
      }
      if (!state?.lease) return false;
      await writeJson(file, { lastToken: state.lastToken } satisfies LockFile);
      return true;
    });
  }
}
