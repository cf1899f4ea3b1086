/** A held lease. `token` increases monotonically per environment (fencing). */
export interface Lease {
  environment: string;
  holder: string;
  token: number;
  expiresAt: string;
}

export type LockAttempt = { acquired: true; lease: Lease } | { acquired: false; holder: Lease };

/**
 * One apply per environment at a time. Contention is a value, not an exception.
 * Tokens increase per environment; before it writes the environment's shared state an apply asks `holds`
 * (a read just before the writes, not a condition on them: see ADR 0006).
 */
export interface Locker {
  tryLock(environment: string, holder: string, ttlSeconds: number): Promise<LockAttempt>;
  release(lease: Lease): Promise<void>;
  /**
   * Whether `lease` is still the environment's lease: nobody broke it or took the environment since (an
   * expired lease nobody took is still held). The apply path asks before it writes its results.
   */
  holds(lease: Lease): Promise<boolean>;
  list(): Promise<Lease[]>;
  /** Operator action: removes the lease whatever its holder. */
  breakLock(environment: string): Promise<boolean>;
}
