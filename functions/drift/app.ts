import type { Logger } from '@aws-lambda-powertools/logger';
import { checkDrift, type DriftDeps, type DriftOutcome } from '../../lib/use-cases/check-drift.ts';
import { ENVIRONMENT_INDEX } from '../../lib/use-cases/plan-policy.ts';
import { eventStack } from '../shared/http.ts';

/**
 * An EventBridge scheduled event; a rule per environment may pass `{ "environment": "prod" }` as input
 * (Environment spec.drift.schedule), otherwise every configured / known environment is checked.
 */
export type DriftEvent = { environment?: string; repo?: string; 'detail-type'?: string };

export function createDriftHandler(deps: DriftDeps, log: Logger, defaults: { environments: readonly string[] }) {
  return eventStack<DriftEvent, { outcomes: DriftOutcome[] }>(log, async (event) => {
    const environments = event?.environment
      ? [event.environment]
      : defaults.environments.length > 0
        ? [...defaults.environments]
        : ((await deps.store.getValue<string[]>(ENVIRONMENT_INDEX)) ?? []);
    const outcomes: DriftOutcome[] = [];
    // One environment after another: each holds its own connections; a failure is an outcome, not a throw.
    for (const environment of environments) {
      outcomes.push(await checkDrift(deps, { environment, ...(event?.repo ? { repo: event.repo } : {}) }));
    }
    log.info('drift run finished', {
      outcomes: outcomes.map((o) => ({ environment: o.environment, status: o.status })),
    });
    return { outcomes };
  });
}
