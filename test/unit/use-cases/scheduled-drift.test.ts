import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { createDriftHandler } from '../../../functions/drift/app.ts';
import { localContext } from '../../../lib/serve/lambda-bridge.ts';
import { applyStoredPlan } from '../../../lib/use-cases/apply-stored-plan.ts';
import { planCommit } from '../../../lib/use-cases/plan-commit.ts';
import { driftCheckedValueName, scheduledDrift } from '../../../lib/use-cases/scheduled-drift.ts';
import { environmentYaml, topicDocument } from '../../support/builders.ts';
import { makeDeps, pushInput } from './support.ts';

const MINUTE = 60_000;
const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
const tick = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} };

/** Two environments applied at 10:00Z: `fast` on rate(5 minutes), `slow` on rate(1 hour). */
async function twoEnvironments(
  schedules: { fast: string; slow: string } = { fast: 'rate(5 minutes)', slow: 'rate(1 hour)' },
) {
  const fixture = makeDeps();
  const { deps, git, applies } = fixture;
  const env = (name: string, schedule: string) =>
    environmentYaml({ name, extra: `  drift: { schedule: "${schedule}" }` });
  const sha = git.commit({
    'fast.yaml': env('fast', schedules.fast),
    'slow.yaml': env('slow', schedules.slow),
    'topics.yaml': topicDocument('t.one'),
  });
  await planCommit(deps, pushInput(sha));
  // Both environments share the fake cluster: the second apply is re-planned once (the first created the topic).
  while (applies.length > 0) for (const request of applies.splice(0)) await applyStoredPlan(deps, request);
  const statuses = (outcomes: { environment: string; status: string }[]) =>
    Object.fromEntries(outcomes.map((o) => [o.environment, o.status]));
  return { ...fixture, statuses };
}

describe('scheduledDrift (contract 5: spec.drift.schedule is honoured)', () => {
  it('checks on a tick only the environments whose schedule fired since their last check', async () => {
    const { deps, clock, statuses } = await twoEnvironments();
    const environments = ['fast', 'slow'];
    // Never checked: both are due.
    expect(statuses(await scheduledDrift(deps, { environments }))).toEqual({ fast: 'in-sync', slow: 'in-sync' });
    clock.advance(5 * MINUTE);
    const second = await scheduledDrift(deps, { environments });
    expect(statuses(second)).toEqual({ fast: 'in-sync', slow: 'not-due' });
    expect(second[1]).toMatchObject({
      schedule: 'rate(1 hour)',
      lastCheckedAt: '2026-11-25T10:00:00.000Z',
      nextDueAt: '2026-11-25T11:00:00.000Z',
    });
    clock.advance(2 * MINUTE);
    expect(statuses(await scheduledDrift(deps, { environments }))).toEqual({ fast: 'not-due', slow: 'not-due' });
    clock.advance(53 * MINUTE); // 11:00
    expect(statuses(await scheduledDrift(deps, { environments }))).toEqual({ fast: 'in-sync', slow: 'in-sync' });
    expect(await deps.store.getValue(driftCheckedValueName('slow'))).toEqual({
      at: '2026-11-25T11:00:00.000Z',
      schedule: 'rate(1 hour)',
    });
  });

  it('follows cron schedules in UTC', async () => {
    const { deps, clock, statuses } = await twoEnvironments({
      fast: 'cron(0 10-12 * * ? *)',
      slow: 'cron(30 6 ? * MON *)',
    });
    const environments = ['fast', 'slow'];
    await scheduledDrift(deps, { environments }); // 2026-11-25 (a Wednesday) 10:00Z: first checks
    clock.advance(30 * MINUTE);
    expect(statuses(await scheduledDrift(deps, { environments }))).toEqual({ fast: 'not-due', slow: 'not-due' });
    clock.advance(30 * MINUTE); // 11:00
    expect(statuses(await scheduledDrift(deps, { environments }))).toEqual({ fast: 'in-sync', slow: 'not-due' });
    clock.advance(4 * 24 * 60 * MINUTE + 20 * 60 * MINUTE); // Monday 2026-11-30 07:00
    expect(statuses(await scheduledDrift(deps, { environments }))).toEqual({ fast: 'in-sync', slow: 'in-sync' });
  });
});

describe('the drift function', () => {
  // Before contract 5 the schedule was read nowhere: every tick checked every environment.
  it('runs on a tick only the due environment, and checks a named one whatever its schedule', async () => {
    const { deps, clock, statuses } = await twoEnvironments();
    const handler = createDriftHandler(deps, logger, { environments: [] });
    await handler(tick, localContext('drift'));
    clock.advance(5 * MINUTE);
    const { outcomes } = await handler(tick, localContext('drift'));
    expect(statuses(outcomes)).toEqual({ fast: 'in-sync', slow: 'not-due' });
    const named = await handler({ environment: 'slow' }, localContext('drift'));
    expect(statuses(named.outcomes)).toEqual({ slow: 'in-sync' });
  });
});
