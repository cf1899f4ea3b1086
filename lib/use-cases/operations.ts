import { ReconcilerError } from '../errors.ts';
import { approvalRecord, auditId, lockRecord, planFacts } from '../model/audit.ts';
import type { EnvironmentJob } from '../model/job.ts';
import { describeHolder, type Lease } from '../ports/lock.ts';
import type { AppliedPointer, AuditRecord, StoredPlan } from '../ports/state-store.ts';
import type { PipelineDeps } from './deps.ts';
import { checkEnvironment, ENVIRONMENT_INDEX, OPEN_STATUSES } from './plan-policy.ts';
import { canonicalRepo, submitJob } from './receive-webhook.ts';

/**
 * The operator API's use cases (functions/api, `landscape serve` /api). Each returns plain data; user
 * failures are `ReconcilerError` (mapped to 4xx by functions/shared).
 */

const SHA = /^[0-9a-f]{40}$/;

/** `POST /reapply {environment, commit?, repo?}`: plan and apply again (a commit, or the branch head). */
export async function requestReapply(
  deps: Pick<PipelineDeps, 'store' | 'worker' | 'now' | 'newId' | 'log'>,
  body: { environment?: unknown; commit?: unknown; repo?: unknown },
  actor: string,
): Promise<{ jobId: string; environment: string; commit?: string }> {
  const environment = checkEnvironment(body.environment);
  if (body.commit !== undefined && (typeof body.commit !== 'string' || !SHA.test(body.commit))) {
    throw new ReconcilerError('BadRequest', 'commit must be a full 40-character lower-case SHA');
  }
  if (body.repo !== undefined && (typeof body.repo !== 'string' || !/^[\w.-]+\/[\w.-]+$/.test(body.repo))) {
    throw new ReconcilerError('BadRequest', 'repo must look like "owner/name"');
  }
  const job: EnvironmentJob = {
    type: 'plan-environment',
    id: deps.newId(),
    receivedAt: deps.now().toISOString(),
    actor,
    environment,
    trigger: 'reapply',
    ...(typeof body.repo === 'string' ? { repo: canonicalRepo(body.repo) } : {}),
    ...(typeof body.commit === 'string' ? { commit: body.commit } : {}),
  };
  await submitJob(deps, job);
  deps.log.info('reapply requested', { environment, commit: job.commit, actor, jobId: job.id });
  return { jobId: job.id, environment, ...(job.commit ? { commit: job.commit } : {}) };
}

/**
 * `POST /plans/{id}/approve {planHash?}`: binds an approval to the plan's hash and starts the apply.
 * When the caller names the hash it reviewed, it must match (the plan it saw is the plan that runs).
 */
export async function approvePlan(
  deps: Pick<PipelineDeps, 'store' | 'worker' | 'now' | 'log'>,
  id: string,
  body: { planHash?: unknown },
  actor: string,
): Promise<StoredPlan> {
  const stored = await deps.store.getPlan(id);
  if (!stored) throw new ReconcilerError('PlanNotFound', `plan "${id}" does not exist`);
  if (body.planHash !== undefined && body.planHash !== stored.plan.hash) {
    throw new ReconcilerError('Conflict', `plan "${id}" has hash "${stored.plan.hash}", not the one approved`);
  }
  if (stored.status === 'Approved') {
    // Approving again re-sends the apply: the first approval may have been stored while its invoke failed.
    // The apply path runs a plan once, so a second invoke of an applied plan is a no-op.
    await deps.worker.invokeApply({ environment: stored.plan.environment, planId: id });
    return stored;
  }
  if (stored.status === 'Superseded') {
    throw new ReconcilerError(
      'PlanSuperseded',
      `plan "${id}" was superseded by a newer commit; approve the newer plan`,
    );
  }
  if (stored.status !== 'Planned') {
    throw new ReconcilerError('PlanAlreadyApplied', `plan "${id}" is ${stored.status}; plans are single-use`);
  }
  const at = deps.now().toISOString();
  const approval = { by: actor, at, planHash: stored.plan.hash };
  if (!(await deps.store.updatePlanStatus(id, ['Planned'], 'Approved', { approval }))) {
    throw new ReconcilerError('Conflict', `plan "${id}" changed status while approving; read it again`);
  }
  await deps.store.appendAudit(
    approvalRecord({
      id: auditId.approval(id),
      at,
      environment: stored.plan.environment,
      actor,
      commit: stored.plan.source.commit || undefined,
      ...planFacts(stored.plan),
    }),
  );
  deps.log.info('plan approved', { planId: id, actor, planHash: stored.plan.hash });
  await deps.worker.invokeApply({ environment: stored.plan.environment, planId: id });
  return { ...stored, status: 'Approved', approval };
}

export async function getPlan(deps: Pick<PipelineDeps, 'store'>, id: string): Promise<StoredPlan> {
  const stored = await deps.store.getPlan(id);
  if (!stored) throw new ReconcilerError('PlanNotFound', `plan "${id}" does not exist`);
  return stored;
}

export interface EnvironmentStatus {
  environment: string;
  applied?: AppliedPointer;
  lock?: Lease;
  pending: { id: string; status: string; commit?: string; createdAt: string }[];
  lastPlans: { id: string; status: string; commit?: string; createdAt: string; trigger: string; outcome?: string }[];
  drift?: unknown;
}

/** `GET /status[?environment=]`: applied commit, open plans, last runs, lock and drift memory per environment. */
export async function getStatus(
  deps: Pick<PipelineDeps, 'store' | 'locker'>,
  environment?: string,
): Promise<{ environments: EnvironmentStatus[] }> {
  const names = environment
    ? [checkEnvironment(environment)]
    : ((await deps.store.getValue<string[]>(ENVIRONMENT_INDEX)) ?? []);
  const leases = await deps.locker.list();
  const environments: EnvironmentStatus[] = [];
  for (const name of names) {
    const plans = await deps.store.listPlans(name, { limit: 20 });
    const applied = await deps.store.getApplied(name);
    const lock = leases.find((l) => l.environment === name);
    const drift = await deps.store.getValue<unknown>(`drift/${name}`);
    environments.push({
      environment: name,
      ...(applied ? { applied } : {}),
      ...(lock ? { lock } : {}),
      pending: plans
        .filter((p) => OPEN_STATUSES.includes(p.status) || p.status === 'Applying')
        .map((p) => ({ id: p.id, status: p.status, createdAt: p.createdAt, ...commitOf(p) })),
      lastPlans: plans.slice(0, 10).map((p) => ({
        id: p.id,
        status: p.status,
        createdAt: p.createdAt,
        trigger: p.trigger,
        ...commitOf(p),
        ...(p.report ? { outcome: p.report.outcome } : {}),
      })),
      ...(drift !== undefined ? { drift } : {}),
    });
  }
  return { environments };
}

const commitOf = (p: StoredPlan) => (p.plan.source.commit ? { commit: p.plan.source.commit } : {});

export async function listLocks(deps: Pick<PipelineDeps, 'locker'>): Promise<{ locks: Lease[] }> {
  return { locks: await deps.locker.list() };
}

/** `DELETE /locks/{environment}`: operator action, audited. */
export async function breakLock(
  deps: Pick<PipelineDeps, 'locker' | 'store' | 'now' | 'log'>,
  environment: string,
  actor: string,
): Promise<{ environment: string; broken: boolean }> {
  const name = checkEnvironment(environment);
  const held = (await deps.locker.list()).find((lease) => lease.environment === name);
  const broken = await deps.locker.breakLock(name);
  if (!broken) throw new ReconcilerError('NotFound', `environment "${name}" holds no lock`);
  const at = deps.now().toISOString();
  await deps.store.appendAudit(
    lockRecord('Broken', {
      id: auditId.lock(at, name),
      at,
      environment: name,
      actor,
      message: held ? `released the lock held by ${describeHolder(held)} until ${held.expiresAt}` : undefined,
    }),
  );
  deps.log.warn('lock broken by operator', { environment: name, actor });
  return { environment: name, broken };
}

/** `GET /audit?environment=E&limit=N`: the newest audit records of an environment, newest first. */
export async function listAuditRecords(
  deps: Pick<PipelineDeps, 'store'>,
  environment: string | undefined,
  limit: string | undefined,
): Promise<{ environment: string; records: AuditRecord[]; skipped?: number }> {
  const name = checkEnvironment(environment);
  const n = limit === undefined ? 50 : Number(limit);
  if (!Number.isInteger(n) || n < 1 || n > 500) {
    throw new ReconcilerError('BadRequest', 'limit must be a whole number from 1 to 500');
  }
  let skipped = 0;
  const records = await deps.store.listAudit(name, n, {
    onSkipped: (damaged) => {
      skipped = damaged.count;
    },
  });
  // Damaged records (a line cut short by a crash) are skipped, never fatal: the count says that some are.
  return { environment: name, records, ...(skipped > 0 ? { skipped } : {}) };
}
