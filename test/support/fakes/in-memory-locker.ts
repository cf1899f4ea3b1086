import { hostname } from 'node:os';
import {
  hasAbsurdExpiry,
  type Lease,
  type LockAttempt,
  type Locker,
  MAX_LEASE_SECONDS,
} from '../../../lib/ports/lock.ts';

/** Leases in memory with expiry and monotonically increasing fencing tokens per environment (unit tests). */
export class InMemoryLocker implements Locker {
  readonly #leases = new Map<string, Lease>();
  readonly #lastToken = new Map<string, number>();
  readonly #now: () => Date;

  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  async tryLock(environment: string, holder: string, ttlSeconds: number): Promise<LockAttempt> {
    const now = this.#now();
    const current = this.#leases.get(environment);
    if (current && new Date(current.expiresAt) > now && !hasAbsurdExpiry(current, now)) {
      return { acquired: false, holder: { ...current } };
    }
    const token = (this.#lastToken.get(environment) ?? 0) + 1;
    this.#lastToken.set(environment, token);
    const seconds = Math.min(Math.max(1, ttlSeconds), MAX_LEASE_SECONDS);
    const lease: Lease = {
      environment,
      holder,
      token,
      expiresAt: new Date(now.getTime() + seconds * 1000).toISOString(),
      since: now.toISOString(),
      host: hostname(),
      pid: process.pid,
    };
    this.#leases.set(environment, lease);
    return { acquired: true, lease: { ...lease } };
  }

  async release(lease: Lease): Promise<void> {
    // Only the holder of this exact token may release: a broken and re-taken lock stays with its new holder.
    if (this.#leases.get(lease.environment)?.token === lease.token) this.#leases.delete(lease.environment);
  }

  async holds(lease: Lease): Promise<boolean> {
    return this.holdsNow(lease);
  }

  /**
   * `holds`, synchronously: InMemoryStateStore checks fenced writes with it, so that nothing can interleave
   * between the check and the write (as DynamoDB's condition and the file lease's mutex guarantee).
   */
  holdsNow(lease: Pick<Lease, 'environment' | 'token'>): boolean {
    // Expiry alone is not loss: until someone else takes the environment, the lease is still this one.
    return this.#leases.get(lease.environment)?.token === lease.token;
  }

  async list(): Promise<Lease[]> {
    const now = this.#now();
    return [...this.#leases.values()]
      .filter((l) => new Date(l.expiresAt) > now && !hasAbsurdExpiry(l, now))
      .map((l) => ({ ...l }));
  }

  async breakLock(environment: string): Promise<boolean> {
    return this.#leases.delete(environment);
  }
}
