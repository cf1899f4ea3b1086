import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { assertNever } from '../errors.ts';
import type { LoadedConfig } from '../model/documents.ts';
import type { ApplyReport, Plan } from '../model/plan.ts';
import { renderPlanText } from '../plan/render-plan.ts';
import { type ApplyPlanDeps, applyPlan, nothingToApply, recordApplyRefusal } from '../use-cases/apply.ts';
import { readPlanFile } from '../use-cases/plan-file.ts';
import { DEFAULT_ENGINE } from '../wiring/engine.ts';
import { localActor, localContext } from '../wiring/local.ts';
import { createProviders } from '../wiring/providers.ts';
import { baseCommit, confirm, describeExit, lockHeldMessage, planDirectory, refusalError, run } from './local-plan.ts';
import { EXIT, out, paintPlan, progressPrinter } from './output.ts';

function printReport(report: ApplyReport): void {
  if (report.refusal) {
    process.stderr.write(`apply refused (${report.refusal.code}): ${report.refusal.message}\n`);
    return;
  }
  for (const result of report.results) {
    const mark = result.outcome === 'Succeeded' ? 'ok  ' : result.outcome === 'Skipped' ? 'skip' : 'FAIL';
    out(`  ${mark} ${result.action.toLowerCase()} ${result.key}${result.message ? `: ${result.message}` : ''}`);
  }
  const count = (o: string) => report.results.filter((r) => r.outcome === o).length;
  out(
    `\nApply ${report.outcome}: ${count('Succeeded')} succeeded, ${count('Skipped')} skipped, ${count('Failed')} failed.`,
  );
}

interface ApplyOptions {
  env?: string;
  autoApprove?: boolean;
  approveDestructive?: boolean;
  /** Apply a plan of a commit older than the applied one (or one whose order cannot be told) on purpose. */
  rollback?: boolean;
  state?: string;
}

/**
 * Whether `older` is an ancestor of `newer` in the git repository at `repo`: 'ancestor', 'not-ancestor', or why
 * it cannot be told (the repository or a commit is not there).
 */
async function commitOrder(repo: string, older: string, newer: string): Promise<'ancestor' | 'not-ancestor' | string> {
  try {
    await run('git', ['-C', repo, 'merge-base', '--is-ancestor', older, newer]);
    return 'ancestor';
  } catch (error) {
    const failure = error as { code?: unknown; stderr?: unknown };
    if (failure.code === 1) return 'not-ancestor';
    const said = String(failure.stderr ?? '')
      .trim()
      .split('\n')[0];
    return said ? `git says: ${said}` : `git merge-base exited with ${describeExit(failure)}`;
  }
}

/**
 * Latest commit wins in the CLI as in the pipeline (ADR 0012): a plan made from an ancestor of the commit
 * already applied to the environment would bring back what the newer commit changed and move the applied commit
 * back. Such a plan, or one whose order against the applied commit cannot be told, is refused unless the caller
 * says `--rollback`. Returns the refusal message, or undefined when the plan may be applied.
 */
async function refuseOlderCommit(
  plan: Plan,
  applied: { commit: string; at: string } | undefined,
  options: { rollback?: boolean; repo?: string },
): Promise<string | undefined> {
  const planned = plan.source.commit;
  if (!applied || !planned) return undefined;
  const [p, a] = [baseCommit(planned), baseCommit(applied.commit)];
  if (p === a) return undefined;
  const repo = plan.source.repo ?? options.repo ?? process.cwd();
  const order = await commitOrder(repo, p, a);
  if (order === 'not-ancestor') return undefined;
  const env = plan.environment;
  if (options.rollback) {
    process.stderr.write(
      `rolling "${env}" back from applied commit ${a.slice(0, 12)} to commit ${p.slice(0, 12)} (--rollback)\n`,
    );
    return undefined;
  }
  if (order === 'ancestor') {
    return `the plan is of commit ${p.slice(0, 12)}, an ancestor of commit ${a.slice(0, 12)} applied to "${env}" at ${applied.at}: applying it would bring back what the newer commit changed. Plan the newer commit instead, or re-run with --rollback to roll "${env}" back to ${p.slice(0, 12)} on purpose`;
  }
  return `cannot tell whether commit ${p.slice(0, 12)} of the plan is newer than commit ${a.slice(0, 12)} applied to "${env}" at ${applied.at} (${order} in ${repo}): fetch both commits into that repository and apply again, or re-run with --rollback to apply it anyway`;
}

/** `landscape apply plan.json` or `landscape apply DIR --env E --auto-approve`. */
export async function applyCommand(target: string, options: ApplyOptions): Promise<number> {
  let plan: Plan;
  let config: LoadedConfig | undefined;
  const fromDirectory = options.env !== undefined;
  if (fromDirectory) {
    const made = await planDirectory(target, {
      env: options.env as string,
      ...(options.state ? { state: options.state } : {}),
    });
    if (typeof made === 'number') return made;
    plan = made.plan;
    config = made.config;
    out(paintPlan(renderPlanText(plan)));
    const error = refusalError(plan);
    if (error) {
      process.stderr.write(`${error}\nnothing applied\n`);
      return EXIT.error;
    }
    // A plan that only adopts still goes through apply: that records the adoption in the inventory. So does
    // one whose inventory holds the ownership journal of an apply that did not finish: apply reconciles it.
    if (nothingToApply(plan, made.inventory)) return EXIT.ok;
  } else {
    plan = readPlanFile(await readFile(target, 'utf8'), target);
    const error = refusalError(plan);
    if (error) {
      process.stderr.write(`${error}\nnothing applied\n`);
      return EXIT.error;
    }
  }
  const context = localContext(options.state, fromDirectory ? target : undefined);
  const deps: ApplyPlanDeps = {
    store: context.store,
    locker: context.locker,
    secrets: context.secrets,
    createProviders,
    engine: DEFAULT_ENGINE,
    now: () => new Date(),
    newId: randomUUID,
  };
  const actor = localActor();
  const refusal = await refuseOlderCommit(plan, await context.store.getApplied(plan.environment), {
    ...(options.rollback ? { rollback: true } : {}),
    ...(fromDirectory ? { repo: target } : {}),
  });
  if (refusal) {
    process.stderr.write(`apply refused (OlderCommit): ${refusal}\n`);
    await recordApplyRefusal(deps, { plan, actor, message: refusal });
    return EXIT.error;
  }
  let confirmed = false;
  if (fromDirectory && !options.autoApprove) {
    if (!(await confirm('\nApply these changes?'))) {
      process.stderr.write('not applied (pass --auto-approve to apply without asking)\n');
      return EXIT.error;
    }
    confirmed = true;
  }
  const outcome = await applyPlan(deps, {
    plan,
    actor,
    approval: {
      ...(confirmed ? { confirmed } : {}),
      ...(options.approveDestructive ? { destructive: 'with --approve-destructive' } : {}),
    },
    // Applying a plan file keeps what was published: the file holds no config.
    ...(config ? { config } : {}),
    progress: progressPrinter(),
    onStart: () =>
      process.stderr.write(
        `applying plan ${plan.hash.slice(0, 12)} to "${plan.environment}" (${plan.changes.length} changes)\n`,
      ),
  });
  switch (outcome.status) {
    case 'awaiting-approval':
      process.stderr.write(
        `the plan has ${outcome.destructive.length} destructive change(s) (${outcome.destructive
          .slice(0, 5)
          .map((c) => c.key)
          .join(', ')}) and environment "${plan.environment}" requires approval: re-run with --approve-destructive\n`,
      );
      return EXIT.error;
    case 'locked':
      process.stderr.write(`${lockHeldMessage(outcome.lease)}\n`);
      return EXIT.error;
    case 'applied':
      printReport(outcome.report);
      if (outcome.leaseLost) {
        process.stderr.write(`warning: ${outcome.leaseLost}\n`);
        return EXIT.error;
      }
      return outcome.report.outcome === 'Succeeded' ? EXIT.ok : EXIT.error;
    default:
      return assertNever(outcome, 'apply outcome');
  }
}
