import type {
  CheckRunInput,
  CommitStatusInput,
  GitHubReporter,
  PullRequestCommentInput,
} from '../../ports/reporter.ts';

export type RecordedReport =
  | { type: 'check-run'; input: CheckRunInput }
  | { type: 'comment'; input: PullRequestCommentInput }
  | { type: 'status'; input: CommitStatusInput };

/**
 * A GitHubReporter that only remembers what it would have sent (local runs without a GitHub token, tests).
 * Optionally passes every report to `onReport` (e.g. a logger), keeping at most `limit` in memory.
 */
export class RecordingGitHubReporter implements GitHubReporter {
  readonly reports: RecordedReport[] = [];
  readonly unavailable: string | undefined;
  readonly #onReport: ((report: RecordedReport) => void) | undefined;
  readonly #limit: number;

  constructor(
    options: {
      onReport?: (report: RecordedReport) => void;
      limit?: number;
      /** Why reports are only recorded here (GitHubReporter.unavailable). */
      unavailable?: string;
    } = {},
  ) {
    this.#onReport = options.onReport;
    this.#limit = options.limit ?? 1000;
    this.unavailable = options.unavailable;
  }

  #record(report: RecordedReport): void {
    this.reports.push(report);
    if (this.reports.length > this.#limit) this.reports.shift();
    this.#onReport?.(report);
  }

  async createCheckRun(input: CheckRunInput): Promise<void> {
    this.#record({ type: 'check-run', input });
  }

  async commentOnPullRequest(input: PullRequestCommentInput): Promise<void> {
    // Same contract as GitHub: one comment per marker, updated in place.
    const existing = this.reports.findIndex(
      (r) =>
        r.type === 'comment' &&
        r.input.marker === input.marker &&
        r.input.number === input.number &&
        r.input.repo === input.repo,
    );
    if (existing >= 0) this.reports.splice(existing, 1);
    this.#record({ type: 'comment', input });
  }

  async setCommitStatus(input: CommitStatusInput): Promise<void> {
    this.#record({ type: 'status', input });
  }

  statuses(sha?: string): CommitStatusInput[] {
    return this.reports.flatMap((r) => (r.type === 'status' && (!sha || r.input.sha === sha) ? [r.input] : []));
  }
}
