/** Fetches the config tree of a repository at an exact commit into a local directory. */
export interface GitSource {
  /** Returns the directory holding the checked-out tree (read-only for callers). */
  checkout(repo: string, commit: string): Promise<string>;
  /** The commit a branch points at now (drift catches missed webhooks with it). */
  resolveBranch(repo: string, branch: string): Promise<string>;
  /**
   * A pull request's head and base now (GitHub only): a `/landscape plan` comment names just the number.
   * Absent where the config is fetched over plain git.
   */
  pullRequest?(repo: string, number: number): Promise<PullRequestRef>;
}

export interface PullRequestRef {
  number: number;
  state: 'open' | 'closed';
  headSha: string;
  baseSha: string;
  baseRef: string;
}
