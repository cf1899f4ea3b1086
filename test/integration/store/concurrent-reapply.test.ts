import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApply } from '../../../lib/engine/run-apply.ts';
import type { ResourceProvider } from '../../../lib/ports/resource-provider.ts';
import { applyStoredPlan } from '../../../lib/use-cases/apply-stored-plan.ts';
import { requestReapply } from '../../../lib/use-cases/operations.ts';
import { runJob } from '../../../lib/use-cases/run-job.ts';
import { BackgroundTasks, InProcessWorker } from '../../../lib/wiring/in-process.ts';
import { environmentYaml, topicDocument } from '../../support/builders.ts';
import { type StateBackend, stateBackends } from '../../support/state-backends.ts';
import { makeDeps, REPO } from '../../unit/use-cases/support.ts';

const backends = stateBackends('reapply');
const states: [string, () => Promise<StateBackend>][] = [
  ['file store', backends.file],
  ['DynamoDB Local + S3', backends.aws],
];

beforeAll(backends.setUp);
afterAll(backends.tearDown);

describe.each(states)('ten concurrent POST /reapply on the %s', (_name, makeState) => {
  it('store ten distinct plans, apply at most one at a time and each plan at most once', async () => {
    // Prepare: the pipeline as `landscape serve` runs it (background jobs and applies), one clock instant for
    // every request, so every reapply is accepted in the same millisecond of the same commit.
    const { store, locker } = await makeState();
    const tasks = new BackgroundTasks(makeDeps().deps.log, { retries: 0 });
    const worker = new InProcessWorker(tasks);
    const fixture = makeDeps({ store, locker, worker });
    const { deps, git, kafka } = fixture;
    deps.settings = { ...deps.settings, defaultRepo: REPO, lockWaitMs: 120_000 };
    let inFlight = 0;
    let mostInFlight = 0;
    const tracked: ResourceProvider = {
      ...kafka,
      name: kafka.name,
      kinds: kafka.kinds,
      observe: (desired) => kafka.observe(desired),
      observeKeys: (keys) => kafka.observeKeys(keys),
      close: async () => undefined,
      apply: async (changes, context) => {
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        try {
          return await kafka.apply(changes);
        } finally {
          inFlight--;
          void context;
        }
      },
    };
    deps.createProviders = async () => [tracked];
    const appliedRuns = new Map<string, number>();
    deps.engine = {
      ...deps.engine,
      runApply: async (input) => {
        const result = await runApply(input);
        if (result.status === 'applied' && input.planId)
          appliedRuns.set(input.planId, (appliedRuns.get(input.planId) ?? 0) + 1);
        return result;
      },
    };
    worker.bind({ apply: (request) => applyStoredPlan(deps, request), run: (job) => runJob(deps, job) });
    git.commit({ 'environment.yaml': environmentYaml(), 'topics.yaml': topicDocument('orders') });

    // Act
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => requestReapply(deps, { environment: 'prod' }, `operator-${i}`)),
    );
    await tasks.idle();

    // Assess
    const reapplies = (await store.listPlans('prod')).filter((p) => p.trigger === 'reapply');
    expect(new Set(reapplies.map((p) => p.id)).size).toBe(10);
    expect(new Set(reapplies.map((p) => p.actor)).size).toBe(10);
    expect(mostInFlight).toBe(1);
    expect([...appliedRuns.values()].every((n) => n === 1)).toBe(true);
    expect(kafka.state.has('kafka/topic/orders')).toBe(true);
  });
});
