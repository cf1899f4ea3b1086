import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GitHubWebhookVerifier } from '../../../lib/adapters/github/github-webhook-verifier.ts';
import type { JobRecord } from '../../../lib/model/job.ts';
import {
  type ReceiveWebhookDeps,
  receiveGitHubWebhook,
  triageGitHubEvent,
} from '../../../lib/use-cases/receive-webhook.ts';
import { makeDeps } from './support.ts';

const SECRET = 'test-webhook-secret-0123456789';
const verifier = new GitHubWebhookVerifier(SECRET);
const event = (name: string) => readFileSync(new URL(`../../../events/github/${name}.json`, import.meta.url), 'utf8');

function setup(policy: Partial<ReceiveWebhookDeps['policy']> = {}) {
  const fixture = makeDeps();
  const deps: ReceiveWebhookDeps = {
    ...fixture.deps,
    verifier,
    policy: { repositories: ['acme/platform-config'], branches: [], ...policy },
  };
  return { ...fixture, deps };
}

async function signed(name: string, body: string, delivery = 'delivery-1') {
  return {
    headers: {
      'x-github-event': name,
      'x-github-delivery': delivery,
      'x-hub-signature-256': await verifier.sign(body),
    },
    rawBody: Buffer.from(body),
  };
}

describe('receiveGitHubWebhook', () => {
  it('accepts a signed push, stores the job and dispatches it', async () => {
    const { deps, jobs, store } = setup();
    const outcome = await receiveGitHubWebhook(deps, await signed('push', event('push')));
    expect(outcome).toEqual({ status: 'accepted', jobId: 'id-1', type: 'plan-push' });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({
      type: 'plan-push',
      repo: 'acme/platform-config',
      branch: 'main',
      commit: '9c2e4f6a8b0d1c3e5f7a9b1d3c5e7f9a1b3d5c7e',
      actor: 'octocat',
    });
    expect((await store.getValue<JobRecord>('job/id-1'))?.state).toBe('Accepted');
  });

  it('accepts a signed /landscape plan comment once, however often GitHub redelivers it', async () => {
    const { deps, jobs } = setup();
    const body = event('issue_comment.created');
    const first = await receiveGitHubWebhook(deps, await signed('issue_comment', body, 'delivery-c1'));
    const again = await receiveGitHubWebhook(deps, await signed('issue_comment', body, 'delivery-c2'));
    expect(first).toEqual({ status: 'accepted', jobId: 'id-1', type: 'pull-request-command' });
    expect(again).toEqual({ status: 'duplicate', reason: 'comment already handled' });
    expect(jobs).toEqual([
      expect.objectContaining({
        type: 'pull-request-command',
        repo: 'acme/platform-config',
        number: 43,
        command: 'plan',
      }),
    ]);
  });

  it('refuses an unsigned request and remembers nothing', async () => {
    const { deps, jobs, store } = setup();
    const request = await signed('push', event('push'));
    const { 'x-hub-signature-256': _dropped, ...headers } = request.headers;
    expect(await receiveGitHubWebhook(deps, { headers, rawBody: request.rawBody })).toMatchObject({
      status: 'unauthorized',
    });
    expect(jobs).toHaveLength(0);
    // The genuine delivery is still accepted afterwards: a forged one did not poison the replay memory.
    expect((await receiveGitHubWebhook(deps, request)).status).toBe('accepted');
    expect(store.values.size).toBe(1);
  });

  it('refuses a body changed after signing', async () => {
    const { deps, jobs } = setup();
    const request = await signed('push', event('push'));
    const text = request.rawBody.toString('utf8').replace('"refs/heads/main"', '"refs/heads/prod"');
    const forged = { ...request, rawBody: Buffer.from(text) };
    expect((await receiveGitHubWebhook(deps, forged)).status).toBe('unauthorized');
    const wrongSecret = new GitHubWebhookVerifier('another-secret-0123456789');
    const other = {
      ...request,
      headers: { ...request.headers, 'x-hub-signature-256': await wrongSecret.sign(request.rawBody) },
    };
    expect((await receiveGitHubWebhook(deps, other)).status).toBe('unauthorized');
    expect(jobs).toHaveLength(0);
  });

  it('answers a validly signed empty or non-UTF-8 body as a bad request, checking the signature over its bytes', async () => {
    const { deps, jobs, store } = setup();
    const empty = await signed('push', '');
    expect(await receiveGitHubWebhook(deps, empty)).toEqual({ status: 'bad-request', reason: 'the body is empty' });
    // 0xff is no UTF-8: signed over these bytes it verifies, and is then refused as not JSON (not 401).
    const bytes = Buffer.from([0x7b, 0xff, 0x7d]);
    const binary = { ...(await signed('push', '')), rawBody: bytes };
    binary.headers['x-hub-signature-256'] = await verifier.sign(bytes);
    expect(await receiveGitHubWebhook(deps, binary)).toMatchObject({ status: 'bad-request' });
    // The same bytes with a signature over their lossy text decoding are forged.
    binary.headers['x-hub-signature-256'] = await verifier.sign(bytes.toString('utf8'));
    expect(await receiveGitHubWebhook(deps, binary)).toMatchObject({ status: 'unauthorized' });
    expect(jobs).toHaveLength(0);
    expect(store.values.size).toBe(0);
  });

  it('ignores a replayed delivery and a second delivery of the same commit', async () => {
    const { deps, jobs } = setup();
    const request = await signed('push', event('push'));
    expect((await receiveGitHubWebhook(deps, request)).status).toBe('accepted');
    expect(await receiveGitHubWebhook(deps, request)).toMatchObject({ status: 'duplicate' });
    const redelivered = await signed('push', event('push'), 'delivery-2');
    expect(await receiveGitHubWebhook(deps, redelivered)).toMatchObject({ status: 'duplicate' });
    expect(jobs).toHaveLength(1);
  });

  it('answers ping with pong and forbids repositories off the allowlist', async () => {
    const { deps, jobs } = setup({ repositories: ['acme/other'] });
    expect(await receiveGitHubWebhook(deps, await signed('ping', event('ping')))).toEqual({ status: 'pong' });
    expect(await receiveGitHubWebhook(deps, await signed('push', event('push')))).toMatchObject({
      status: 'forbidden',
      reason: 'repository "acme/platform-config" is not on the allowlist',
    });
    expect(jobs).toHaveLength(0);
  });

  it('accepts pull_request opened and synchronize as plan jobs', async () => {
    const { deps, jobs } = setup();
    await receiveGitHubWebhook(deps, await signed('pull_request', event('pull_request.opened'), 'd-1'));
    await receiveGitHubWebhook(deps, await signed('pull_request', event('pull_request.synchronize'), 'd-2'));
    expect(jobs.map((j) => j.type)).toEqual(['plan-pull-request', 'plan-pull-request']);
    expect(jobs[1]).toMatchObject({ number: 43, baseRef: 'main', headSha: 'c8e0a2b4d6f8103c5e7a9b1d3f5a7c9e1b3d5f7a' });
  });

  it('answers 5xx-worthy "failed" when the job cannot be dispatched', async () => {
    const { deps } = setup();
    const failing = {
      ...deps,
      worker: { ...deps.worker, dispatch: async () => Promise.reject(new Error('throttled')) },
    };
    expect(await receiveGitHubWebhook(failing, await signed('push', event('push')))).toMatchObject({
      status: 'failed',
    });
  });
});

describe('triageGitHubEvent', () => {
  const policy = { repositories: ['acme/*'], branches: ['main'] };
  const push = JSON.parse(event('push')) as Record<string, unknown>;

  it('ignores branches off the allowlist, deleted branches, tags and other events', () => {
    expect(triageGitHubEvent('push', { ...push, ref: 'refs/heads/feature' }, policy)).toMatchObject({
      kind: 'ignored',
    });
    expect(triageGitHubEvent('push', { ...push, deleted: true, after: '0'.repeat(40) }, policy)).toMatchObject({
      kind: 'ignored',
      reason: 'branch "main" was deleted',
    });
    expect(triageGitHubEvent('push', { ...push, ref: 'refs/tags/v1' }, policy)).toMatchObject({ kind: 'ignored' });
    expect(triageGitHubEvent('issues', push, policy)).toMatchObject({ kind: 'ignored' });
    expect(triageGitHubEvent('pull_request', { ...push, action: 'closed' }, policy)).toMatchObject({ kind: 'ignored' });
  });

  it('takes /landscape commands from new pull request comments by people with write access only', () => {
    const created = JSON.parse(event('issue_comment.created')) as Record<string, unknown>;
    const comment = created.comment as Record<string, unknown>;
    const withComment = (changes: Record<string, unknown>, top: Record<string, unknown> = {}) => ({
      ...created,
      ...top,
      comment: { ...comment, ...changes },
    });
    expect(triageGitHubEvent('issue_comment', created, policy)).toEqual({
      kind: 'pull_request_command',
      repo: 'acme/platform-config',
      number: 43,
      commentId: 2501234567,
      command: 'plan',
      actor: (created.sender as { login: string }).login,
    });
    expect(triageGitHubEvent('issue_comment', withComment({ body: '/landscape apply' }), policy)).toMatchObject({
      command: 'apply',
    });
    expect(triageGitHubEvent('issue_comment', withComment({ body: '/landscape' }), policy)).toMatchObject({
      command: 'help',
    });
    expect(triageGitHubEvent('issue_comment', withComment({ author_association: 'NONE' }), policy)).toMatchObject({
      kind: 'ignored',
      reason: expect.stringContaining('(NONE) may not run /landscape commands'),
    });
    expect(triageGitHubEvent('issue_comment', withComment({ body: 'LGTM, /landscape plan later' }), policy)).toEqual({
      kind: 'ignored',
      reason: 'comment is not a /landscape command',
    });
    expect(triageGitHubEvent('issue_comment', withComment({}, { action: 'edited' }), policy)).toMatchObject({
      kind: 'ignored',
    });
    const onIssue = { ...created, issue: { ...(created.issue as object), pull_request: undefined } };
    expect(triageGitHubEvent('issue_comment', onIssue, policy)).toEqual({
      kind: 'ignored',
      reason: 'comment is not on a pull request',
    });
  });

  it('matches owner wildcards case-insensitively and never trusts a non-SHA commit', () => {
    expect(triageGitHubEvent('push', push, { repositories: ['ACME/*'], branches: [] })).toMatchObject({ kind: 'push' });
    expect(triageGitHubEvent('push', { ...push, after: '--upload-pack=evil' }, policy)).toMatchObject({
      kind: 'ignored',
      reason: 'push names no commit',
    });
  });
});
