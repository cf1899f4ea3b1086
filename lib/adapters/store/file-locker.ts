import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lease, LockAttempt, Locker } from '../../ports/lock.ts';
import { readJson, withFileMutex, writeJson } from './file-io.ts';

const safeName = (name: string): string => name.replace(/[^A-Za-z0-9._-]/g, '_');

interface LockFile {
  lease?: Lease;
  /** Highest fencing token ever issued for this environment; survives releases. */
  lastToken: number;
}

/** Leases in `<root>/locks/<env>.json`; the read-modify-write is guarded by a lock file. */
export class FileLocker implements Locker {
  readonly #dir: string;
  readonly #now: () => Date;

  constructor(root: string, now: () => Date = () => new Date()) {
    this.#dir = join(root, 'locks');
    this.#now = now;
  }

  #path(environment: string): string {
    return join(this.#dir, `${safeName(environment)}.json`);
  }

  #mutex(environment: string): string {
    return join(this.#dir, '.mutex', safeName(environment));
  }

  async tryLock(environment: string, holder: string, ttlSeconds: number): Promise<LockAttempt> {
    const path = this.#path(environment);
    return withFileMutex(this.#mutex(environment), async () => {
      const state = (await readJson<LockFile>(path)) ?? { lastToken: 0 };
      const now = this.#now();
      if (state.lease && new Date(state.lease.expiresAt) > now) return { acquired: false, holder: state.lease };
      const lease: Lease = {
        environment,
        holder,
        token: state.lastToken + 1,
        expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString(),
      };
      await writeJson(path, { lease, lastToken: lease.token });
      return { acquired: true, lease };
    });
  }

  async release(lease: Lease): Promise<void> {
    const path = this.#path(lease.environment);
    await withFileMutex(this.#mutex(lease.environment), async () => {
      const state = await readJson<LockFile>(path);
      // Only the holder of this exact token may release: a broken and re-taken lock stays with its new holder.
      if (state?.lease?.token === lease.token) await writeJson(path, { lastToken: state.lastToken });
    });
  }

  async holds(lease: Lease): Promise<boolean> {
    // Expiry alone is not loss: until someone else takes the environment, the lease is still this one.
    return (await readJson<LockFile>(this.#path(lease.environment)))?.lease?.token === lease.token;
  }

  async list(): Promise<Lease[]> {
    const names = await readdir(this.#dir).catch(() => [] as string[]);
    const leases: Lease[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const state = await readJson<LockFile>(join(this.#dir, name));
      if (state?.lease && new Date(state.lease.expiresAt) > this.#now()) leases.push(state.lease);
    }
    return leases;
  }

  async breakLock(environment: string): Promise<boolean> {
    const path = this.#path(environment);
    return withFileMutex(this.#mutex(environment), async () => {
      const state = await readJson<LockFile>(path);
      if (!state?.lease) return false;
      await writeJson(path, { lastToken: state.lastToken });
      return true;
    });
  }
}

/** Removes the whole lock directory (tests). */
export async function clearLocks(root: string): Promise<void> {
  await rm(join(root, 'locks'), { recursive: true, force: true });
}
