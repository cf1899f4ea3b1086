import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline/promises';
import { promisify } from 'node:util';
import type { ConfigProblem } from '../errors.ts';
import { planFacts, planRecord, problemsMessage } from '../model/audit.ts';
import type { LoadedConfig } from '../model/documents.ts';
import type { Plan } from '../model/plan.ts';
import type { Inventory } from '../model/resource.ts';
import { describeHolder, type Lease } from '../ports/lock.ts';
import type { ResourceProvider } from '../ports/resource-provider.ts';
import type { SecretResolver } from '../ports/secret-resolver.ts';
import type { StateStore } from '../ports/state-store.ts';
import { type MakePlanDeps, makePlan } from '../use-cases/plan.ts';
import { DEFAULT_ENGINE } from '../wiring/engine.ts';
import { gitCommitOf, localActor, localContext } from '../wiring/local.ts';
import { createProviders } from '../wiring/providers.ts';
import { loadOrReport } from './load-or-report.ts';
import { EXIT, printProblems, progressPrinter } from './output.ts';

export const run = promisify(execFile);

/** The fields every audit record of a CLI command shares: a fresh id, now, the local actor. */
export function localAudit(environment: string) {
  return { id: randomUUID(), at: new Date().toISOString(), environment, actor: localActor() };
}

export async function withProviders<T>(
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

export interface PlanOptions {
  env: string;
  out?: string;
  json?: boolean;
  state?: string;
  commit?: string;
}

/** The plan use case's ports for a local run: the local store and secrets, the default engine and providers. */
export function localPlanDeps(context: { store: StateStore; secrets: SecretResolver }): MakePlanDeps {
  return { store: context.store, secrets: context.secrets, engine: DEFAULT_ENGINE, createProviders };
}

/** Plans a directory against live state. Returns the plan, or an exit code when it could not plan. */
export async function planDirectory(
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
  process.stderr.write(`planning environment "${options.env}" from ${dir}\n`);
  const result = await makePlan(localPlanDeps(context), {
    environment: options.env,
    config,
    source,
    progress: progressPrinter(),
  });
  if (!result.plan) printProblems(result.problems);
  await recordLocalPlan(context.store, options.env, source.commit, result);
  if (!result.plan) return EXIT.error;
  return { plan: result.plan, config, inventory: await context.store.getInventory(options.env) };
}

/**
 * The plan record of a local plan (`plan`, `apply DIR`, `drift`): `Denied` with the blocking problems, or
 * `Changes` / `NoChanges`.
 */
export async function recordLocalPlan(
  store: Pick<StateStore, 'appendAudit'>,
  environment: string,
  commit: string | undefined,
  result: { plan?: Plan; problems: readonly ConfigProblem[] },
): Promise<void> {
  if (!result.plan) {
    await store.appendAudit(
      planRecord('Denied', {
        ...localAudit(environment),
        commit: commit || undefined,
        summary: { problems: result.problems.filter((p) => p.severity !== 'warning').length },
        message: problemsMessage(result.problems),
      }),
    );
    return;
  }
  await store.appendAudit(
    planRecord(result.plan.changes.length > 0 ? 'Changes' : 'NoChanges', {
      ...localAudit(environment),
      commit: commit || undefined,
      ...planFacts(result.plan),
      summary: { ...result.plan.summary },
    }),
  );
}

/**
 * A plan that refuses a change cannot bring the platform to what git says: that is a plan error, not a plan
 * with fewer changes. Returns the error text (each refusal with its reason), or undefined when nothing was refused.
 */
export function refusalError(plan: Plan): string | undefined {
  if (plan.refused.length === 0) return undefined;
  const reasons = plan.refused.map(
    (r) =>
      `  ${r.kind} ${r.name} [${r.reason}]: ${r.message}${r.source ? `  (${r.source.file}:${r.source.line})` : ''}`,
  );
  return `plan error: ${plan.refused.length} change(s) refused; change git (or the platform) so that they can be made:\n${reasons.join('\n')}`;
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

export const baseCommit = (commit: string) => commit.replace(/\+dirty$/, '');

/** `exit code 128`, `signal SIGTERM`: how a child process ended, for messages. */
export function describeExit(failure: { code?: unknown; signal?: unknown }): string {
  if (typeof failure.signal === 'string' && failure.signal) return `signal ${failure.signal}`;
  return typeof failure.code === 'number' ? `exit code ${failure.code}` : String(failure.code ?? 'an unknown error');
}
