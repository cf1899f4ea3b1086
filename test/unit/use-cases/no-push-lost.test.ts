import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GitHubWebhookVerifier } from '../../../lib/adapters/github/github-webhook-verifier.ts';
import { AdapterError } from '../../../lib/errors.ts';
import type { JobRecord, PullRequestCommandJob } from '../../../lib/model/job.ts';
import type { GitSource } from '../../../lib/ports/git-source.ts';
import { applyStoredPlan } from '../../../lib/use-cases/apply-stored-plan.ts';
import { catchUp } from '../../../lib/use-cases/catch-up.ts';
import { planCommit } from '../../../lib/use-cases/plan-commit.ts';
import { type ReceiveWebhookDeps, receiveGitHubWebhook } from '../../../lib/use-cases/receive-webhook.ts';
import { runJob } from '../../../lib/use-cases/run-job.ts';
import { environmentYaml, topicDocument } from '../../support/builders.ts';
import { type FakeGitSource, makeDeps, pushInput, REPO } from './support.ts';

const SECRET = 'no-push-lost-secret-0123456789';
const verifier = new GitHubWebhookVerifier(SECRET);
const event = (name: string) => readFileSync(new URL(`../../../events/github/${name}.json`, import.meta.url), 'utf8');
const PUSHED = '9c2e4f6a8b0d1c3e5f7a9b1d3c5e7f9a1b3d5c7e'; // events/github/push.json
const outage = () => new AdapterError('fetching "acme/platform-config": connection refused', { retryable: true });

/** A git host that is down for the first `failures` calls (checkouts and branch lookups alike). */
function flaky(git: FakeGitSource, failures: number): GitSource & { calls: number } {
  const source = {
    calls: 0,
    async checkout(repo: string, commit: string) {
      source.calls++;
      if (source.calls <= failures) throw outage();
      return git.checkout(repo, commit);
    },
    async resolveBranch(repo: string, branch: string) {
      source.calls++;
      if (source.calls <= failures) throw outage();
      return git.resolveBranch(repo, branch);
    },
  };
  return source;
}

function fixture(settings: Partial<ReturnType<typeof makeDeps>['deps']['settings']> = {}) {
  const base = makeDeps();
  base.deps.settings = { ...base.deps.settings, jobRetryBaseMs: 1, jobRetryMaxMs: 4, ...settings };
  const webhook: ReceiveWebhookDeps = {
    ...base.deps,
    verifier,
    policy: { repositories: ['acme/*'], branches: [] },
  };
  return { ...base, webhook };
}

async function signed(name: string, body: string, delivery: string) {
  return {
    headers: {
      'x-github-event': name,
      'x-github-delivery': delivery,
      'x-hub-signature-256': await verifier.sign(body),
    },
    rawBody: Buffer.from(body),
  };
}

function pushedCommit(git: FakeGitSource, files: Record<string, string>, sha = PUSHED, branch = 'main') {
  git.commits.set(sha, files);
  git.branches.set(branch, sha);
}

describe('push jobs ride out outages', () => {
  it('retries a push whose git host is down, with backoff, until it is planned', async () => {
    // Prepare
    const { deps, git, webhook, jobs, applies, store } = fixture();
    pushedCommit(git, { 'env.yaml': environmentYaml(), 'topics.yaml': topicDocument('t.one') });
    const accepted = await receiveGitHubWebhook(webhook, await signed('push', event('push'), 'd-1'));
    const source = flaky(git, 5);

    // Act
    await runJob({ ...deps, git: source }, jobs[0] ?? (undefined as never));

    // Assess
    expect(accepted).toMatchObject({ status: 'accepted' });
    expect(applies).toHaveLength(1);
    const record = await store.getValue<JobRecord>('job/id-1');
    expect(record).toMatchObject({ state: 'Done' });
    expect(record?.attempts).toBeGreaterThan(1);
  });

  it('after its retries fail the job and forget its replay keys, so GitHub redelivering it runs it again', async () => {
    // Prepare
    const { deps, git, webhook, jobs, applies, store } = fixture({ jobRetries: 2 });
    pushedCommit(git, { 'env.yaml': environmentYaml(), 'topics.yaml': topicDocument('t.one') });
    const delivery = await signed('push', event('push'), 'd-1');
    await receiveGitHubWebhook(webhook, delivery);

    // Act
    const failure = await runJob({ ...deps, git: flaky(git, 1000) }, jobs[0] ?? (undefined as never)).catch(
      (e: unknown) => e,
    );
    const redelivered = await receiveGitHubWebhook(webhook, delivery);
    await runJob(deps, jobs[1] ?? (undefined as never));

    // Assess
    expect(failure).toBeInstanceOf(AdapterError);
    expect(await store.getValue<JobRecord>('job/id-1')).toMatchObject({ state: 'Failed', attempts: 3 });
    expect(redelivered).toMatchObject({ status: 'accepted' });
    expect(applies).toHaveLength(1);
    // Once it ran, the same delivery is a replay again.
    expect(await receiveGitHubWebhook(webhook, delivery)).toMatchObject({ status: 'duplicate' });
  });

  it('retries only the environments whose platform was unreachable', async () => {
    // Prepare
    const { deps, git, applies } = fixture();
    const sha = git.commit({
      'env.yaml': environmentYaml({ name: 'blue' }) + environmentYaml({ name: 'green' }).replace(/^/, '---\n'),
      'topics.yaml': topicDocument('t.one'),
    });
    const observed: string[] = [];
    const createProviders = deps.createProviders;
    deps.createProviders = async (name, spec, secrets) => {
      observed.push(name);
      if (name === 'green' && observed.filter((n) => n === 'green').length === 1) {
        throw new AdapterError('connecting to the brokers of "green": connection refused', { retryable: true });
      }
      return createProviders(name, spec, secrets);
    };

    // Act
    await runJob(deps, {
      type: 'plan-push',
      id: 'j',
      receivedAt: '2026-11-25T10:00:00.000Z',
      actor: 'a',
      deliveryId: 'd',
      repo: REPO,
      branch: 'main',
      commit: sha,
    });

    // Assess
    expect(observed).toEqual(['blue', 'green', 'green']);
    expect(applies.map((a) => a.environment).sort()).toEqual(['blue', 'green']);
  });

  it('dispatch failing leaves the delivery unremembered, so it can be sent again', async () => {
    const { webhook, git } = fixture();
    pushedCommit(git, { 'env.yaml': environmentYaml(), 'topics.yaml': topicDocument('t.one') });
    const delivery = await signed('push', event('push'), 'd-1');
    const down = {
      ...webhook,
      worker: { ...webhook.worker, dispatch: async () => Promise.reject(new Error('throttled')) },
    };
    expect(await receiveGitHubWebhook(down, delivery)).toMatchObject({ status: 'failed' });
    expect(await receiveGitHubWebhook(webhook, delivery)).toMatchObject({ status: 'accepted' });
  });
});

describe('repository names', () => {
  it('are one repository whatever their case: one replay key, one job, a lower-case name', async () => {
    const { webhook, jobs } = fixture();
    const upper = event('push').replace('"full_name": "acme/platform-config"', '"full_name": "Acme/Platform-Config"');
    expect(upper).not.toBe(event('push'));
    expect(await receiveGitHubWebhook(webhook, await signed('push', upper, 'd-1'))).toMatchObject({
      status: 'accepted',
    });
    expect(await receiveGitHubWebhook(webhook, await signed('push', event('push'), 'd-2'))).toMatchObject({
      status: 'duplicate',
      reason: 'commit already handled',
    });
    expect(jobs).toEqual([expect.objectContaining({ repo: 'acme/platform-config' })]);
  });
});

describe('which branch deploys', () => {
  async function appliedFromMain() {
    const f = fixture();
    const sha = f.git.commit({ 'env.yaml': environmentYaml(), 'topics.yaml': topicDocument('t.one') });
    await planCommit(f.deps, pushInput(sha));
    await applyStoredPlan(f.deps, f.applies[0] ?? { environment: '', planId: '' });
    f.applies.length = 0;
    return f;
  }

  it('a commit on another branch cannot claim an environment that deploys from main', async () => {
    // Prepare: the feature branch says prod deploys from it.
    const { deps, git, applies, reporter } = await appliedFromMain();
    const sha = git.commit(
      { 'env.yaml': environmentYaml({ branch: 'feature' }), 'topics.yaml': topicDocument('t.evil') },
      'feature',
    );

    // Act
    const outcomes = await planCommit(deps, { ...pushInput(sha), branch: 'feature' });

    // Assess
    expect(outcomes).toEqual([]);
    expect(applies).toHaveLength(0);
    const status = reporter.reports.filter((r) => r.type === 'status').at(-1);
    expect(status?.input).toMatchObject({ sha, state: 'failure', context: 'landscape/prod' });
    expect(JSON.stringify(status?.input)).toContain('deploys from \\"main\\"');
  });

  it('moving spec.branch is a change deployed from the current branch; then the new branch deploys', async () => {
    const { deps, git, applies } = await appliedFromMain();
    const move = git.commit({
      'env.yaml': environmentYaml({ branch: 'release' }),
      'topics.yaml': topicDocument('t.one'),
    });
    const moved = await planCommit(deps, pushInput(move, '2026-11-25T10:30:00.000Z'));
    expect(moved).toMatchObject([{ environment: 'prod', status: 'planned' }]);
    await applyStoredPlan(deps, applies[0] ?? { environment: '', planId: '' });
    const onRelease = git.commit(
      { 'env.yaml': environmentYaml({ branch: 'release' }), 'topics.yaml': topicDocument('t.two') },
      'release',
    );
    const later = { ...pushInput(onRelease, '2026-11-25T11:00:00.000Z'), branch: 'release' };
    expect(await planCommit(deps, later)).toMatchObject([{ environment: 'prod', status: 'planned' }]);
    expect(
      await planCommit(deps, pushInput(git.commit({ 'env.yaml': environmentYaml({ branch: 'release' }) }))),
    ).toEqual([]);
  });

  it('an environment off the branch allowlist is planned by nothing (reapply, catch-up)', async () => {
    const { deps, git, applies } = fixture({ allowedBranches: ['main'] });
    const sha = git.commit(
      {
        'env.yaml': environmentYaml({ name: 'production', branch: 'production' }),
        'topics.yaml': topicDocument('t.one'),
      },
      'production',
    );
    const { branch: _pushed, ...input } = pushInput(sha);
    const reapply = await planCommit(deps, { ...input, trigger: 'reapply', environments: ['production'] });
    expect(reapply).toEqual([{ environment: 'production', status: 'not-allowed', branch: 'production' }]);
    expect(await catchUp(deps, [REPO])).toEqual([{ repo: REPO, branch: 'main', status: 'no-branch' }]);
    expect(applies).toHaveLength(0);
  });
});

describe('catchUp', () => {
  it('plans a branch head that no push delivered, once', async () => {
    // Prepare: applied at `first`; `second` was pushed but its webhook was lost.
    const { deps, git, applies, store, clock } = fixture();
    const first = git.commit({ 'env.yaml': environmentYaml(), 'topics.yaml': topicDocument('t.one') });
    await planCommit(deps, pushInput(first));
    await applyStoredPlan(deps, applies[0] ?? { environment: '', planId: '' });
    clock.advance(60_000);
    const second = git.commit({
      'env.yaml': environmentYaml(),
      'topics.yaml': topicDocument('t.one') + topicDocument('t.two'),
    });

    // Act
    const [outcome] = await catchUp(deps, []);
    await applyStoredPlan(deps, applies[1] ?? { environment: '', planId: '' });
    const again = await catchUp(deps, []);

    // Assess
    expect(outcome).toMatchObject({ status: 'caught-up', commit: second, outcomes: [{ status: 'planned' }] });
    expect(await store.getApplied('prod')).toMatchObject({ commit: second });
    expect(again).toEqual([{ repo: REPO, branch: 'main', status: 'in-sync', commit: second }]);
  });

  it("finds an environment whose very first push was lost, from the allowlist's repositories", async () => {
    const { deps, git, applies } = fixture();
    const sha = git.commit({ 'env.yaml': environmentYaml(), 'topics.yaml': topicDocument('t.one') });
    expect(await catchUp(deps, [REPO, 'acme/*'])).toMatchObject([{ status: 'caught-up', commit: sha }]);
    expect(applies).toEqual([expect.objectContaining({ environment: 'prod' })]);
  });

  it('leaves an operator rollback alone and does not retry a head whose config does not load', async () => {
    const { deps, git, applies } = fixture();
    const bad = git.commit({ 'env.yaml': environmentYaml(), 'topics.yaml': 'kind: Topic\nspec: [' });
    expect(await catchUp(deps, [REPO])).toMatchObject([{ status: 'caught-up', commit: bad }]);
    expect(await catchUp(deps, [REPO])).toEqual([{ repo: REPO, branch: 'main', status: 'in-sync', commit: bad }]);
    expect(applies).toHaveLength(0);
  });
});

describe('/landscape plan without pull request lookups', () => {
  it('plans the head the webhook last saw for the pull request, against the base branch as it is now', async () => {
    // Prepare: a git source that cannot look pull requests up (plain git, as `landscape serve` uses).
    const { deps, git, webhook, reporter } = fixture();
    const opened = JSON.parse(event('pull_request.opened')) as {
      pull_request: { head: { sha: string }; base: { sha: string } };
    };
    git.commits.set(opened.pull_request.base.sha, {
      'env.yaml': environmentYaml(),
      'topics.yaml': topicDocument('t.one'),
    });
    git.branches.set('main', opened.pull_request.base.sha);
    git.commits.set(opened.pull_request.head.sha, {
      'env.yaml': environmentYaml(),
      'topics.yaml': topicDocument('t.one') + topicDocument('t.new'),
    });
    const plainGit: GitSource = {
      checkout: (r, c) => git.checkout(r, c),
      resolveBranch: (r, b) => git.resolveBranch(r, b),
    };
    await receiveGitHubWebhook(webhook, await signed('pull_request', event('pull_request.opened'), 'd-pr'));
    const job: PullRequestCommandJob = {
      type: 'pull-request-command',
      id: 'cmd',
      receivedAt: '2026-11-25T11:00:00.000Z',
      actor: 'octocat',
      deliveryId: 'd-c',
      repo: REPO,
      number: 43,
      command: 'plan',
    };

    // Act
    await runJob({ ...deps, git: plainGit }, job);
    const unknown = await runJob({ ...deps, git: plainGit }, { ...job, id: 'cmd-2', number: 44 }).then(() =>
      deps.store.getValue<JobRecord>('job/cmd-2'),
    );

    // Assess
    expect(await deps.store.getValue<JobRecord>('job/cmd')).toMatchObject({
      state: 'Done',
      message: expect.stringContaining('re-planned'),
    });
    const check = reporter.reports.find((r) => r.type === 'check-run');
    expect(check?.input).toMatchObject({ headSha: opened.pull_request.head.sha, name: 'landscape plan (prod)' });
    expect(unknown?.message).toBe('pull request not known: push a commit to plan it');
  });
});
