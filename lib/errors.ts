/**
 * The error model (STYLE.md section 5): outcomes are values, user failures are `ReconcilerError`,
 * faults are `AdapterError`. Messages are lowercase and say what was happening.
 */

/** Stable codes: they end up in PR comments, API responses and audit records. Never rename one. */
export type ErrorCode =
  | 'InvalidConfig'
  | 'PlanStale'
  | 'PlanNotFound'
  | 'PlanAlreadyApplied'
  | 'PlanSuperseded'
  | 'ApprovalRequired'
  | 'LockHeld'
  | 'Unauthorized'
  | 'NotFound'
  | 'BadRequest'
  | 'SecretUnavailable'
  | 'PolicyViolation'
  | 'Conflict'
  | 'LeaseLost'
  | 'StateDamaged'
  | 'PayloadTooLarge';

/** One problem in the user's configuration, located at file:line:column. */
export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  /** e.g. `Topic "payments.orders"`; absent for file-level problems such as a YAML syntax error. */
  resource?: string;
  /** dotted field path, e.g. `spec.partitions` */
  field?: string;
  message: string;
  /** what would fix it, e.g. `did you mean "retention.ms"?` */
  hint?: string;
  severity?: 'error' | 'warning';
}

/** A failure the user can act on: bad input, stale plan, missing approval. Shown to the user as is. */
export class ReconcilerError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  constructor(code: ErrorCode, message: string, options?: ErrorOptions & { details?: unknown }) {
    super(message, options);
    this.name = 'ReconcilerError'; // literal: survives minification
    this.code = code;
    this.details = options?.details;
  }
}

/** Invalid configuration: carries every problem found, not just the first. */
export class ConfigError extends ReconcilerError {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super(
      'InvalidConfig',
      `configuration has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map(formatProblem).join('\n')}`,
      {
        details: problems,
      },
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * A write made under a lease (fencing) was refused because the lease is no longer the environment's: it was
 * broken by an operator or taken by another apply after it expired. Nothing was written.
 */
export class LeaseLostError extends ReconcilerError {
  constructor(environment: string, token: number, doing: string) {
    super(
      'LeaseLost',
      `${doing}: the lock of environment "${environment}" is no longer held by this apply (lease token ${token}); nothing was written`,
    );
    this.name = 'LeaseLostError';
  }
}

/**
 * A state file or item that exists but cannot be read (truncated, hand-edited, not JSON). Names the file and
 * the fix; never treated as empty, because an empty inventory would silently turn off prunes and drift.
 */
export class StateDamagedError extends ReconcilerError {
  constructor(where: string, problem: string, fix: string) {
    super('StateDamaged', `state "${where}" is damaged (${problem}): ${fix}`);
    this.name = 'StateDamagedError';
  }
}

/** A fault at a boundary (broker unreachable, throttled, unexpected response). May be retried. */
export class AdapterError extends Error {
  readonly retryable: boolean;
  constructor(message: string, options: ErrorOptions & { retryable?: boolean } = {}) {
    super(message, options);
    this.name = 'AdapterError';
    this.retryable = options.retryable ?? false;
  }
}

/**
 * A non-2xx answer of an HTTP service (Kafka Connect, the schema registry): the status and the service's own
 * message. 429 and 5xx may succeed later.
 */
export class HttpStatusError extends AdapterError {
  readonly status: number;
  readonly body: unknown;
  constructor(message: string, status: number, body: unknown) {
    super(message, { retryable: status === 429 || status >= 500 });
    this.name = 'HttpStatusError';
    this.status = status;
    this.body = body;
  }
}

/**
 * The environment's apply lock stayed held by another apply past the wait: a fault, not a user failure, on
 * purpose: Lambda and the in-process worker retry retryable faults, and the plan waits for the next attempt.
 * Matched by class, never by message text.
 */
export class LockHeldError extends AdapterError {
  readonly code = 'LockHeld' as const;
  readonly holder: string;
  readonly expiresAt: string;
  constructor(message: string, lock: { holder: string; expiresAt: string }) {
    super(message, { retryable: true });
    this.name = 'LockHeldError';
    this.holder = lock.holder;
    this.expiresAt = lock.expiresAt;
  }
}

/** `file:line:col resource field: message (hint)` — one line, the way compilers print. */
export function formatProblem(p: ConfigProblem): string {
  const where = `${p.file}:${p.line}:${p.column}`;
  const what = [p.resource, p.field].filter(Boolean).join(' ');
  const sev = p.severity === 'warning' ? 'warning: ' : '';
  return `${where}: ${sev}${what ? `${what}: ` : ''}${p.message}${p.hint ? ` (${p.hint})` : ''}`;
}

/** The message of anything thrown, for logs and reports. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The `default:` of a switch over a union: a new member is a compile error here instead of a case that is
 * silently dropped or misrouted at run time.
 */
export function assertNever(value: never, what: string): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
