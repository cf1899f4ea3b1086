import { describe, expect, it } from 'vitest';
import type { PullRequestCommand, PullRequestCommandJob, PullRequestJob } from '../../../lib/model/job.ts';
import { PLAN_COMMENT_MARKER } from '../../../lib/report/pull-request.ts';
import { applyStoredPlan } from '../../../lib/use-cases/apply-stored-plan.ts';
import { checkDrift } from '../../../lib/use-cases/check-drift.ts';
import { detectDrift } from '../../../lib/use-cases/drift.ts';
import { getStatus } from '../../../lib/use-cases/operations.ts';
import { loadEnvironmentConfig, planCommit } from '../../../lib/use-cases/plan-commit.ts';
import { planPullRequest } from '../../../lib/use-cases/plan-pull-request.ts';
import { COMMAND_COMMENT_MARKER } from '../../../lib/use-cases/pull-request-command.ts';
import { runJob } from '../../../lib/use-cases/run-job.ts';
import { environmentYaml, topicDocument } from '../../support/builders.ts';
import { makeDeps, pushInput, REPO } from './support.ts';

function prJob(headSha: string, baseSha: string): PullRequestJob {
  return {
    type: 'plan-pull-request',
    id: 'job-pr',
    receivedAt: '2026-11-25T10:00:00.000Z',
    actor: 'octocat',
    deliveryId: 'd',
    repo: REPO,
    number: 43,
    headSha,
    baseSha,
    baseRef: 'main',
  };
}

describe('planPullRequest', () => {
  it('posts one check run per environment and one comment with the plan', async () => {
    const { deps, git, reporter, applies } = makeDeps();
    const baseSha = git.commit({ 'env.yaml': environmentYaml(), 'topics.yaml': topicDocument('t.one') });
    const headSha = git.commit(
      { 'env.yaml': environmentYaml(), 'topics.yaml': topicDocument('t.one') + topicDocument('t.two') },
      'feature',
    );
    const results = await planPullRequest(deps, prJob(headSha, baseSha));
    expect(results).toMatchObject([{ environment: 'prod', conclusion: 'neutral', problems: 0 }]);
    const check = reporter.reports.find((r) => r.type === 'check-run');
    expect(check?.input).toMatchObject({ name: 'landscape plan (prod)', headSha, conclusion: 'neutral' });
    const comment = reporter.reports.find((r) => r.type === 'comment');
    expect(comment?.input).toMatchObject({ number: 43, marker: PLAN_COMMENT_MARKER });
    if (comment?.type === 'comment') {
      expect(comment.input.body).toContain('t.two');
      expect(comment.input.body).not.toContain('/tmp/');
    }
    expect(applies).toHaveLength(0); // a PR plan is never applied
  });

  it('annotates configuration errors at file:line, relative to the repository', async () => {
    const { deps, git, reporter } = makeDeps();
    const baseSha = git.commit({ 'env.yaml': environmentYaml(), 'topics.yaml': topicDocument('t.one') });
    const bad = `${topicDocument('t.one')}---\napiVersion: landscape.dev/v1\nkind: Topic\nmetadata: { name: t.bad }\nspec: { partitions: 3, retentoin: 1 }\n`;
    const headSha = git.commit({ 'env.yaml': environmentYaml(), 'topics/payments.yaml': bad }, 'feature');
    const [result] = await planPullRequest(deps, prJob(headSha, baseSha));
    expect(result?.conclusion).toBe('failure');
    const check = reporter.reports.find((r) => r.type === 'check-run');
    if (check?.type !== 'check-run') throw new Error('no check run');
    expect(check.input.annotations[0]).toMatchObject({ path: 'topics/payments.yaml', level: 'failure' });
    expect(check.input.annotations[0]?.startLine).toBeGreaterThan(5);
  });

  it('plans with the connection settings of the base branch, not the ones in the pull request', async () => {
    const { deps, git } = makeDeps();
    const seen: string[][] = [];
    deps.createProviders = async (_name, spec) => {
      seen.push(spec.kafka.bootstrapServers);
      return [];
    };
    const baseSha = git.commit({ 'env.yaml': environmentYaml(), 'topics.yaml': topicDocument('t.one') });
    const evil = environmentYaml().replace('127.0.0.1:9092', 'attacker.example:9092');
    const headSha = git.commit({ 'env.yaml': evil, 'topics.yaml': topicDocument('t.one') }, 'feature');
    await planPullRequest(deps, prJob(headSha, baseSha));
    expect(seen).toEqual([['127.0.0.1:9092']]);
  });
});

describe('/landscape comment commands', () => {
  const commandJob = (command: PullRequestCommand): PullRequestCommandJob => ({
    type: 'pull-request-command',
    id: `job-${command}`,
    receivedAt: '2026-11-25T11:00:00.000Z',
    actor: 'octocat',
    deliveryId: 'd2',
    repo: REPO,
    number: 43,
    command,
  });
  const comments = (reporter: ReturnType<typeof makeDeps>['reporter']) =>
    reporter.reports.flatMap((r) => (r.type === 'comment' ? [r.input] : []));

  it('`plan` plans the pull request at its current head, updating the plan comment and check runs', async () => {
    // Prepare: the PR moved on since it was opened; the comment names no commit.
    const { deps, git, reporter, applies } = makeDeps();
    const baseSha = git.commit({ 'env.yaml': environmentYaml(), 'topics.yaml': topicDocument('t.one') });
    git.commit(
      { 'env.yaml': environmentYaml(), 'topics.yaml': topicDocument('t.one') + topicDocument('t.old') },
      'feature',
    );
    const headSha = git.commit(
      { 'env.yaml': environmentYaml(), 'topics.yaml': topicDocument('t.one') + topicDocument('t.latest') },
      'feature',
    );
    git.pullRequests.set(43, { number: 43, state: 'open', headSha, baseSha, baseRef: 'main' });

    // Act
    await runJob(deps, commandJob('plan'));

    // Assess
    const [comment] = comments(reporter);
    expect(comment).toMatchObject({ number: 43, marker: PLAN_COMMENT_MARKER });
    expect(comment?.body).toContain('t.latest');
    expect(comment?.body).not.toContain('t.old');
    const check = reporter.reports.find((r) => r.type === 'check-run');
    expect(check?.input).toMatchObject({ headSha, name: 'landscape plan (prod)' });
    expect(applies).toHaveLength(0);
    expect(await deps.store.getValue('job/job-plan')).toMatchObject({
      state: 'Done',
      message: expect.stringContaining('re-planned'),
    });
  });

  it('answers `apply` (merging applies), `help`, a closed pull request and a git host without lookups', async () => {
    // Prepare
    const { deps, git, reporter } = makeDeps();
    const sha = git.commit({ 'env.yaml': environmentYaml(), 'topics.yaml': topicDocument('t.one') });
    git.pullRequests.set(43, { number: 43, state: 'closed', headSha: sha, baseSha: sha, baseRef: 'main' });
    const answers: string[] = [];
    const answer = () => {
      const [comment] = comments(reporter);
      expect(comment?.marker).toBe(COMMAND_COMMENT_MARKER);
      answers.push(comment?.body ?? '');
    };

    // Act
    await runJob(deps, commandJob('apply'));
    answer();
    await runJob(deps, commandJob('help'));
    answer();
    await runJob(deps, commandJob('plan'));
    answer();
    await runJob(
      { ...deps, git: { checkout: (r, c) => git.checkout(r, c), resolveBranch: (r, b) => git.resolveBranch(r, b) } },
      commandJob('plan'),
    );
    answer();

    // Assess
    expect(answers[0]).toContain('Landscape applies what is merged');
    expect(answers[1]).toContain('`/landscape plan`: plan this pull request again');
    expect(answers[2]).toContain('#43 is closed: nothing to plan.');
    expect(answers[3]).toContain('Push a commit to the pull request (or close and reopen it) to plan it.');
    git.pullRequests.set(43, { number: 43, state: 'open', headSha: sha, baseSha: sha, baseRef: 'experiments' });
    await runJob({ ...deps, settings: { ...deps.settings, allowedBranches: ['main'] } }, commandJob('plan'));
    answer();
    expect(answers[4]).toContain('targets `experiments`, which Landscape does not plan for (allowed: main)');
    expect(reporter.reports.some((r) => r.type === 'check-run')).toBe(false);
  });
});

describe('checkDrift', () => {
  async function applied() {
    const fixture = makeDeps();
    const { deps, git, applies } = fixture;
    const sha = git.commit({ 'env.yaml': environmentYaml(), 'topics.yaml': topicDocument('t.one', 3, '1000') });
    await planCommit(deps, pushInput(sha));
    await applyStoredPlan(deps, applies[0] ?? { environment: '', planId: '' });
    return { ...fixture, sha };
  }

  function tamper(kafka: ReturnType<typeof makeDeps>['kafka'], retention: string) {
    const live = kafka.state.get('kafka/topic/t.one');
    if (!live) throw new Error('topic missing');
    (live.spec.config as Record<string, string>)['retention.ms'] = retention;
  }

  it('reports nothing while live matches the applied commit', async () => {
    const { deps, notifier } = await applied();
    expect(await checkDrift(deps, { environment: 'prod' })).toMatchObject({ status: 'in-sync', notified: false });
    expect(notifier.reports).toHaveLength(0);
  });

  it('notifies per field only when drift is new, changed or resolved', async () => {
    const { deps, kafka, notifier, clock } = await applied();
    tamper(kafka, '5');
    const first = await checkDrift(deps, { environment: 'prod' });
    expect(first).toMatchObject({ status: 'drifted', notified: true });
    expect(notifier.reports[0]?.resources[0]).toEqual({
      key: 'kafka/topic/t.one',
      action: 'Update',
      fields: [{ path: 'config.retention.ms', expected: '1000', actual: '5' }],
    });
    clock.advance(60_000);
    expect(await checkDrift(deps, { environment: 'prod' })).toMatchObject({ status: 'drifted', notified: false });
    tamper(kafka, '6');
    expect(await checkDrift(deps, { environment: 'prod' })).toMatchObject({ status: 'drifted', notified: true });
    tamper(kafka, '1000');
    expect(await checkDrift(deps, { environment: 'prod' })).toMatchObject({ status: 'in-sync', notified: true });
    expect(notifier.reports.map((r) => r.status)).toEqual(['drifted', 'drifted', 'resolved']);
    // Status shows the drift memory.
    const status = await getStatus(deps);
    expect(status.environments[0]?.drift).toMatchObject({ digest: '' });
  });

  it('writes one drift record per check, built by detectDrift, the core the CLI drift command shares', async () => {
    const { deps, kafka, sha } = await applied();
    tamper(kafka, '5');
    const config = await loadEnvironmentConfig(deps, await deps.git.checkout(REPO, sha), 'prod');
    if (!config.config) throw new Error('config did not load');

    const detected = await detectDrift(deps, {
      environment: 'prod',
      config: config.config,
      source: { repo: REPO, commit: sha },
      appliedCommit: sha,
      actor: 'ann@cli',
    });
    const before = (await deps.store.listAudit('prod', 50)).filter((r) => r.type === 'drift');
    await checkDrift(deps, { environment: 'prod' });
    const after = (await deps.store.listAudit('prod', 50)).filter((r) => r.type === 'drift');

    // detectDrift builds the record and leaves writing it to its caller; checkDrift writes exactly one.
    expect(detected).toMatchObject({ status: 'checked', resources: [{ key: 'kafka/topic/t.one', action: 'Update' }] });
    expect(detected.status === 'checked' ? detected.record : undefined).toMatchObject({
      type: 'drift',
      outcome: 'Drifted',
      actor: 'ann@cli',
      commit: sha,
      summary: { update: 1, unmanagedGrants: 0 },
    });
    expect(before).toHaveLength(0);
    expect(after).toMatchObject([
      { outcome: 'Drifted', actor: 'landscape-drift', commit: sha, summary: { unmanagedGrants: 0 } },
    ]);
  });

  it('reports partitions added out of band as drift: the plan refuses to undo them, with the reason', async () => {
    const { deps, kafka, notifier } = await applied();
    const live = kafka.state.get('kafka/topic/t.one');
    if (!live) throw new Error('topic missing');
    live.spec.partitions = 6;

    const outcome = await checkDrift(deps, { environment: 'prod' });

    expect(outcome).toMatchObject({ status: 'drifted', notified: true });
    expect(notifier.reports[0]?.resources).toEqual([
      {
        key: 'kafka/topic/t.one',
        action: 'Refused',
        fields: [],
        reason: expect.stringContaining('PartitionDecrease: partitions can only grow: live has 6, git asks for 3'),
      },
    ]);
  });

  it('remediates through the apply path when the environment asks for it', async () => {
    const fixture = makeDeps();
    const { deps, git, applies, kafka } = fixture;
    const env = environmentYaml({ extra: '  drift: { mode: remediate }' });
    const sha = git.commit({ 'env.yaml': env, 'topics.yaml': topicDocument('t.one', 3, '1000') });
    await planCommit(deps, pushInput(sha));
    await applyStoredPlan(deps, applies[0] ?? { environment: '', planId: '' });
    tamper(kafka, '5');
    fixture.clock.advance(15 * 60_000);
    const outcome = await checkDrift(deps, { environment: 'prod' });
    expect(outcome).toMatchObject({ status: 'drifted' });
    const remediation = outcome.status === 'drifted' ? outcome.remediationPlanId : undefined;
    expect(remediation).toBeDefined();
    await applyStoredPlan(deps, { environment: 'prod', planId: remediation ?? '' });
    expect(kafka.state.get('kafka/topic/t.one')?.spec.config).toMatchObject({ 'retention.ms': '1000' });
  });

  it('plans and applies a branch head whose webhook was missed', async () => {
    const { deps, git, applies, kafka, clock } = await applied();
    clock.advance(15 * 60_000);
    const missed = git.commit({
      'env.yaml': environmentYaml(),
      'topics.yaml': topicDocument('t.one', 3, '1000') + topicDocument('t.two'),
    });
    const outcome = await checkDrift(deps, { environment: 'prod' });
    expect(outcome).toMatchObject({ status: 'caught-up', commit: missed });
    await applyStoredPlan(deps, applies.at(-1) ?? { environment: '', planId: '' });
    expect(kafka.state.has('kafka/topic/t.two')).toBe(true);
    expect((await deps.store.getApplied('prod'))?.commit).toBe(missed);
    // Next run: nothing to catch up, nothing drifted.
    expect(await checkDrift(deps, { environment: 'prod' })).toMatchObject({ status: 'in-sync' });
  });

  it('says so for an environment never applied', async () => {
    const { deps } = makeDeps();
    expect(await checkDrift(deps, { environment: 'prod' })).toEqual({ environment: 'prod', status: 'never-applied' });
  });
});
