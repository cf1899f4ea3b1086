import { messageOf } from '../errors.ts';
import { DEFAULT_DRIFT_SCHEDULE } from '../model/environment.ts';
import { isDue, nextRunAfter, parseSchedule, type Schedule } from '../model/schedule.ts';
import { checkDrift, type DriftDeps, type DriftOutcome } from './check-drift.ts';
import { planEnvironmentValue } from './plan-policy.ts';

/** When an environment's scheduled drift check last ran, and under which schedule (a named value). */
export const driftCheckedValueName = (environment: string): string => `drift-checked/${environment}`;

interface DriftCheckedMemory {
  at: string;
  schedule: string;
}

/** A tick's outcome per environment: a drift check, or why none ran now. */
export type ScheduledDriftOutcome =
  | DriftOutcome
  | { environment: string; status: 'not-due'; schedule: string; lastCheckedAt: string; nextDueAt?: string };

/**
 * One tick of the drift schedule (the drift function's EventBridge tick, `landscape serve`'s drift timer): each
 * environment is checked only when its `spec.drift.schedule` fired since its last scheduled check (contract 5 of
 * issue 14). The schedule is the one of the applied commit (its plan's Environment spec, stored when it was
 * planned), so it takes effect when it is merged, like every other setting. The check is remembered before it
 * runs: a check that fails (or a tick that overlaps a slow one) waits for the next fire time, as the stack's
 * fixed schedule did. A manual `landscape drift`, or an event naming an environment, does not come through here.
 *
 * @example
 * const outcomes = await scheduledDrift(deps, { environments: ['staging', 'prod'] });
 */
export async function scheduledDrift(
  deps: DriftDeps,
  target: { environments: readonly string[]; repo?: string },
): Promise<ScheduledDriftOutcome[]> {
  const outcomes: ScheduledDriftOutcome[] = [];
  // One environment after another: each holds its own connections; a failure is an outcome, not a throw.
  for (const environment of target.environments) {
    const now = deps.now();
    const schedule = await scheduleOf(deps, environment);
    const last = await deps.store.getValue<DriftCheckedMemory>(driftCheckedValueName(environment));
    const lastCheck = last ? new Date(last.at) : undefined;
    if (lastCheck && !isDue(schedule, lastCheck, now)) {
      const next = nextRunAfter(schedule, lastCheck);
      outcomes.push({
        environment,
        status: 'not-due',
        schedule: schedule.text,
        lastCheckedAt: last?.at ?? '',
        ...(next ? { nextDueAt: next.toISOString() } : {}),
      });
      continue;
    }
    await deps.store.putValue<DriftCheckedMemory>(driftCheckedValueName(environment), {
      at: now.toISOString(),
      schedule: schedule.text,
    });
    outcomes.push(await checkDrift(deps, { environment, ...(target.repo ? { repo: target.repo } : {}) }));
  }
  return outcomes;
}

/**
 * The drift schedule of the environment's applied commit; the default when nothing was applied through the
 * pipeline, and (with a warning) when the stored one does not parse, which validation has refused since the
 * schedule was honoured, so only configs applied before that can hold one.
 */
async function scheduleOf(deps: Pick<DriftDeps, 'store' | 'log'>, environment: string): Promise<Schedule> {
  const applied = await deps.store.getApplied(environment);
  const saved = applied
    ? await deps.store.getValue<{ spec?: { drift?: { schedule?: unknown } } }>(planEnvironmentValue(applied.planId))
    : undefined;
  const text = saved?.spec?.drift?.schedule;
  if (typeof text === 'string') {
    try {
      return parseSchedule(text);
    } catch (error) {
      deps.log.warn('drift schedule of the applied commit is invalid: using the default', {
        environment,
        schedule: text.slice(0, 80),
        default: DEFAULT_DRIFT_SCHEDULE,
        error: messageOf(error),
      });
    }
  }
  return parseSchedule(DEFAULT_DRIFT_SCHEDULE);
}
