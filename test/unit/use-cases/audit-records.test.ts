import { describe, expect, it } from 'vitest';
import { applyStoredPlan } from '../../../lib/use-cases/apply-stored-plan.ts';
import { checkDrift } from '../../../lib/use-cases/check-drift.ts';
import { approvePlan } from '../../../lib/use-cases/operations.ts';
import { planCommit } from '../../../lib/use-cases/plan-commit.ts';
import { planPullRequest } from '../../../lib/use-cases/plan-pull-request.ts';
import { environmentYaml, topicDocument } from '../../support/builders.ts';
import { makeDeps, pushInput, REPO } from './support.ts';

/** Every plan, apply, approval and drift result is an audit record with who, commit, plan hash, changes, outcome. */
const POLICY = [
  'apiVersion: landscape.dev/v1',
  'kind: Policy',
  'metadata: { name: small-topics }',
  'spec: { severity: deny, rules: { maxPartitions: 6 } }',
  '',
].join('\n');

describe('audit records of the pipeline', () => {
  it('records a push plan refused by a deny Policy, with the violation', async () => {
    const { deps, git, applies, store } = makeDeps();
    const sha = git.commit({
      'env.yaml': environmentYaml(),
      'p.yaml': POLICY,
      'topics.yaml': topicDocument('t.big', 12),
    });
    const [outcome] = await planCommit(deps, pushInput(sha, '2026-11-25T10:00:00.000Z'));
    expect(outcome?.status).toBe('invalid');
    expect(applies).toHaveLength(0);
    const [record] = await store.listAudit('prod');
    expect(record).toMatchObject({ type: 'plan', actor: 'octocat', commit: sha, outcome: 'Denied' });
    expect(record?.message).toContain('small-topics');
  });

  it('names the pusher on the apply, lists the changes on plan and approval records, and re-sends a lost approval', async () => {
    // Prepare
    const { deps, git, applies, store } = makeDeps();
    const env = environmentYaml({ extra: '  requireApprovalFor: all' });
    const sha = git.commit({ 'env.yaml': env, 'topics.yaml': topicDocument('t.one') });
    await planCommit(deps, pushInput(sha, '2026-11-25T10:00:00.000Z'));
    const planId = applies[0]?.planId ?? '';
    const hash = (await store.getPlan(planId))?.plan.hash;

    // Act: approve twice (the second re-sends the apply), then apply.
    await approvePlan(deps, planId, { planHash: hash }, 'alice');
    await approvePlan(deps, planId, { planHash: hash }, 'alice');
    await applyStoredPlan(deps, { environment: 'prod', planId });

    // Assess
    expect(applies.map((a) => a.planId)).toEqual([planId, planId, planId]);
    const records = await store.listAudit('prod');
    const byType = (type: string) => records.find((r) => r.type === type);
    const changes = [{ key: 'kafka/topic/t.one', action: 'Create' }];
    expect(byType('plan')).toMatchObject({
      actor: 'octocat',
      commit: sha,
      planHash: hash,
      outcome: 'Planned',
      changes,
    });
    expect(byType('approval')).toMatchObject({ actor: 'alice', planHash: hash, outcome: 'Approved', changes });
    expect(byType('apply')).toMatchObject({ actor: `alice (push ${planId})`, commit: sha, planHash: hash });
    expect(byType('apply')?.changes).toEqual([{ ...changes[0], outcome: 'Succeeded' }]);
  });

  it("records a pull request's plan and a failed drift check", async () => {
    // Prepare
    const { deps, git, store } = makeDeps();
    const base = git.commit({ 'env.yaml': environmentYaml(), 'topics.yaml': topicDocument('t.one') });
    const head = git.commit(
      { 'env.yaml': environmentYaml(), 'topics.yaml': topicDocument('t.one') + topicDocument('t.two') },
      'f',
    );
    await planCommit(deps, pushInput(base, '2026-11-25T10:00:00.000Z'));
    await applyStoredPlan(deps, { environment: 'prod', planId: (await store.listPlans('prod'))[0]?.id ?? '' });

    // Act
    await planPullRequest(deps, {
      type: 'plan-pull-request',
      id: 'job-pr',
      receivedAt: '2026-11-25T10:05:00.000Z',
      actor: 'contributor',
      deliveryId: 'd',
      repo: REPO,
      number: 7,
      headSha: head,
      baseSha: base,
      baseRef: 'main',
    });
    deps.createProviders = async () => {
      throw new Error('broker unreachable');
    };
    const drift = await checkDrift(deps, { environment: 'prod' });

    // Assess
    const records = await store.listAudit('prod');
    expect(records.find((r) => r.actor === 'contributor')).toMatchObject({
      type: 'plan',
      commit: head,
      outcome: 'Changes',
      changes: [{ key: 'kafka/topic/t.two', action: 'Create' }],
      message: `pull request ${REPO}#7 (check neutral)`,
    });
    expect(drift.status).toBe('failed');
    expect(records.find((r) => r.type === 'drift')).toMatchObject({ outcome: 'Failed', message: 'broker unreachable' });
  });

  it('reports an apply that lost its lease as Failed, with an error commit status and a LeaseLost record', async () => {
    // Prepare: someone breaks the lock while the apply runs and another apply takes the environment.
    const { deps, git, applies, store, reporter, kafka } = makeDeps();
    const sha = git.commit({ 'env.yaml': environmentYaml(), 'topics.yaml': topicDocument('t.one') });
    await planCommit(deps, pushInput(sha, '2026-11-25T10:00:00.000Z'));
    const apply = kafka.apply.bind(kafka);
    kafka.apply = async (changes) => {
      await deps.locker.breakLock('prod');
      await deps.locker.tryLock('prod', 'newer-apply', 900);
      return apply(changes);
    };

    // Act
    const result = await applyStoredPlan(deps, applies[0] ?? { environment: '', planId: '' });

    // Assess
    expect(result).toMatchObject({ status: 'applied', planStatus: 'Failed', report: { outcome: 'Succeeded' } });
    expect((await store.getPlan(applies[0]?.planId ?? ''))?.status).toBe('Failed');
    expect(await store.getApplied('prod')).toBeUndefined();
    expect(reporter.statuses(sha).at(-1)).toMatchObject({
      state: 'error',
      description: expect.stringContaining('the lock was broken or taken by another apply'),
    });
    expect((await store.listAudit('prod')).find((r) => r.type === 'apply')?.outcome).toBe('LeaseLost');
  });
});
