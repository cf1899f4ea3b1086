import { messageOf } from '../errors.ts';
import {
  type JobRecord,
  jobValueName,
  type PipelineJob,
  type PullRequestCommand,
  type PullRequestCommandJob,
  type PullRequestJob,
  type PushJob,
  pullRequestValueName,
  type RememberedPullRequest,
} from '../model/job.ts';
import type { WebhookVerifier } from '../ports/webhook-verifier.ts';
import type { PipelineDeps } from './deps.ts';

/** Which deliveries may start work. Repositories are `owner/name` (case-insensitive), `owner/*` allowed. */
export interface WebhookPolicy {
  repositories: readonly string[];
  /** Branches whose pushes and pull requests (by base branch) are considered; empty = every branch. */
  branches: readonly string[];
}

export interface WebhookRequest {
  /** Header names in lower case (API Gateway v2 and node:http both give them so). */
  headers: Readonly<Record<string, string | undefined>>;
  /** The body's bytes exactly as received: the signature covers these, so nothing decodes them before. */
  rawBody: Uint8Array;
}

export type WebhookOutcome =
  | { status: 'unauthorized'; reason: string }
  | { status: 'bad-request'; reason: string }
  | { status: 'forbidden'; reason: string }
  | { status: 'ignored'; reason: string }
  | { status: 'duplicate'; reason: string }
  | { status: 'pong' }
  | { status: 'accepted'; jobId: string; type: PipelineJob['type'] }
  | { status: 'failed'; reason: string };

/** HTTP status GitHub should see for each outcome: 2xx for everything it should not redeliver. */
export const WEBHOOK_HTTP_STATUS: Record<WebhookOutcome['status'], number> = {
  unauthorized: 401,
  'bad-request': 400,
  forbidden: 403,
  ignored: 202,
  duplicate: 200,
  pong: 200,
  accepted: 202,
  failed: 500,
};

const PR_ACTIONS = new Set(['opened', 'synchronize', 'reopened']);
/**
 * Who may command Landscape from a pull request comment: people the repository trusts (owners, organization
 * members, collaborators), not any GitHub user. GitHub's association says nothing about write access; the
 * commands are read-only (a plan) or answered, so trust is enough.
 */
const COMMANDERS = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);
const COMMAND_LINE = /^\/landscape(?:\s+([A-Za-z-]+))?/;
const ZERO_SHA = /^0{40}$/;
const SHA = /^[0-9a-f]{40}$/;
/** Strict: a body that is not UTF-8 is refused, not silently repaired. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The decision on a verified delivery, before any state is touched. Pure. */
export type Triage =
  | { kind: 'ignored'; reason: string }
  | { kind: 'forbidden'; reason: string }
  | { kind: 'pong' }
  | { kind: 'push'; repo: string; branch: string; commit: string; actor: string }
  | {
      kind: 'pull_request';
      repo: string;
      number: number;
      headSha: string;
      baseSha: string;
      baseRef: string;
      actor: string;
    }
  | { kind: 'pull_request_closed'; repo: string; number: number; headSha: string; baseRef: string }
  | {
      kind: 'pull_request_command';
      repo: string;
      number: number;
      commentId: number;
      command: PullRequestCommand;
      actor: string;
    };

/**
 * GitHub treats `Acme/Config` and `acme/config` as one repository: the pipeline uses one spelling (lower case)
 * for replay keys, jobs, plans and clone URLs, so the same commit is never handled twice under two names.
 */
export function canonicalRepo(repo: string): string {
  return repo.toLowerCase();
}

export function repositoryAllowed(repo: string, allowed: readonly string[]): boolean {
  const name = repo.toLowerCase();
  return allowed.some((pattern) => {
    const p = pattern.toLowerCase();
    return p === name || (p.endsWith('/*') && name.startsWith(p.slice(0, -1)));
  });
}

function branchAllowed(branch: string, policy: WebhookPolicy): boolean {
  return policy.branches.length === 0 || policy.branches.includes(branch);
}

type Payload = Record<string, unknown>;
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const obj = (value: unknown): Payload => (value !== null && typeof value === 'object' ? (value as Payload) : {});

/**
 * Classifies a verified GitHub delivery. The payload is only a hint (DESIGN.md, Webhooks): what it names is
 * checked against the allowlist, and the config is later fetched by the commit SHA it names.
 */
export function triageGitHubEvent(eventName: string, payload: Payload, policy: WebhookPolicy): Triage {
  if (eventName === 'ping') return { kind: 'pong' };
  if (eventName !== 'push' && eventName !== 'pull_request' && eventName !== 'issue_comment') {
    return { kind: 'ignored', reason: `event "${eventName}" is not used` };
  }
  const fullName = str(obj(payload.repository).full_name);
  if (!fullName) return { kind: 'ignored', reason: 'payload names no repository' };
  const repo = canonicalRepo(fullName);
  if (!repositoryAllowed(repo, policy.repositories)) {
    return { kind: 'forbidden', reason: `repository "${repo}" is not on the allowlist` };
  }
  const actor = str(obj(payload.sender).login) ?? 'github';
  if (eventName === 'push') {
    const ref = str(payload.ref) ?? '';
    const commit = str(payload.after) ?? '';
    if (!ref.startsWith('refs/heads/')) return { kind: 'ignored', reason: `ref "${ref}" is not a branch` };
    const branch = ref.slice('refs/heads/'.length);
    if (payload.deleted === true || ZERO_SHA.test(commit)) {
      return { kind: 'ignored', reason: `branch "${branch}" was deleted` };
    }
    if (!SHA.test(commit)) return { kind: 'ignored', reason: 'push names no commit' };
    if (!branchAllowed(branch, policy))
      return { kind: 'ignored', reason: `branch "${branch}" is not on the allowlist` };
    return { kind: 'push', repo, branch, commit, actor };
  }
  const action = str(payload.action) ?? '';
  if (eventName === 'issue_comment') return triageComment(payload, repo, actor);
  const pr = obj(payload.pull_request);
  const head = obj(pr.head);
  const base = obj(pr.base);
  const headSha = str(head.sha) ?? '';
  const baseSha = str(base.sha) ?? '';
  const baseRef = str(base.ref) ?? '';
  const number = typeof pr.number === 'number' ? pr.number : typeof payload.number === 'number' ? payload.number : 0;
  if (action === 'closed' && SHA.test(headSha) && number) {
    return { kind: 'pull_request_closed', repo, number, headSha, baseRef };
  }
  if (!PR_ACTIONS.has(action)) return { kind: 'ignored', reason: `pull_request action "${action}" is not planned` };
  if (!SHA.test(headSha) || !SHA.test(baseSha) || !number) {
    return { kind: 'ignored', reason: 'pull request payload lacks head/base commits' };
  }
  if (!branchAllowed(baseRef, policy)) {
    return { kind: 'ignored', reason: `base branch "${baseRef}" is not on the allowlist` };
  }
  return { kind: 'pull_request', repo, number, headSha, baseSha, baseRef, actor };
}

/**
 * `/landscape plan` (plan the pull request again, e.g. after the live platform changed), `/landscape apply`
 * (answered: merging applies) or `/landscape help`, as the first line of a new comment on a pull request by
 * someone with write access. The pull request's commits are looked up by the worker: the comment names none.
 */
function triageComment(payload: Payload, repo: string, actor: string): Triage {
  if (str(payload.action) !== 'created') return { kind: 'ignored', reason: 'only new comments are commands' };
  const issue = obj(payload.issue);
  const comment = obj(payload.comment);
  const number = typeof issue.number === 'number' ? issue.number : 0;
  const commentId = typeof comment.id === 'number' ? comment.id : 0;
  if (!issue.pull_request || !number || !commentId) {
    return { kind: 'ignored', reason: 'comment is not on a pull request' };
  }
  const firstLine = (str(comment.body) ?? '').trim().split(/\r?\n/)[0] ?? '';
  const match = COMMAND_LINE.exec(firstLine);
  if (!match) return { kind: 'ignored', reason: 'comment is not a /landscape command' };
  const association = str(comment.author_association) ?? 'NONE';
  if (!COMMANDERS.has(association)) {
    return { kind: 'ignored', reason: `commenter "${actor}" (${association}) may not run /landscape commands` };
  }
  const word = (match[1] ?? '').toLowerCase();
  const command: PullRequestCommand = word === 'plan' || word === 'apply' ? word : 'help';
  return { kind: 'pull_request_command', repo, number, commentId, command, actor };
}

export type ReceiveWebhookDeps = Pick<PipelineDeps, 'store' | 'worker' | 'now' | 'newId' | 'log'> & {
  verifier: WebhookVerifier;
  policy: WebhookPolicy;
  settings: Pick<PipelineDeps['settings'], 'dedupeTtlSeconds'>;
};

/**
 * verify -> parse -> triage -> dedupe -> store job -> dispatch. Returns quickly (the work runs elsewhere);
 * an unsigned or forged request changes nothing, not even the replay memory.
 *
 * @example
 * const outcome = await receiveGitHubWebhook(deps, { headers, rawBody });
 * return { statusCode: WEBHOOK_HTTP_STATUS[outcome.status], body: JSON.stringify(outcome) };
 */
export async function receiveGitHubWebhook(deps: ReceiveWebhookDeps, request: WebhookRequest): Promise<WebhookOutcome> {
  const signature = request.headers['x-hub-signature-256'];
  const eventName = request.headers['x-github-event'];
  const deliveryId = request.headers['x-github-delivery'];
  if (!signature) return { status: 'unauthorized', reason: 'missing X-Hub-Signature-256' };
  let verified = false;
  try {
    verified = await deps.verifier.verify(request.rawBody, signature);
  } catch {
    verified = false; // a malformed signature header is a bad signature, not a fault
  }
  if (!verified) {
    deps.log.warn('webhook signature rejected', { deliveryId, eventName });
    return { status: 'unauthorized', reason: 'signature does not match the payload' };
  }
  if (!eventName || !deliveryId)
    return { status: 'bad-request', reason: 'missing X-GitHub-Event or X-GitHub-Delivery' };
  if (request.rawBody.length === 0) return { status: 'bad-request', reason: 'the body is empty' };
  let payload: Payload;
  try {
    payload = obj(JSON.parse(UTF8.decode(request.rawBody)));
  } catch {
    return {
      status: 'bad-request',
      reason: 'body is not JSON (configure the webhook with content type application/json)',
    };
  }

  const triage = triageGitHubEvent(eventName, payload, deps.policy);
  const context = { deliveryId, eventName, triage: triage.kind };
  if (triage.kind === 'pong') return { status: 'pong' };
  if (triage.kind === 'ignored' || triage.kind === 'forbidden') {
    deps.log.info('webhook ignored', { ...context, reason: triage.reason });
    return { status: triage.kind, reason: triage.reason };
  }
  if (triage.kind === 'pull_request_closed') {
    await rememberPullRequest(deps, triage, 'closed');
    return { status: 'ignored', reason: `pull request #${triage.number} closed: nothing to plan` };
  }

  const ttl = deps.settings.dedupeTtlSeconds;
  const deliveryKey = `github/delivery/${deliveryId}`;
  if (!(await deps.store.markSeen(deliveryKey, ttl))) {
    deps.log.info('webhook replay ignored', context);
    return { status: 'duplicate', reason: `delivery "${deliveryId}" was already received` };
  }
  const {
    key: workKey,
    what,
    job,
  } = workOf(triage, {
    id: deps.newId(),
    receivedAt: deps.now().toISOString(),
    actor: triage.actor,
    deliveryId,
  });
  if (!(await deps.store.markSeen(workKey, ttl))) {
    deps.log.info('webhook for already handled work ignored', { ...context, workKey });
    return { status: 'duplicate', reason: `${what} already handled` };
  }
  // The job forgets these keys if it fails for good, so a redelivery of this delivery runs it again.
  job.replayKeys = [deliveryKey, workKey];
  if (triage.kind === 'pull_request') await rememberPullRequest(deps, triage, 'open');
  const id = job.id;
  try {
    await submitJob(deps, job);
  } catch (error) {
    // Nothing runs: forget the delivery, so GitHub's redelivery (or a retry of this one) is taken.
    deps.log.error('dispatching webhook job failed', { ...context, jobId: id, error: messageOf(error) });
    for (const key of job.replayKeys) await deps.store.forgetSeen(key).catch(() => undefined);
    return { status: 'failed', reason: 'the job could not be started' };
  }
  deps.log.info('webhook accepted', { ...context, jobId: id, type: job.type });
  return { status: 'accepted', jobId: id, type: job.type };
}

type Work = Exclude<Triage, { kind: 'ignored' | 'forbidden' | 'pong' | 'pull_request_closed' }>;

/** Keeps the pull request's head and base branch for `/landscape plan` (RememberedPullRequest). */
async function rememberPullRequest(
  deps: Pick<ReceiveWebhookDeps, 'store' | 'now'>,
  pr: { repo: string; number: number; headSha: string; baseRef: string },
  state: RememberedPullRequest['state'],
): Promise<void> {
  await deps.store.putValue<RememberedPullRequest>(pullRequestValueName(pr.repo, pr.number), {
    number: pr.number,
    state,
    headSha: pr.headSha,
    baseRef: pr.baseRef,
    updatedAt: deps.now().toISOString(),
  });
}

/** The job a delivery starts, and the replay key of its work (a commit, a pull request head, a comment). */
function workOf(
  triage: Work,
  base: { id: string; receivedAt: string; actor: string; deliveryId: string },
): { key: string; what: string; job: PushJob | PullRequestJob | PullRequestCommandJob } {
  const { repo } = triage;
  switch (triage.kind) {
    case 'push':
      return {
        key: `github/push/${repo}@${triage.commit}`,
        what: 'commit',
        job: { type: 'plan-push', ...base, repo, branch: triage.branch, commit: triage.commit },
      };
    case 'pull_request': {
      const { number, headSha, baseSha, baseRef } = triage;
      return {
        key: `github/pull_request/${repo}#${number}@${headSha}`,
        what: 'pull request head',
        job: { type: 'plan-pull-request', ...base, repo, number, headSha, baseSha, baseRef },
      };
    }
    case 'pull_request_command':
      return {
        key: `github/comment/${repo}#${triage.number}/${triage.commentId}`,
        what: 'comment',
        job: { type: 'pull-request-command', ...base, repo, number: triage.number, command: triage.command },
      };
  }
}

/** Stores the job (state Accepted) and dispatches it. */
export async function submitJob(deps: Pick<PipelineDeps, 'store' | 'worker' | 'now'>, job: PipelineJob): Promise<void> {
  const record: JobRecord = { job, state: 'Accepted', updatedAt: deps.now().toISOString() };
  await deps.store.putValue(jobValueName(job.id), record);
  await deps.worker.dispatch(job);
}
