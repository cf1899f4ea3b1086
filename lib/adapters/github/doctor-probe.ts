import { Octokit } from '@octokit/rest';
import { messageOf } from '../../errors.ts';
import { type DoctorCheck, failed, ok, skipped } from '../../model/doctor.ts';

const TARGET = 'github';
const TOKEN_NEEDS =
  'a classic token with the "repo" scope (public repositories: "public_repo"), or a fine-grained token with Contents: read, Pull requests: write, Commit statuses: write and Checks: write on the repository';

/**
 * The GitHub check of `landscape doctor`, when a token is configured: `GET /repos/{repo}` with it (reachable,
 * token accepted, repository visible), and the token's scopes where GitHub reports them (classic tokens). The
 * token is handed to the client only; it appears in no message.
 */
export async function probeGitHub(input: {
  token: string | undefined;
  /** Why there is no token, when there is none (skipped with this reason). */
  unsetReason: string;
  repo: string | undefined;
  apiUrl?: string | undefined;
  timeoutMs: number;
}): Promise<DoctorCheck[]> {
  if (!input.token) return [skipped(TARGET, 'token', input.unsetReason)];
  if (!input.repo) {
    return [
      skipped(
        TARGET,
        'repository',
        'no repository named: pass --repo OWNER/NAME (or run in a checkout whose origin is on GitHub)',
      ),
    ];
  }
  const octokit = new Octokit({
    auth: input.token,
    ...(input.apiUrl ? { baseUrl: input.apiUrl } : {}),
    request: { timeout: input.timeoutMs, retries: 0 },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
  const [owner, name] = input.repo.split('/') as [string, string];
  try {
    const response = await octokit.rest.repos.get({ owner, repo: name });
    const checks = [ok(TARGET, 'repository', `${input.repo} is visible to the token`)];
    const scopes = response.headers['x-oauth-scopes'];
    const permissions = response.data.permissions;
    if (typeof scopes === 'string') {
      const list = scopes
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const enough = list.includes('repo') || (!response.data.private && list.includes('public_repo'));
      checks.push(
        enough
          ? ok(TARGET, 'token scopes', `classic token with scopes ${list.join(', ')}`)
          : failed(
              TARGET,
              'token scopes',
              `classic token with scopes "${list.join(', ') || 'none'}"`,
              `use ${TOKEN_NEEDS}`,
            ),
      );
    } else if (permissions && !permissions.push) {
      checks.push(
        failed(
          TARGET,
          'token permissions',
          `the token's user may not push to ${input.repo} (pull only): comments and statuses would be refused`,
          `use ${TOKEN_NEEDS}`,
        ),
      );
    } else {
      checks.push(
        ok(
          TARGET,
          'token permissions',
          `fine-grained token or app token: GitHub does not report its permissions; it needs ${TOKEN_NEEDS}`,
        ),
      );
    }
    return checks;
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 401) {
      return [
        failed(
          TARGET,
          'token',
          'GitHub refused the token (HTTP 401: expired, revoked or mistyped)',
          `create a new token: ${TOKEN_NEEDS}`,
        ),
      ];
    }
    if (status === 404 || status === 403) {
      return [
        failed(
          TARGET,
          'repository',
          `GET /repos/${input.repo}: HTTP ${status} (the repository does not exist or the token cannot see it)`,
          `check the repository name, and give the token access to it: ${TOKEN_NEEDS}`,
        ),
      ];
    }
    return [
      failed(
        TARGET,
        'reachable',
        `GET /repos/${input.repo}: ${messageOf(error)}`,
        'check GITHUB_API_URL and that this network reaches GitHub',
      ),
    ];
  }
}
