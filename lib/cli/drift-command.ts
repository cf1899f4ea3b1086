import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ReconcilerError } from '../errors.ts';
import type { FieldChange, PlannedChange } from '../model/plan.ts';
import { unmanagedLines } from '../plan/render-plan.ts';
import { detectDrift } from '../use-cases/drift.ts';
import { gitCommitOf, localActor, localContext } from '../wiring/local.ts';
import { loadOrReport } from './load-or-report.ts';
import { describeExit, localPlanDeps, recordLocalPlan, run } from './local-plan.ts';
import { EXIT, out, printProblems, progressPrinter } from './output.ts';

/** Where the config to check for drift comes from, and what to tell the user about it. */
interface DriftSource {
  configDir: string;
  /** The commit `configDir` holds, when it is the applied commit (else DIR is compared as it is). */
  commit?: string;
  /** A temporary checkout of the applied commit, removed when the check ends. */
  temporary?: string;
  notice?: string;
}

/**
 * The configuration drift compares with live: the applied commit when it can be read from DIR's repository
 * (checked out into a temporary directory when DIR's HEAD moved on), else DIR as it is, saying why.
 */
async function driftSource(
  dir: string,
  env: string,
  applied: { commit: string } | undefined,
  store: { listAudit(environment: string, limit?: number): Promise<{ type: string; outcome: string }[]> },
): Promise<DriftSource> {
  const git = await gitCommitOf(dir);
  if (!git.commit || !git.repo) {
    if (applied) {
      return {
        configDir: dir,
        notice: `${dir} is not a git checkout, so applied commit ${applied.commit.slice(0, 12)} cannot be read from it: comparing ${dir} as it is now with live (run drift in a checkout of the repository to compare with the applied commit)`,
      };
    }
    const applies = (await store.listAudit(env, 50)).filter((r) => r.type === 'apply' && r.outcome !== 'Refused');
    return {
      configDir: dir,
      notice:
        applies.length > 0
          ? `"${env}" was applied through this state directory, but from a directory that is not a git checkout, so no applied commit was recorded and drift cannot tell which configuration was applied: comparing ${dir} as it is now with live (apply and check drift from a git checkout to compare with the applied commit)`
          : `nothing applied to "${env}" yet through this state directory: comparing ${dir} with live`,
    };
  }
  if (!applied) {
    return {
      configDir: dir,
      notice: `nothing applied to "${env}" yet through this state directory: comparing ${dir} with live`,
    };
  }
  if (applied.commit === git.commit) return { configDir: dir, commit: applied.commit };
  if (applied.commit.endsWith('+dirty')) {
    return {
      configDir: dir,
      notice: `applied commit ${applied.commit.slice(0, 12)} had uncommitted edits (+dirty), which git does not keep: comparing ${dir} as it is now with live`,
    };
  }
  const temporary = await mkdtemp(join(tmpdir(), 'landscape-drift-'));
  try {
    const archive = join(temporary, 'applied.tar');
    await gitOrExplain(['-C', git.repo, 'archive', '--format=tar', '-o', archive, applied.commit], {
      doing: `reading applied commit ${applied.commit.slice(0, 12)} from ${git.repo}`,
    });
    await gitOrExplain(['-x', '-f', archive, '-C', temporary], {
      command: 'tar',
      doing: 'unpacking the applied commit',
    });
    await rm(archive);
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
  const relative = resolve(dir).slice(git.repo.length + 1);
  return {
    configDir: relative ? join(temporary, relative) : temporary,
    commit: applied.commit,
    temporary,
    notice: `checking drift against applied commit ${applied.commit.slice(0, 12)}`,
  };
}

/** Runs git (or `command`); a failure says what it was doing and what the tool said, or how it ended. */
async function gitOrExplain(args: string[], options: { doing: string; command?: string }): Promise<void> {
  try {
    await run(options.command ?? 'git', args);
  } catch (error) {
    const failure = error as { stderr?: unknown; code?: unknown; signal?: unknown };
    const said = String(failure.stderr ?? '')
      .trim()
      .split('\n')
      .slice(-2)
      .join(' ');
    throw new ReconcilerError(
      'BadRequest',
      `${options.doing}: ${said ? `${options.command ?? 'git'} says: ${said}` : `${options.command ?? 'git'} ended with ${describeExit(failure)}`}`,
      { cause: error },
    );
  }
}

/** One drift line per differing field, saying what git declares and what runs (never "null"). */
function driftFieldLine(change: PlannedChange, field: FieldChange): string {
  const where = `  changed  ${change.kind} ${change.name} ${field.path}: `;
  if (field.secret) return `${where}git and live differ (secret values not shown)`;
  const live = field.before === undefined ? 'live does not set it' : `live is ${JSON.stringify(field.before)}`;
  if (field.after === undefined) {
    const fallback = field.resetTo !== undefined ? ` (its default is ${JSON.stringify(field.resetTo)})` : '';
    return `${where}git no longer sets it${fallback}, ${live}`;
  }
  return `${where}git says ${JSON.stringify(field.after)}, ${live}`;
}

/**
 * `landscape drift DIR --env E`: the last applied commit planned against live. When DIR is a git work tree
 * whose HEAD moved on, the applied commit is checked out into a temporary directory first (removed afterwards).
 * Drift is every change apply would make, every change the plan refuses (live moved where apply cannot follow,
 * e.g. partitions added out of band) and every unmanaged grant that reaches managed topics: exit 2.
 */
export async function driftCommand(
  dir: string,
  options: { env: string; state?: string; json?: boolean },
): Promise<number> {
  const context = localContext(options.state, dir);
  const applied = await context.store.getApplied(options.env);
  const source = await driftSource(dir, options.env, applied, context.store);
  try {
    if (source.notice) process.stderr.write(`${source.notice}\n`);
    const config = await loadOrReport(source.configDir, options.env);
    if (!config) return EXIT.error;
    // Secrets are read relative to the configuration drift compares (the temporary checkout, when there is one).
    const planContext = localContext(options.state, source.configDir);
    const git = await gitCommitOf(source.configDir);
    const commit = source.commit ?? git.commit;
    const planSource = { ...(git.repo ? { repo: git.repo } : {}), ...(commit ? { commit } : {}) };
    const actor = localActor();
    process.stderr.write(`planning environment "${options.env}" from ${source.configDir}\n`);
    const detected = await detectDrift(
      { ...localPlanDeps(planContext), now: () => new Date(), newId: randomUUID },
      {
        environment: options.env,
        config,
        source: planSource,
        ...(applied ? { appliedCommit: applied.commit } : {}),
        actor,
        progress: progressPrinter(),
      },
    );
    if (detected.status === 'invalid') printProblems(detected.problems);
    // The plan record every local plan writes (`landscape audit` lists it before the drift record).
    await recordLocalPlan(
      context.store,
      options.env,
      commit,
      detected.status === 'invalid' ? { problems: detected.problems } : { plan: detected.plan, problems: [] },
    );
    if (detected.status === 'invalid') return EXIT.error;
    const { plan } = detected;
    await context.store.appendAudit(detected.record);
    const grants = plan.unmanagedGrants ?? [];
    // Every change, refusal and unmanaged grant: the same count the scheduled check reports.
    const drifted = detected.resources.length;
    if (options.json) {
      out(
        JSON.stringify(
          {
            drift: drifted > 0,
            changes: plan.changes,
            refused: plan.refused,
            unmanagedGrants: grants,
            unmanaged: plan.unmanaged,
          },
          null,
          2,
        ),
      );
    } else {
      const against = source.commit ? `commit ${source.commit.slice(0, 12)}` : dir;
      if (drifted === 0) out(`No drift: "${options.env}" matches ${against}.`);
      else {
        out(`Drift in "${options.env}": ${drifted} resource(s) differ from ${against}.`);
        for (const change of plan.changes) {
          if (change.action === 'Create') out(`  missing  ${change.kind} ${change.name}: in git, not on the platform`);
          else if (change.action === 'Delete')
            out(`  extra    ${change.kind} ${change.name}: created by Landscape, gone from git`);
          else for (const field of change.fields) out(driftFieldLine(change, field));
        }
        for (const r of plan.refused) out(`  refused  ${r.kind} ${r.name} [${r.reason}]: ${r.message}`);
      }
      const unmanaged = unmanagedLines(plan);
      if (unmanaged.length > 0) out(['', ...unmanaged].join('\n'));
      const advice = [
        ...(plan.changes.length > 0
          ? ['Run `landscape apply` to restore the declared state, or update git to accept the live values.']
          : []),
        ...(plan.refused.length > 0
          ? ['Refused changes cannot be applied: update git to match the platform there.']
          : []),
        ...(grants.length > 0 ? ['Declare the unmanaged grants in git, or remove them from the cluster.'] : []),
      ];
      if (advice.length > 0) out(['', ...advice].join('\n'));
    }
    return drifted > 0 ? EXIT.changes : EXIT.ok;
  } finally {
    if (source.temporary) await rm(source.temporary, { recursive: true, force: true });
  }
}
