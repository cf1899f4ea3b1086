/**
 * A vitest setup file: when `LANDSCAPE_SCAN_DIR` is set (scripts/test.sh), every plan, audit record, stored
 * value (drift reports, alert state, published config) and GitHub report (check run, PR comment, commit status)
 * that any test hands to a state store or reporter is also appended to `$LANDSCAPE_SCAN_DIR/records-<pid>.jsonl`
 * for the suite-wide secret scan. In-memory stores and deleted temporary directories are covered this way.
 * Patching prototypes here keeps the product code free of test hooks.
 */
import { appendFileSync } from 'node:fs';

const dir = process.env.LANDSCAPE_SCAN_DIR;

const STORE_WRITES = ['savePlan', 'updatePlanStatus', 'saveInventory', 'setApplied', 'appendAudit', 'putValue'];
const REPORTER_WRITES = ['createCheckRun', 'commentOnPullRequest', 'setCommitStatus'];

function tap(prototype: object, methods: readonly string[], what: string, file: string): void {
  const target = prototype as Record<string, unknown>;
  for (const method of methods) {
    const original = target[method];
    if (typeof original !== 'function' || (original as { tapped?: boolean }).tapped) continue;
    const wrapped = function (this: unknown, ...args: unknown[]) {
      try {
        const text = JSON.stringify(args, (_key, value: unknown) =>
          typeof value === 'bigint' ? value.toString() : value,
        );
        appendFileSync(file, `${JSON.stringify({ what: `${what}.${method}`, text })}\n`);
      } catch {
        // Best effort: a value that cannot be serialized is not stored as JSON by the store either.
      }
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
    Object.assign(wrapped, { tapped: true });
    target[method] = wrapped;
  }
}

if (dir) {
  // Imported only when scanning, so an ordinary `vitest run` pays nothing for the AWS SDK and Octokit here.
  const [
    { AwsStateStore },
    { OctokitGitHubReporter },
    { RecordingGitHubReporter },
    { FileStateStore },
    { InMemoryStateStore },
  ] = await Promise.all([
    import('../../../lib/adapters/aws/aws-state-store.ts'),
    import('../../../lib/adapters/github/octokit-reporter.ts'),
    import('../../../lib/adapters/github/recording-reporter.ts'),
    import('../../../lib/adapters/store/file-state-store.ts'),
    import('../fakes/in-memory-state-store.ts'),
  ]);
  const file = `${dir}/records-${process.pid}.jsonl`;
  tap(FileStateStore.prototype, STORE_WRITES, 'FileStateStore', file);
  tap(InMemoryStateStore.prototype, STORE_WRITES, 'InMemoryStateStore', file);
  tap(AwsStateStore.prototype, STORE_WRITES, 'AwsStateStore', file);
  tap(RecordingGitHubReporter.prototype, REPORTER_WRITES, 'RecordingGitHubReporter', file);
  tap(OctokitGitHubReporter.prototype, REPORTER_WRITES, 'OctokitGitHubReporter', file);
}
