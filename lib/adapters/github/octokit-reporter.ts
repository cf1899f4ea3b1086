import type { Octokit } from '@octokit/rest';
import { AdapterError } from '../../errors.ts';
import type {
  CheckRunInput,
  CommitStatusInput,
  GitHubReporter,
  PullRequestCommentInput,
} from '../../ports/reporter.ts';

const MAX_TEXT = 65_000;
const ANNOTATIONS_PER_REQUEST = 50;

/**
 * GitHubReporter over the REST API (@octokit/rest): check runs with annotations at file:line, one PR
 * comment per marker updated in place, commit statuses. Needs `checks:write`, `pull_requests:write` (or
 * `issues:write`) and `statuses:write`; check runs need a GitHub App token.
 */
export class OctokitGitHubReporter implements GitHubReporter {
  readonly #octokit: Octokit;

  constructor(octokit: Octokit) {
    this.#octokit = octokit;
  }

  async createCheckRun(input: CheckRunInput): Promise<void> {
    const { owner, repo } = split(input.repo);
    const annotations = input.annotations.map((a) => ({
      path: a.path,
      start_line: a.startLine,
      end_line: a.endLine,
      annotation_level: a.level,
      message: a.message,
      ...(a.title ? { title: a.title } : {}),
    }));
    await call(`creating check run "${input.name}" on ${input.repo}`, async () => {
      const { data } = await this.#octokit.rest.checks.create({
        owner,
        repo,
        name: input.name,
        head_sha: input.headSha,
        status: 'completed',
        conclusion: input.conclusion,
        output: {
          title: input.title.slice(0, 255),
          summary: input.summary.slice(0, MAX_TEXT),
          annotations: annotations.slice(0, ANNOTATIONS_PER_REQUEST),
        },
      });
      // GitHub takes 50 annotations per request; the rest go in updates of the same run.
      for (let i = ANNOTATIONS_PER_REQUEST; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) {
        await this.#octokit.rest.checks.update({
          owner,
          repo,
          check_run_id: data.id,
          output: {
            title: input.title.slice(0, 255),
            summary: input.summary.slice(0, MAX_TEXT),
            annotations: annotations.slice(i, i + ANNOTATIONS_PER_REQUEST),
          },
        });
      }
    });
  }

  async commentOnPullRequest(input: PullRequestCommentInput): Promise<void> {
    const { owner, repo } = split(input.repo);
    const body = input.body.includes(input.marker) ? input.body : `${input.marker}\n${input.body}`;
    await call(`commenting on ${input.repo}#${input.number}`, async () => {
      const comments = await this.#octokit.paginate(this.#octokit.rest.issues.listComments, {
        owner,
        repo,
        issue_number: input.number,
        per_page: 100,
      });
      const mine = comments.find((c) => c.body?.includes(input.marker));
      if (mine) {
        await this.#octokit.rest.issues.updateComment({
          owner,
          repo,
          comment_id: mine.id,
          body: body.slice(0, MAX_TEXT),
        });
      } else {
        await this.#octokit.rest.issues.createComment({
          owner,
          repo,
          issue_number: input.number,
          body: body.slice(0, MAX_TEXT),
        });
      }
    });
  }

  async setCommitStatus(input: CommitStatusInput): Promise<void> {
    const { owner, repo } = split(input.repo);
    await call(`setting status "${input.context}" on ${input.repo}@${input.sha.slice(0, 7)}`, async () => {
      await this.#octokit.rest.repos.createCommitStatus({
        owner,
        repo,
        sha: input.sha,
        state: input.state,
        context: input.context,
        description: input.description.slice(0, 140),
        ...(input.targetUrl ? { target_url: input.targetUrl } : {}),
      });
    });
  }
}

function split(fullName: string): { owner: string; repo: string } {
  const [owner = '', repo = ''] = fullName.split('/');
  return { owner, repo };
}

async function call(doing: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (error) {
    const status = (error as { status?: number }).status;
    throw new AdapterError(`${doing}: ${status ? `GitHub answered ${status}` : String(error)}`, {
      cause: error,
      retryable: status === undefined || status >= 500 || status === 429,
    });
  }
}
