/**
 * Work the webhook (and the API) hands to the worker. A job is small, JSON and self-describing: it is
 * stored (StateStore value `job/<id>`) and sent to the worker asynchronously (ADR 0010).
 */
export type PipelineJob = PullRequestJob | PushJob | EnvironmentJob | PullRequestCommandJob;

interface JobBase {
  id: string;
  /** When the triggering event was accepted: orders plans of one environment (latest commit wins). */
  receivedAt: string;
  /** Who asked: GitHub login of the sender, or the API principal. */
  actor: string;
  /**
   * The replay keys the webhook recorded for this delivery (`markSeen`). When the job fails for good with a
   * fault, they are forgotten, so GitHub's redelivery of the same delivery runs it again.
   */
  replayKeys?: string[];
}

/** pull_request opened/synchronize/reopened: plan the head commit against live state, report on the PR. */
export interface PullRequestJob extends JobBase {
  type: 'plan-pull-request';
  deliveryId: string;
  repo: string;
  number: number;
  headSha: string;
  baseSha: string;
  baseRef: string;
}

/** The commands a collaborator can comment on a pull request (`/landscape plan`). */
export type PullRequestCommand = 'plan' | 'apply' | 'help';

/** issue_comment on a pull request starting with `/landscape <command>`: answered on the pull request. */
export interface PullRequestCommandJob extends JobBase {
  type: 'pull-request-command';
  deliveryId: string;
  repo: string;
  number: number;
  command: PullRequestCommand;
}

/** push to a branch: plan the pushed commit for every environment deploying from that branch, then apply. */
export interface PushJob extends JobBase {
  type: 'plan-push';
  deliveryId: string;
  repo: string;
  branch: string;
  commit: string;
}

/** Plan one environment at a commit and apply it: `POST /reapply`, drift catch-up. */
export interface EnvironmentJob extends JobBase {
  type: 'plan-environment';
  environment: string;
  trigger: 'reapply' | 'drift';
  repo?: string;
  /** Absent: the head of the environment's branch. */
  commit?: string;
}

export type JobState = 'Accepted' | 'Running' | 'Done' | 'Failed';

/** What is stored under `job/<id>`. */
export interface JobRecord {
  job: PipelineJob;
  state: JobState;
  updatedAt: string;
  message?: string;
  /** Attempts so far (a retryable fault is retried with backoff, PipelineSettings.jobRetries). */
  attempts?: number;
}

export const jobValueName = (id: string): string => `job/${id}`;

/**
 * What the webhook last saw of a pull request (opened, synchronize, reopened, closed): `/landscape plan` finds
 * the pull request's head and base branch here where the git source cannot look pull requests up (plain git,
 * `landscape serve`).
 */
export interface RememberedPullRequest {
  number: number;
  state: 'open' | 'closed';
  headSha: string;
  baseRef: string;
  updatedAt: string;
}

export const pullRequestValueName = (repo: string, number: number): string => `pull-request/${repo}#${number}`;
