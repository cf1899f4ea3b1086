import { join } from 'node:path';
import { LeaseLostError } from '../../errors.ts';
import type { Lease } from '../../ports/lock.ts';
import { readJson, withFileMutex } from './file-io.ts';

/**
 * The file lease of one environment, shared by `FileLocker` (which takes and releases it) and
 * `FileStateStore` (whose fenced writes check it): `<root>/locks/<env>.json`, changed only under the mutex
 * `<root>/locks/.mutex/<env>`.
 */
export interface LockFile {
  lease?: Lease;
  /** Highest fencing token ever issued for this environment; kept when the lease is released or broken. */
  lastToken: number;
  /** `thisMachine()` of the holder: its pid is checked only on the same machine and boot. */
  machine?: string;
}

const safeName = (name: string): string => name.replace(/[^A-Za-z0-9._-]/g, '_');

export function leaseFiles(root: string, environment: string): { file: string; mutex: string } {
  const name = safeName(environment);
  return { file: join(root, 'locks', `${name}.json`), mutex: join(root, 'locks', '.mutex', name) };
}

/** Reads the lock file; a damaged one names the command that resets it. */
export function readLockFile(path: string, environment: string): Promise<LockFile | undefined> {
  return readJson<LockFile>(
    path,
    `release it with \`landscape unlock --env ${environment}\` (or DELETE /api/locks/${environment}); the fencing counter stays monotonic`,
  );
}

/**
 * Runs `write` only while `fence` is still the environment's lease, under the lease's own mutex, so neither a
 * takeover nor a break can slip in between the check and the write (fencing, ADR 0006).
 */
export async function underLease<T>(root: string, fence: Lease, doing: string, write: () => Promise<T>): Promise<T> {
  const { file, mutex } = leaseFiles(root, fence.environment);
  return withFileMutex(mutex, async () => {
    const state = await readLockFile(file, fence.environment);
    if (state?.lease?.token !== fence.token) throw new LeaseLostError(fence.environment, fence.token, doing);
    return write();
  });
}
