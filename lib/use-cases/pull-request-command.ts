import { messageOf } from '../errors.ts';
import { type PullRequestCommandJob, pullRequestValueName, type RememberedPullRequest } from '../model/job.ts';
import type { PullRequestRef } from '../ports/git-source.ts';
import type { PipelineSettings } from './deps.ts';
import { type PlanPullRequestDeps, planPullRequest } from './plan-pull-request.ts';

/** Landscape's answer to commands: one comment per pull request, updated in place. */
export const COMMAND_COMMENT_MARKER = '<!-- landscape:command -->';

const HELP = [
  'Commands (first line of a new comment, by an owner, organization member or collaborator):',
  '',
  '- `/landscape plan`: plan this pull request again against the live platform (the plan comment and the',
  '  check runs are updated), e.g. after someone changed the platform while the pull request was open.',
  '- `/landscape apply`: not a command here. Landscape applies what is merged, so review the plan and merge.',
  '- `/landscape help`: this text.',
].join('\n');

/**
 * The pull request's current head and base: from the git host's API where the git source has one (GitHub),
 * else from what the webhook remembered of its last pull_request event (its head; the base branch's tip now).
 */
async function lookUpPullRequest(
  deps: Pick<PlanPullRequestDeps, 'git' | 'store'>,
  job: PullRequestCommandJob,
): Promise<PullRequestRef | undefined> {
  if (deps.git.pullRequest) return deps.git.pullRequest(job.repo, job.number);
  const seen = await deps.store.getValue<RememberedPullRequest>(pullRequestValueName(job.repo, job.number));
  if (!seen) return undefined;
  const baseSha = seen.state === 'open' ? await deps.git.resolveBranch(job.repo, seen.baseRef) : seen.headSha;
  return { number: job.number, state: seen.state, headSha: seen.headSha, baseSha, baseRef: seen.baseRef };
}

/**
 * Runs a `/landscape …` comment command. `plan` looks up the pull request's current head and base (the
 * comment names neither: `lookUpPullRequest`) and plans it exactly as a push to the pull request would;
 * `apply` and `help` are answered with a comment. A closed pull request is not planned.
 */
export async function runPullRequestCommand(
  deps: PlanPullRequestDeps & { settings?: Pick<PipelineSettings, 'allowedBranches'> },
  job: PullRequestCommandJob,
): Promise<string> {
  const reply = async (text: string) => {
    try {
      await deps.reporter.commentOnPullRequest({
        repo: job.repo,
        number: job.number,
        marker: COMMAND_COMMENT_MARKER,
        body: `${COMMAND_COMMENT_MARKER}\n${text}`,
      });
    } catch (error) {
      deps.log.warn('command answer not posted', { number: job.number, error: messageOf(error) });
    }
  };
  if (job.command === 'help') {
    await reply(HELP);
    return 'help answered';
  }
  if (job.command === 'apply') {
    await reply(
      `@${job.actor} Landscape applies what is merged: merge this pull request and its plan is applied to every ` +
        'environment that deploys from the base branch. Nothing is applied from a pull request.',
    );
    return 'apply answered: merging applies';
  }
  const pr = await lookUpPullRequest(deps, job);
  if (!pr) {
    await reply(
      `Landscape has not seen #${job.number} yet: it reads configuration over plain git and learns a pull ` +
        'request from its webhook. Push a commit to the pull request (or close and reopen it) to plan it.',
    );
    return 'pull request not known: push a commit to plan it';
  }
  if (pr.state !== 'open') {
    await reply(`#${job.number} is closed: nothing to plan.`);
    return 'pull request closed';
  }
  // The comment named no branch, so the webhook could not apply its branch allowlist: do it here.
  const allowed = deps.settings?.allowedBranches ?? [];
  if (allowed.length > 0 && !allowed.includes(pr.baseRef)) {
    await reply(
      `#${job.number} targets \`${pr.baseRef}\`, which Landscape does not plan for (allowed: ${allowed.join(', ')}).`,
    );
    return `base branch ${pr.baseRef} not allowed`;
  }
  const results = await planPullRequest(deps, {
    type: 'plan-pull-request',
    id: job.id,
    receivedAt: job.receivedAt,
    actor: job.actor,
    deliveryId: job.deliveryId,
    repo: job.repo,
    number: job.number,
    headSha: pr.headSha,
    baseSha: pr.baseSha,
    baseRef: pr.baseRef,
  });
  return `re-planned ${pr.headSha.slice(0, 12)}: ${results.map((r) => `${r.environment}: ${r.conclusion}`).join(', ') || 'no environment'}`;
}
