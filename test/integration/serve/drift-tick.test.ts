import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../../lib/adapters/store/file-state-store.ts';
import { type RunningServer, startServer } from '../../../lib/serve/server.ts';
import { ENVIRONMENT_INDEX, planEnvironmentValue } from '../../../lib/use-cases/plan-policy.ts';
import { driftCheckedValueName } from '../../../lib/use-cases/scheduled-drift.ts';
import { registerTestSecret } from '../../support/scan/suite-secrets.ts';

/**
 * `landscape serve`'s drift timer runs `driftTick`: each known environment is checked when its
 * spec.drift.schedule (default rate(15 minutes)) fired since its last check, remembered in the state directory.
 * Called directly here, so the test does not wait for the timer.
 */
const API_TOKEN = registerTestSecret('DRIFT_TICK_API_TOKEN', 'drift-tick-api-token-0123456789');
const WEBHOOK_SECRET = registerTestSecret('DRIFT_TICK_WEBHOOK_SECRET', 'drift-tick-webhook-secret-01234');

describe('landscape serve: the drift tick honours the schedule', () => {
  let stateDir = '';
  let server: RunningServer;

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'landscape-drift-tick-'));
    const store = new FileStateStore(stateDir);
    await store.putValue(ENVIRONMENT_INDEX, ['staging']);
    // Applied with a schedule that fires once, in 2199: after the first check it is never due again.
    await store.putValue(planEnvironmentValue('p1'), {
      name: 'staging',
      spec: { drift: { schedule: 'cron(0 0 1 1 ? 2199)' } },
    });
    await store.saveInventory('staging', {});
    await store.setApplied({
      environment: 'staging',
      planId: 'p1',
      commit: 'a'.repeat(40),
      at: '2026-12-03T18:00:00.000Z',
    });
    server = await startServer({
      stateDir,
      webhookSecret: WEBHOOK_SECRET,
      apiToken: API_TOKEN,
      repositories: ['acme/drift'],
      git: { baseUrl: 'http://127.0.0.1:1' },
      catchUpIntervalSeconds: 0,
      logLevel: 'SILENT',
    });
  });

  afterAll(async () => {
    await server?.close();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('checks an environment once, then not again until its schedule fires', async () => {
    // The check itself fails here (serve reaches no git host): it ran, which is what the tick decides.
    const [first] = await server.driftTick();
    expect(first).toMatchObject({ environment: 'staging', status: 'failed' });
    const remembered = await new FileStateStore(stateDir).getValue<{ at: string; schedule: string }>(
      driftCheckedValueName('staging'),
    );
    expect(remembered?.schedule).toBe('cron(0 0 1 1 ? 2199)');
    const [second] = await server.driftTick();
    expect(second).toMatchObject({
      environment: 'staging',
      status: 'not-due',
      schedule: 'cron(0 0 1 1 ? 2199)',
      nextDueAt: '2199-01-01T00:00:00.000Z',
    });
    // A manual check (the running server's checkDrift, like `landscape drift`) ignores the schedule.
    expect(await server.checkDrift(['staging'])).toEqual([
      expect.objectContaining({ environment: 'staging', status: 'failed' }),
    ]);
  });
});
