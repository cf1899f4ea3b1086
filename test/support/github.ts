import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GitHubWebhookVerifier } from '../../lib/adapters/github/github-webhook-verifier.ts';
import { ROOT } from './paths.ts';

/** A GitHub push delivery for `commit` on `branch` (main) of `repo`, from the captured sample payload. */
export async function pushPayload(repo: string, commit: string, branch = 'main'): Promise<string> {
  const sample = JSON.parse(await readFile(join(ROOT, 'events/github/push.json'), 'utf8')) as Record<string, unknown>;
  const repository = { ...(sample.repository as Record<string, unknown>), full_name: repo, name: repo.split('/')[1] };
  const headCommit = { ...(sample.head_commit as Record<string, unknown>), id: commit };
  return JSON.stringify({
    ...sample,
    ref: `refs/heads/${branch}`,
    after: commit,
    repository,
    head_commit: headCommit,
    commits: [headCommit],
  });
}

/** The headers GitHub sends with a webhook delivery, signed with `secret`. */
export async function githubHeaders(secret: string, event: string, body: string, delivery: string) {
  return {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/e2e',
    'x-github-event': event,
    'x-github-delivery': delivery,
    'x-hub-signature-256': await new GitHubWebhookVerifier(secret).sign(body),
  };
}
