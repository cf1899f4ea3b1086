import type { Logger } from '@aws-lambda-powertools/logger';
import { checkDrift, type DriftDeps } from '../../lib/use-cases/check-drift.ts';
import { ENVIRONMENT_INDEX } from '../../lib/use-cases/plan-policy.ts';
import { type ScheduledDriftOutcome, scheduledDrift } from '../../lib/use-cases/scheduled-drift.ts';
import { eventStack } from '../shared/http.ts';

/**
 * The drift function's event. The stack's EventBridge tick (context `driftSchedule`, default every 5 minutes)
 * names no environment: every configured / known environment whose `spec.drift.schedule` fired since its last
 * check is checked (`scheduledDrift`). An event naming an environment (`{ "environment": "prod" }`, an
 * operator's manual invoke) checks that one now, whatever its schedule.
 */
export type DriftEvent = { environment?: string; repo?: string; 'detail-type'?: string };

export function createDriftHandler(deps: DriftDeps, log: Logger, defaults: { environments: readonly string[] }) {
  return eventStack<DriftEvent, { outcomes: ScheduledDriftOutcome[] }>(log, async (event) => {
    const repo = event?.repo ? { repo: event.repo } : {};
    let outcomes: ScheduledDriftOutcome[];
    if (event?.environment) {
      outcomes = [await checkDrift(deps, { environment: event.environment, ...repo })];
    } else {
      const environments =
        defaults.environments.length > 0
          ? [...defaults.environments]
          : ((await deps.store.getValue<string[]>(ENVIRONMENT_INDEX)) ?? []);
      outcomes = await scheduledDrift(deps, { environments, ...repo });
    }
    log.info('drift run finished', {
      outcomes: outcomes.map((o) => ({ environment: o.environment, status: o.status })),
    });
    return { outcomes };
  });
}
