/** Fetches the config tree of a repository at an exact commit into a local directory. */
export interface GitSource {
  /** Returns the directory holding the checked-out tree (read-only for callers). */
  checkout(repo: string, commit: string): Promise<string>;
  /** The commit a branch points at now (drift catches missed webhooks with it). */
  resolveBranch(repo: string, branch: string): Promise<string>;
}
