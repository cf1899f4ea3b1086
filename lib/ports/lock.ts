/** A held lease. `token` increases monotonically per environment (fencing). */
export interface Lease {
  environment: string;
  /** Who applies: the actor (`alice@cli`, `octocat (push <plan id>)`). */
  holder: string;
  token: number;
  expiresAt: string;
  /** When the lease was taken. */
  since?: string;
  /** The machine and process that took it, so a person can tell whether it still runs. */
  host?: string;
  pid?: number;
}

export type LockAttempt = { acquired: true; lease: Lease } | { acquired: false; holder: Lease };

/**
 * Leases longer than this are refused, and a lease that claims to last beyond it is treated as broken: an
 * expiry in the far future (a clock gone wrong, a hand-edited lock) must not block an environment for years.
 */
export const MAX_LEASE_SECONDS = 24 * 3600;

/**
 * One apply per environment at a time. Contention is a value, not an exception.
 * Tokens increase per environment and are never reused (a released or broken lease keeps the counter). The
 * writes an apply makes with its results are conditional on its lease (`StateStore` methods taking a
 * `fence`): a lease broken or taken over in between refuses them (ADR 0006).
 */
export interface Locker {
  tryLock(environment: string, holder: string, ttlSeconds: number): Promise<LockAttempt>;
  release(lease: Lease): Promise<void>;
  /**
   * Whether `lease` is still the environment's lease: nobody broke it or took the environment since (an
   * expired lease nobody took is still held).
   */
  holds(lease: Lease): Promise<boolean>;
  list(): Promise<Lease[]>;
  /** Operator action: removes the lease whatever its holder; the token counter is kept. */
  breakLock(environment: string): Promise<boolean>;
}

/** `alice@cli (pid 4242 on build-7, since 2026-11-26T10:00:00.000Z)`: who holds a lease, for people. */
export function describeHolder(lease: Lease): string {
  const where = [lease.pid !== undefined ? `pid ${lease.pid}` : '', lease.host ? `on ${lease.host}` : '']
    .filter(Boolean)
    .join(' ');
  const details = [where, lease.since ? `since ${lease.since}` : ''].filter(Boolean).join(', ');
  return `${lease.holder}${details ? ` (${details})` : ''}`;
}

/** Whether a lease's expiry is beyond anything `tryLock` hands out (then it counts as broken). */
export function hasAbsurdExpiry(lease: Pick<Lease, 'expiresAt'>, now: Date): boolean {
  const expires = Date.parse(lease.expiresAt);
  return !Number.isFinite(expires) || expires > now.getTime() + MAX_LEASE_SECONDS * 1000 + 60_000;
}
