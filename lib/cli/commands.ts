import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { appendAll, loadLandscape } from '../config/load-config.ts';
import { publishMonitorConfig } from '../config/published-config.ts';
import { sha256Hex } from '../engine/hash.ts';
import { hasPendingEntries } from '../engine/ownership-journal.ts';
import { planEnvironment, renderAndCheck } from '../engine/plan-environment.ts';
import { runApply } from '../engine/run-apply.ts';
import { ReconcilerError } from '../errors.ts';
import { applyRecord, approvalRecord, driftRecord, planFacts, planRecord, problemsMessage } from '../model/audit.ts';
import type { LoadedConfig } from '../model/documents.ts';
import { type ApplyReport, type FieldChange, PLAN_API_VERSION, type Plan, type PlannedChange } from '../model/plan.ts';
import type { Inventory } from '../model/resource.ts';
import { planHashMatches } from '../plan/compute-plan.ts';
import { exportDocuments } from '../plan/export-documents.ts';
import { renderPlanText, unmanagedLines } from '../plan/render-plan.ts';
import { describeHolder, type Lease } from '../ports/lock.ts';
import type { ResourceProvider } from '../ports/resource-provider.ts';
import type { SecretResolver } from '../ports/secret-resolver.ts';
import { requiresApproval } from '../use-cases/approve.ts';
import { gitCommitOf, localActor, localContext } from '../wiring/local.ts';
import { createProviders } from '../wiring/providers.ts';
import { loadOrReport } from './load-or-report.ts';
import { EXIT, printProblems, progressPrinter } from './output.ts';

const run = promisify(execFile);
const out = (text: string) => process.stdout.write(`${text}\n`);

/** The fields every audit record of a CLI command shares: a fresh id, now, the local actor. */
export function localAudit(environment: string) {
  return { id: randomUUID(), at: new Date().toISOString(), environment, actor: localActor() };
}

async function withProviders<T>(
  config: LoadedConfig,
  secrets: SecretResolver,
  fn: (providers: ResourceProvider[]) => Promise<T>,
): Promise<T> {
  const providers = await createProviders(config.environment.metadata.name, config.environment.spec, secrets);
  try {
    return await fn(providers);
  } finally {
    await Promise.allSettled(providers.map((p) => p.close()));
  }
}

/** `landscape validate DIR`: every document, every environment, renderers and governance checks; no live calls. */
export async function validateCommand(dir: string): Promise<number> {
  // One read of the tree for every environment (loadLandscape): the cost does not multiply with them.
  const { problems, environments, configs } = await loadLandscape(dir);
  for (const config of configs.values()) appendAll(problems, renderAndCheck(config).problems);
  printProblems(problems);
  const errors = problems.filter((p) => p.severity !== 'warning').length;
  if (errors > 0) return EXIT.error;
  out(
    `configuration is valid (${environments.length} environment${environments.length === 1 ? '' : 's'}: ${environments.join(', ') || 'none'})`,
  );
  return EXIT.ok;
}

interface PlanOptions {
  env: string;
  out?: string;
  json?: boolean;
  state?: string;
  commit?: string;
}

/** Plans a directory against live state. Returns the plan, or an exit code when it could not plan. */
async function makePlan(
  dir: string,
  options: PlanOptions,
): Promise<{ plan: Plan; config: LoadedConfig; inventory: Inventory } | number> {
  const config = await loadOrReport(dir, options.env);
  if (!config) return EXIT.error;
  const context = localContext(options.state, dir);
  const git = await gitCommitOf(dir);
  const source = {
    ...(git.repo ? { repo: git.repo } : {}),
    ...((options.commit ?? git.commit) ? { commit: options.commit ?? git.commit } : {}),
  };
  const inventory = await context.store.getInventory(options.env);
  process.stderr.write(`planning environment "${options.env}" from ${dir}\n`);
  const result = await withProviders(config, context.secrets, (providers) =>
    planEnvironment({ config, providers, inventory, source, progress: progressPrinter() }),
  );
  if (!result.plan) {
    printProblems(result.problems);
    await context.store.appendAudit(
      planRecord('Denied', {
        ...localAudit(options.env),
        commit: source.commit || undefined,
        summary: { problems: result.problems.filter((p) => p.severity !== 'warning').length },
        message: problemsMessage(result.problems),
      }),
    );
    return EXIT.error;
  }
  await context.store.appendAudit(
    planRecord(result.plan.changes.length > 0 ? 'Changes' : 'NoChanges', {
      ...localAudit(options.env),
      commit: source.commit || undefined,
      ...planFacts(result.plan),
      summary: { ...result.plan.summary },
    }),
  );
  return { plan: result.plan, config, inventory };
}

/**
 * A plan that refuses a change cannot bring the platform to what git says: that is a plan error, not a plan
 * with fewer changes. Returns the error text (each refusal with its reason), or undefined when nothing was refused.
 */
function refusalError(plan: Plan): string | undefined {
  if (plan.refused.length === 0) return undefined;
  const reasons = plan.refused.map(
    (r) =>
      `  ${r.kind} ${r.name} [${r.reason}]: ${r.message}${r.source ? `  (${r.source.file}:${r.source.line})` : ''}`,
  );
  return `plan error: ${plan.refused.length} change(s) refused; change git (or the platform) so that they can be made:\n${reasons.join('\n')}`;
}

/**
 * `landscape plan DIR --env E [--out plan.json] [--json]`: exit 0 no changes, 2 changes, 1 error (invalid
 * configuration, or a change the plan refuses; then no plan file is written).
 */
export async function planCommand(dir: string, options: PlanOptions): Promise<number> {
  const made = await makePlan(dir, options);
  if (typeof made === 'number') return made;
  const { plan } = made;
  const error = refusalError(plan);
  if (options.out && !error) await writeFile(options.out, `${JSON.stringify(plan, null, 2)}\n`);
  out(options.json ? JSON.stringify(plan, null, 2) : renderPlanText(plan));
  if (error) {
    process.stderr.write(`${error}\n${options.out ? `no plan written to ${options.out}\n` : ''}`);
    return EXIT.error;
  }
  if (options.out && !options.json)
    out(`\nplan written to ${options.out}; apply it with: landscape apply ${options.out}`);
  return plan.changes.length > 0 ? EXIT.changes : EXIT.ok;
}

/** Who holds the environment, until when, and how to release it if that apply is gone. */
export function lockHeldMessage(lease: Lease): string {
  return (
    `environment "${lease.environment}" is locked by ${describeHolder(lease)} until ${lease.expiresAt}.\n` +
    `If that apply is no longer running (it crashed or was killed), release the lock with: landscape unlock --env ${lease.environment}`
  );
}

/** Asks a yes/no question on the terminal; false without a terminal (scripts pass a flag instead). */
export async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await rl.question(`${question} [yes/no] `);
  rl.close();
  return answer.trim().toLowerCase() === 'yes';
}

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

const baseCommit = (commit: string) => commit.replace(/\+dirty$/, '');

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

/** `exit code 128`, `signal SIGTERM`: how a child process ended, for messages. */
function describeExit(failure: { code?: unknown; signal?: unknown }): string {
  if (typeof failure.signal === 'string' && failure.signal) return `signal ${failure.signal}`;
  return typeof failure.code === 'number' ? `exit code ${failure.code}` : String(failure.code ?? 'an unknown error');
}

/** `landscape apply plan.json` or `landscape apply DIR --env E --auto-approve`. */
export async function applyCommand(target: string, options: ApplyOptions): Promise<number> {
  let plan: Plan;
  let config: LoadedConfig | undefined;
  let approvedInteractively = false;
  const fromDirectory = options.env !== undefined;
  if (fromDirectory) {
    const made = await makePlan(target, {
      env: options.env as string,
      ...(options.state ? { state: options.state } : {}),
    });
    if (typeof made === 'number') return made;
    plan = made.plan;
    config = made.config;
    out(renderPlanText(plan));
    const error = refusalError(plan);
    if (error) {
      process.stderr.write(`${error}\nnothing applied\n`);
      return EXIT.error;
    }
    // A plan that only adopts still goes through apply: that records the adoption in the inventory. So does
    // one whose inventory holds the ownership journal of an apply that did not finish: apply reconciles it.
    if (plan.changes.length === 0 && plan.adopted.length === 0 && !hasPendingEntries(made.inventory)) return EXIT.ok;
  } else {
    plan = JSON.parse(await readFile(target, 'utf8')) as Plan;
    if (plan.apiVersion !== PLAN_API_VERSION) {
      throw new ReconcilerError(
        'BadRequest',
        `"${target}" is not a plan of this version (apiVersion ${String(plan.apiVersion)}, expected ${PLAN_API_VERSION})`,
      );
    }
    // The hash is what approvals and audit records name: a file changed after planning is not that plan.
    if (!planHashMatches(plan, sha256Hex)) {
      throw new ReconcilerError(
        'BadRequest',
        `"${target}" was changed after it was planned (its content no longer matches hash ${String(plan.hash).slice(0, 12)}): plan again with landscape plan --out`,
      );
    }
    const error = refusalError(plan);
    if (error) {
      process.stderr.write(`${error}\nnothing applied\n`);
      return EXIT.error;
    }
  }
  const context = localContext(options.state, fromDirectory ? target : undefined);
  const refusal = await refuseOlderCommit(plan, await context.store.getApplied(plan.environment), {
    ...(options.rollback ? { rollback: true } : {}),
    ...(fromDirectory ? { repo: target } : {}),
  });
  if (refusal) {
    process.stderr.write(`apply refused (OlderCommit): ${refusal}\n`);
    await context.store.appendAudit(
      applyRecord('Refused', {
        ...localAudit(plan.environment),
        commit: plan.source.commit || undefined,
        planHash: plan.hash,
        message: refusal,
      }),
    );
    return EXIT.error;
  }
  if (fromDirectory && !options.autoApprove) {
    if (!(await confirm('\nApply these changes?'))) {
      process.stderr.write('not applied (pass --auto-approve to apply without asking)\n');
      return EXIT.error;
    }
    approvedInteractively = true;
  }
  const destructive = plan.changes.filter((c) => c.destructive);
  const policy = plan.target.requireApprovalFor;
  const approvalRequired = requiresApproval(plan, policy);
  if (approvalRequired && !options.approveDestructive) {
    process.stderr.write(
      `the plan has ${destructive.length} destructive change(s) (${destructive
        .slice(0, 5)
        .map((c) => c.key)
        .join(', ')}) and environment "${plan.environment}" requires approval: re-run with --approve-destructive\n`,
    );
    return EXIT.error;
  }
  // The config being applied becomes the environment's published one: its AuditSinks receive this apply's
  // records and every later one. (Applying a plan file keeps what was published: the file holds no config.)
  if (config)
    await publishMonitorConfig(context.store, config, plan.source.commit ? { commit: plan.source.commit } : {});
  // An approval is recorded whenever someone approved: the environment's policy asked for it, or a person
  // answered "yes" at the prompt.
  if ((approvalRequired && options.approveDestructive) || approvedInteractively) {
    await context.store.appendAudit(
      approvalRecord({
        ...localAudit(plan.environment),
        commit: plan.source.commit || undefined,
        ...planFacts(plan),
        message: approvedInteractively
          ? 'approved at the prompt'
          : `approved with --approve-destructive (requireApprovalFor: ${policy})`,
      }),
    );
  }
  const providers = await createProviders(plan.environment, plan.target, context.secrets);
  try {
    process.stderr.write(
      `applying plan ${plan.hash.slice(0, 12)} to "${plan.environment}" (${plan.changes.length} changes)\n`,
    );
    const result = await runApply({
      plan,
      store: context.store,
      locker: context.locker,
      providers,
      secrets: context.secrets,
      actor: localActor(),
      now: () => new Date(),
      progress: progressPrinter(),
    });
    if (result.status === 'locked') {
      process.stderr.write(`${lockHeldMessage(result.lease)}\n`);
      return EXIT.error;
    }
    printReport(result.report);
    if (result.leaseLost) {
      process.stderr.write(`warning: ${result.leaseLost}\n`);
      return EXIT.error;
    }
    return result.report.outcome === 'Succeeded' ? EXIT.ok : EXIT.error;
  } finally {
    await Promise.allSettled(providers.map((p) => p.close()));
  }
}

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
    const made = await makePlan(source.configDir, {
      env: options.env,
      ...(options.state ? { state: options.state } : {}),
      ...(source.commit ? { commit: source.commit } : {}),
    });
    if (typeof made === 'number') return made;
    const { plan } = made;
    const grants = plan.unmanagedGrants ?? [];
    const drifted = plan.changes.length + plan.refused.length + grants.length;
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
    await context.store.appendAudit(
      driftRecord(drifted > 0 ? 'Drifted' : 'InSync', {
        ...localAudit(options.env),
        commit: applied?.commit,
        ...planFacts(plan),
        summary: { ...plan.summary, unmanagedGrants: grants.length },
      }),
    );
    return drifted > 0 ? EXIT.changes : EXIT.ok;
  } finally {
    if (source.temporary) await rm(source.temporary, { recursive: true, force: true });
  }
}

/** `landscape export DIR --env E --out OUT`: writes YAML that reproduces the live platform (plans to no changes). */
export async function exportCommand(
  dir: string,
  options: { env: string; out: string; state?: string },
): Promise<number> {
  const config = await loadOrReport(dir, options.env);
  if (!config) return EXIT.error;
  const context = localContext(options.state, dir);
  const observed = await withProviders(config, context.secrets, async (providers) =>
    (await Promise.all(providers.map((p) => p.observe([], { progress: progressPrinter() })))).flat(),
  );
  // The inventory holds what the platform cannot reveal (the secret references user passwords were set
  // from): without it an exported user would re-plan as "password changed".
  const inventory = await context.store.getInventory(options.env);
  const files = exportDocuments(observed, config.environment.spec, inventory);
  await mkdir(options.out, { recursive: true });
  const environmentDoc = {
    apiVersion: config.environment.apiVersion,
    kind: 'Environment',
    metadata: { name: config.environment.metadata.name },
    spec: config.environment.spec,
  };
  await writeFile(join(options.out, 'environment.yaml'), stringify(environmentDoc));
  let count = 0;
  for (const [file, documents] of files) {
    count += documents.length;
    await writeFile(join(options.out, file), documents.map((d) => stringify(d)).join('---\n'));
  }
  out(`exported ${count} document(s) from "${options.env}" to ${options.out}: ${[...files.keys()].join(', ')}`);
  const users = observed.filter((r) => r.kind === 'User' && r.protectedBy === undefined);
  const placeholders = users.filter((r) => inventory[r.key]?.secretDigest === undefined).length;
  if (placeholders > 0)
    out(
      `note: ${placeholders} SCRAM user(s) exported with placeholder secret references (passwords cannot be read back); point them at your secrets.`,
    );
  const reserved = observed.filter((r) => r.protectedBy !== undefined);
  if (reserved.length > 0)
    out(
      `note: not exported (protected, never managed): ${reserved.map((r) => `${r.kind} "${r.name}" (${r.protectedBy})`).join(', ')}`,
    );
  return EXIT.ok;
}
