import type { ResourceKey } from '../model/resource.ts';

/** One annotation of a check run, at a file and line of the config repository. */
export interface CheckAnnotation {
  /** Path relative to the repository root, e.g. `topics/payments.yaml`. */
  path: string;
  startLine: number;
  endLine: number;
  level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
}

export type CheckConclusion = 'success' | 'failure' | 'neutral' | 'action_required';

export interface CheckRunInput {
  repo: string;
  headSha: string;
  /** e.g. `landscape plan (prod)`: one check run per environment. */
  name: string;
  conclusion: CheckConclusion;
  title: string;
  /** Markdown; GitHub limits it to 65,535 characters, implementations truncate. */
  summary: string;
  annotations: CheckAnnotation[];
}

export interface PullRequestCommentInput {
  repo: string;
  number: number;
  body: string;
  /**
   * An invisible marker (HTML comment) identifying Landscape's comment: implementations update the comment
   * carrying it instead of adding a new one on every push to the pull request.
   */
  marker: string;
}

export interface CommitStatusInput {
  repo: string;
  sha: string;
  state: 'pending' | 'success' | 'failure' | 'error';
  /** e.g. `landscape/prod` */
  context: string;
  /** GitHub truncates at 140 characters. */
  description: string;
  targetUrl?: string;
}

/**
 * Where plan and apply results go back to the code host: check runs with annotations at file:line, a PR
 * comment with the rendered plan, commit statuses. GitHub via Octokit on AWS; a recording no-op locally.
 *
 * Contract: reporting is best effort for the pipeline. Implementations throw `AdapterError` on failure;
 * callers log it and carry on (a failed comment must not fail an apply).
 */
export interface GitHubReporter {
  /**
   * Why nothing reaches GitHub, when that is known up front (the credentials secret is not set yet): jobs
   * record it with their result, so the operator sees what to fix without reading logs.
   */
  readonly unavailable?: string | undefined;
  createCheckRun(input: CheckRunInput): Promise<void>;
  commentOnPullRequest(input: PullRequestCommentInput): Promise<void>;
  setCommitStatus(input: CommitStatusInput): Promise<void>;
}

/**
 * One drifted resource: what git says versus what runs, per field. Secret fields say "changed" only.
 * `Refused`: live moved where apply cannot follow (e.g. partitions added out of band), with the reason.
 * `UnmanagedGrant`: an ACL not in git that reaches managed topics, with the topics it reaches.
 */
export interface DriftedResource {
  key: ResourceKey;
  action: 'Create' | 'Update' | 'Delete' | 'Refused' | 'UnmanagedGrant';
  fields: { path: string; expected?: unknown; actual?: unknown; secret?: boolean }[];
  reason?: string;
}

/** What a drift check found for one environment, compared to the last applied commit. */
export interface DriftReport {
  environment: string;
  commit: string;
  checkedAt: string;
  /** `drifted`: new or changed drift; `resolved`: a previous drift is gone. */
  status: 'drifted' | 'resolved';
  resources: DriftedResource[];
  /** Stable digest of `resources`: equal digests mean the same drift. */
  digest: string;
  /** Set when the environment remediates drift: the plan that will (or did) correct it. */
  remediationPlanId?: string;
}

/**
 * Tells people about drift. Only called when drift is new, changed or resolved (never on every run).
 * ChannelDriftNotifier (lib/adapters/notify) sends to the Environment's drift channels and logs through
 * LoggingDriftNotifier (lib/report).
 */
export interface DriftNotifier {
  notify(report: DriftReport): Promise<void>;
}
