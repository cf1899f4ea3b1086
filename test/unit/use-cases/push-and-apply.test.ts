import { describe, expect, it } from 'vitest';
import { AdapterError, LockHeldError, ReconcilerError } from '../../../lib/errors.ts';
import { applyStoredPlan } from '../../../lib/use-cases/apply-stored-plan.ts';
import { checkDrift } from '../../../lib/use-cases/check-drift.ts';
import { approvePlan } from '../../../lib/use-cases/operations.ts';
import { planCommit } from '../../../lib/use-cases/plan-commit.ts';
import { runJob } from '../../../lib/use-cases/run-job.ts';
import { environmentYaml, topicDocument } from '../../support/builders.ts';
import { makeDeps, pushInput, REPO } from './support.ts';

const base = (topics: string) => ({ 'environments.yaml': environmentYaml(), 'topics.yaml': topics });

describe('planCommit + applyStoredPlan', () => {
  it('plans a pushed commit, stores it, applies it and records everything', async () => {
    // Prepare
    const { deps, git, kafka, applies, store, reporter } = makeDeps();
    const sha = git.commit(base(topicDocument('payments.orders')));
    // Act
    const [outcome] = await planCommit(deps, pushInput(sha, '2026-11-25T10:00:00.000Z'));
    // Assess
    expect(outcome?.status).toBe('planned');
    expect(applies).toHaveLength(1);
    const planId = applies[0]?.planId ?? '';
    expect((await store.getPlan(planId))?.status).toBe('Planned');

    const result = await applyStoredPlan(deps, { environment: 'prod', planId });
    expect(result).toMatchObject({ status: 'applied', planStatus: 'Applied' });
    expect(kafka.state.has('kafka/topic/payments.orders')).toBe(true);
    expect((await store.getPlan(planId))?.report?.outcome).toBe('Succeeded');
    expect(await store.getApplied('prod')).toMatchObject({ commit: sha, planId });
    expect(Object.keys(await store.getInventory('prod'))).toContain('kafka/topic/payments.orders');
    expect((await store.listAudit('prod')).map((a) => `${a.type}:${a.outcome}`)).toEqual([
      'apply:Succeeded',
      'apply:Started',
      'plan:Planned',
    ]);
    expect(reporter.statuses(sha).map((s) => s.state)).toEqual(['pending', 'success']);
    expect(await deps.locker.list()).toEqual([]);
  });

  it('never applies a plan twice', async () => {
    const { deps, git, applies } = makeDeps();
    const sha = git.commit(base(topicDocument('a.topic')));
    await planCommit(deps, pushInput(sha, '2026-11-25T10:00:00.000Z'));
    const planId = applies[0]?.planId ?? '';
    await applyStoredPlan(deps, { environment: 'prod', planId });
    expect(await applyStoredPlan(deps, { environment: 'prod', planId })).toMatchObject({ status: 'skipped' });
  });

  it('lets the latest commit win: an older unapplied plan is superseded, whatever order applies arrive in', async () => {
    const { deps, git, kafka, applies, store } = makeDeps();
    const older = git.commit(base(topicDocument('t.one')));
    const newer = git.commit(base(topicDocument('t.one') + topicDocument('t.two')));
    await planCommit(deps, pushInput(older, '2026-11-25T10:00:00.000Z'));
    await planCommit(deps, pushInput(newer, '2026-11-25T10:00:01.000Z'));
    const [first, second] = applies;
    expect((await store.getPlan(first?.planId ?? ''))?.status).toBe('Superseded');
    expect(await applyStoredPlan(deps, first ?? { environment: '', planId: '' })).toMatchObject({ status: 'skipped' });
    expect(await applyStoredPlan(deps, second ?? { environment: '', planId: '' })).toMatchObject({ status: 'applied' });
    expect([...kafka.state.keys()].sort()).toEqual(['kafka/topic/t.one', 'kafka/topic/t.two']);
    expect((await store.getApplied('prod'))?.commit).toBe(newer);
  });

  it('stores a plan triggered earlier than an existing one as Superseded and does not apply it', async () => {
    const { deps, git, applies } = makeDeps();
    const a = git.commit(base(topicDocument('t.one')));
    const b = git.commit(base(topicDocument('t.two')));
    await planCommit(deps, pushInput(b, '2026-11-25T10:00:02.000Z'));
    const [outcome] = await planCommit(deps, pushInput(a, '2026-11-25T10:00:01.000Z'));
    expect(outcome?.status).toBe('superseded');
    expect(applies).toHaveLength(1);
  });

  it('skips a push job whose commit is no longer the branch head', async () => {
    const { deps, git, applies } = makeDeps();
    const a = git.commit(base(topicDocument('t.one')));
    git.commit(base(topicDocument('t.two')));
    await runJob(deps, {
      type: 'plan-push',
      id: 'job-1',
      receivedAt: '2026-11-25T10:00:00.000Z',
      actor: 'octocat',
      deliveryId: 'd',
      repo: REPO,
      branch: 'main',
      commit: a,
    });
    expect(applies).toHaveLength(0);
    expect((await deps.store.getValue<{ state: string; message: string }>('job/job-1'))?.message).toMatch(/superseded/);
  });

  it('keeps an operator rollback (re-apply of an older commit) until the next push: drift does not undo it', async () => {
    // Prepare: v1, then v2 (which adds a topic), applied by pushes.
    const { deps, git, applies, clock } = makeDeps();
    const v1 = git.commit(base(topicDocument('t.one')));
    await planCommit(deps, pushInput(v1, '2026-11-25T10:00:00.000Z'));
    await applyStoredPlan(deps, applies.at(-1) ?? { environment: '', planId: '' });
    const v2 = git.commit(base(topicDocument('t.one') + topicDocument('t.two')));
    await planCommit(deps, pushInput(v2, '2026-11-25T10:01:00.000Z'));
    await applyStoredPlan(deps, applies.at(-1) ?? { environment: '', planId: '' });
    expect(await deps.store.getApplied('prod')).toMatchObject({ commit: v2 });

    // Act: POST /reapply {commit: v1}, then the scheduled drift run.
    clock.advance(120_000);
    await runJob(deps, {
      type: 'plan-environment',
      id: 'job-rollback',
      receivedAt: clock.now().toISOString(),
      actor: 'alice',
      environment: 'prod',
      trigger: 'reapply',
      repo: REPO,
      commit: v1,
    });
    await applyStoredPlan(deps, applies.at(-1) ?? { environment: '', planId: '' });
    clock.advance(60_000);
    const drift = await checkDrift(deps, { environment: 'prod' });

    // Assess: v1 stays applied. The branch head v2 was applied before, so it is not a missed webhook.
    expect(await deps.store.getApplied('prod')).toMatchObject({ commit: v1 });
    expect(drift).toMatchObject({ environment: 'prod', status: 'in-sync' });
    expect(applies).toHaveLength(3);
  });

  it('holds destructive changes until an approval bound to the plan hash arrives', async () => {
    const { deps, git, kafka, applies, store, reporter } = makeDeps();
    const env = environmentYaml({ extra: '  prune: { Topic: true }' });
    const first = git.commit({
      'environments.yaml': env,
      'topics.yaml': topicDocument('keep') + topicDocument('drop.me'),
    });
    await planCommit(deps, pushInput(first, '2026-11-25T10:00:00.000Z'));
    await applyStoredPlan(deps, applies[0] ?? { environment: '', planId: '' });
    const second = git.commit({ 'environments.yaml': env, 'topics.yaml': topicDocument('keep') });
    await planCommit(deps, pushInput(second, '2026-11-25T10:01:00.000Z'));
    const planId = applies[1]?.planId ?? '';
    expect(await applyStoredPlan(deps, { environment: 'prod', planId })).toEqual({ status: 'awaiting-approval' });
    expect(kafka.state.has('kafka/topic/drop.me')).toBe(true);
    expect(reporter.statuses(second).at(-1)?.description).toMatch(/waiting for approval/);

    await expect(approvePlan(deps, planId, { planHash: 'not-the-hash' }, 'alice')).rejects.toMatchObject({
      code: 'Conflict',
    });
    const hash = (await store.getPlan(planId))?.plan.hash;
    const approved = await approvePlan(deps, planId, { planHash: hash }, 'alice');
    expect(approved.approval).toMatchObject({ by: 'alice', planHash: hash });
    expect(applies.at(-1)).toEqual({ environment: 'prod', planId });
    expect(await applyStoredPlan(deps, { environment: 'prod', planId })).toMatchObject({ planStatus: 'Applied' });
    expect(kafka.state.has('kafka/topic/drop.me')).toBe(false);
    expect((await store.listAudit('prod')).some((a) => a.type === 'approval' && a.actor === 'alice')).toBe(true);
  });

  it('gives up with a retryable fault while another holder keeps the lock', async () => {
    const { deps, git, applies } = makeDeps();
    const sha = git.commit(base(topicDocument('t.one')));
    await planCommit(deps, pushInput(sha, '2026-11-25T10:00:00.000Z'));
    await deps.locker.tryLock('prod', 'someone-else', 600);
    const error = await applyStoredPlan(deps, applies[0] ?? { environment: '', planId: '' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as LockHeldError).retryable).toBe(true);
    expect((await deps.store.getPlan(applies[0]?.planId ?? ''))?.status).toBe('Planned');
  });

  it('records a platform fault that mentions a held lock as a failed apply, not as lock contention', async () => {
    // Prepare: the broker's own message happens to contain the words; only the apply lock is contention.
    const fault = new AdapterError('connecting to broker: lock held by the controller', { retryable: true });
    const { deps, git, applies, store } = makeDeps();
    const sha = git.commit(base(topicDocument('t.one')));
    await planCommit(deps, pushInput(sha, '2026-11-25T10:00:00.000Z'));
    const planId = applies[0]?.planId ?? '';
    // Act
    const result = await applyStoredPlan(
      { ...deps, createProviders: async () => Promise.reject(fault) },
      { environment: 'prod', planId },
    );
    // Assess
    expect(result).toMatchObject({ status: 'applied', planStatus: 'Failed' });
    expect((await store.getPlan(planId))?.status).toBe('Failed');
    expect((await store.listAudit('prod'))[0]).toMatchObject({ type: 'apply', outcome: 'Failed' });
  });

  it('refuses a stale plan and plans the same commit again once', async () => {
    const { deps, git, kafka, applies, store } = makeDeps();
    const sha = git.commit(base(topicDocument('t.one')));
    await planCommit(deps, pushInput(sha, '2026-11-25T10:00:00.000Z'));
    // Someone creates the topic out of band between plan and apply.
    kafka.state.set('kafka/topic/t.one', {
      key: 'kafka/topic/t.one',
      kind: 'Topic',
      name: 't.one',
      spec: { partitions: 1, replicationFactor: 1, config: {}, defaults: {} },
    });
    const result = await applyStoredPlan(deps, applies[0] ?? { environment: '', planId: '' });
    expect(result).toMatchObject({ status: 'applied', planStatus: 'Refused' });
    expect((await store.getPlan(applies[0]?.planId ?? ''))?.report?.refusal?.code).toBe('PlanStale');
    expect(applies).toHaveLength(2);
    const replanned = await store.getPlan(applies[1]?.planId ?? '');
    expect(replanned?.trigger).toBe('replan');
    expect(replanned?.plan.changes.map((c) => c.action)).toEqual(['Update']);
  });

  it('reports invalid configuration on the commit without storing a plan', async () => {
    const { deps, git, applies, reporter } = makeDeps();
    const sha = git.commit(
      base(
        `${topicDocument('t.one')}---\napiVersion: landscape.dev/v1\nkind: Topic\nmetadata: { name: bad }\nspec: { partitionz: 3 }\n`,
      ),
    );
    const [outcome] = await planCommit(deps, pushInput(sha, '2026-11-25T10:00:00.000Z'));
    expect(outcome?.status).toBe('invalid');
    if (outcome?.status === 'invalid') expect(outcome.problems[0]?.file).toBe('topics.yaml');
    expect(applies).toHaveLength(0);
    expect(reporter.statuses(sha)[0]).toMatchObject({ state: 'failure', context: 'landscape/prod' });
  });

  it('plans only the environments deploying from the pushed branch', async () => {
    const { deps, git, applies } = makeDeps();
    const sha = git.commit({
      'envs.yaml': `${environmentYaml({ name: 'prod' })}---\n${environmentYaml({ name: 'staging', branch: 'staging' })}`,
      'topics.yaml': topicDocument('t.one'),
    });
    await planCommit(deps, pushInput(sha, '2026-11-25T10:00:00.000Z'));
    expect(applies.map((a) => a.environment)).toEqual(['prod']);
  });

  it('approving a superseded or unknown plan is refused with a stable code', async () => {
    const { deps } = makeDeps();
    await expect(approvePlan(deps, 'nope', {}, 'alice')).rejects.toBeInstanceOf(ReconcilerError);
  });
});
