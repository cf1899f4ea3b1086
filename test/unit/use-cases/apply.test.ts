import { describe, expect, it } from 'vitest';
import { applyPlan, recordApplyRefusal } from '../../../lib/use-cases/apply.ts';
import { applyStoredPlan } from '../../../lib/use-cases/apply-stored-plan.ts';
import { planCommit } from '../../../lib/use-cases/plan-commit.ts';
import { environmentYaml, topicDocument } from '../../support/builders.ts';
import { makeDeps, pushInput } from './support.ts';

const PRUNING = environmentYaml({ extra: '  prune: { Topic: true }' });

/** Deps whose provider factory counts opened and closed providers. */
function countingDeps() {
  const made = makeDeps();
  const opened = { count: 0, closed: 0 };
  made.kafka.close = async () => void opened.closed++;
  made.deps.createProviders = async () => {
    opened.count++;
    return [made.kafka];
  };
  return { ...made, opened };
}

/** A plan made by the pipeline for `topics` after `before` was applied (so deleting is possible). */
async function planAfter(made: ReturnType<typeof makeDeps>, before: string, topics: string) {
  const first = made.git.commit({ 'environments.yaml': PRUNING, 'topics.yaml': before });
  await planCommit(made.deps, pushInput(first, '2026-11-25T10:00:00.000Z'));
  await applyStoredPlan(made.deps, made.applies[0] ?? { environment: '', planId: '' });
  const second = made.git.commit({ 'environments.yaml': PRUNING, 'topics.yaml': topics });
  await planCommit(made.deps, pushInput(second, '2026-11-25T10:01:00.000Z'));
  const stored = await made.store.getPlan(made.applies[1]?.planId ?? '');
  if (!stored) throw new Error('no second plan');
  return stored.plan;
}

describe('applyPlan', () => {
  it('applies a plan under the lease, records the approval given at the prompt and closes the providers', async () => {
    // Prepare
    const made = countingDeps();
    const plan = await planAfter(made, topicDocument('keep'), topicDocument('keep') + topicDocument('add.me'));
    const audit = (await made.store.listAudit('prod')).length;
    made.opened.count = 0;
    made.opened.closed = 0;
    // Act
    const outcome = await applyPlan(made.deps, { plan, actor: 'alice@cli', approval: { confirmed: true } });
    // Assess
    expect(outcome).toMatchObject({ status: 'applied', report: { outcome: 'Succeeded' } });
    expect(made.kafka.state.has('kafka/topic/add.me')).toBe(true);
    const records = (await made.store.listAudit('prod')).slice(0, -audit);
    expect(records.map((r) => `${r.type}:${r.outcome}`)).toEqual([
      'apply:Succeeded',
      'apply:Started',
      'approval:Approved',
    ]);
    expect(records.at(-1)).toMatchObject({ actor: 'alice@cli', message: 'approved at the prompt' });
    expect(made.opened).toEqual({ count: 1, closed: 1 });
  });

  it('holds a destructive plan the environment requires approval for: nothing opened, applied or recorded', async () => {
    // Prepare
    const made = countingDeps();
    const plan = await planAfter(made, topicDocument('keep') + topicDocument('drop.me'), topicDocument('keep'));
    const audit = (await made.store.listAudit('prod')).length;
    made.opened.count = 0;
    // Act
    const held = await applyPlan(made.deps, { plan, actor: 'alice@cli', approval: { confirmed: true } });
    // Assess
    expect(held).toMatchObject({ status: 'awaiting-approval', destructive: [{ key: 'kafka/topic/drop.me' }] });
    expect(made.kafka.state.has('kafka/topic/drop.me')).toBe(true);
    expect(await made.store.listAudit('prod')).toHaveLength(audit);
    expect(made.opened.count).toBe(0);

    const approved = await applyPlan(made.deps, {
      plan,
      actor: 'alice@cli',
      approval: { destructive: 'with --approve-destructive' },
    });
    expect(approved).toMatchObject({ status: 'applied', report: { outcome: 'Succeeded' } });
    expect(made.kafka.state.has('kafka/topic/drop.me')).toBe(false);
    expect((await made.store.listAudit('prod')).find((r) => r.type === 'approval')?.message).toMatch(
      /^approved with --approve-destructive \(requireApprovalFor: /,
    );
  });

  it('says "locked" when another apply holds the lease, and still closes the providers', async () => {
    // Prepare
    const made = countingDeps();
    const plan = await planAfter(made, topicDocument('keep'), topicDocument('keep') + topicDocument('add.me'));
    await made.deps.locker.tryLock('prod', 'bob@cli', 600);
    made.opened.count = 0;
    made.opened.closed = 0;
    // Act
    const outcome = await applyPlan(made.deps, { plan, actor: 'alice@cli' });
    // Assess
    expect(outcome).toMatchObject({ status: 'locked', lease: { environment: 'prod' } });
    expect(made.kafka.state.has('kafka/topic/add.me')).toBe(false);
    expect(made.opened).toEqual({ count: 1, closed: 1 });
  });

  it('records a refusal decided before the apply as an apply Refused record', async () => {
    const made = makeDeps();
    const plan = await planAfter(made, topicDocument('keep'), topicDocument('keep') + topicDocument('add.me'));
    await recordApplyRefusal(made.deps, { plan, actor: 'alice@cli', message: 'older commit' });
    expect((await made.store.listAudit('prod'))[0]).toMatchObject({
      type: 'apply',
      outcome: 'Refused',
      planHash: plan.hash,
      message: 'older commit',
    });
  });
});
