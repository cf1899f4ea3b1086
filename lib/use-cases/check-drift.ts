import { messageOf } from '../errors.ts';
import { auditId, driftRecord } from '../model/audit.ts';
import type { DriftReport } from '../ports/reporter.ts';
import type { PipelineDeps } from './deps.ts';
import { detectDrift } from './drift.ts';
import { loadEnvironmentConfig, planCommit } from './plan-commit.ts';
import { LIVE_STATUSES } from './plan-policy.ts';

export type DriftOutcome =
  | { environment: string; status: 'never-applied' }
  | { environment: string; status: 'caught-up'; commit: string; planIds: string[] }
  | { environment: string; status: 'in-sync'; commit: string; notified: boolean }
  | {
      environment: string;
      status: 'drifted';
      commit: string;
      report: DriftReport;
      notified: boolean;
      remediationPlanId?: string;
    }
  | { environment: string; status: 'failed'; message: string };

export type DriftDeps = Pick<
  PipelineDeps,
  | 'store'
  | 'locker'
  | 'git'
  | 'worker'
  | 'reporter'
  | 'notifier'
  | 'secrets'
  | 'createProviders'
  | 'engine'
  | 'now'
  | 'newId'
  | 'log'
  | 'settings'
>;

/** Remembered between runs: the digest of the last reported drift (empty when in sync). */
export const driftValueName = (environment: string): string => `drift/${environment}`;

interface DriftMemory {
  digest: string;
  commit: string;
  checkedAt: string;
  resources: number;
}

/**
 * The scheduled run for one environment (functions/drift, the `serve` drift timer; `landscape drift` shares
 * only `detectDrift`, the comparison of step 2):
 * 1. missed webhooks: when the environment's branch head is not the applied commit (and nothing planned it
 *    yet), plan that commit and apply it, as a push would have;
 * 2. otherwise plan the applied commit against live state (`detectDrift`); any change is drift, reported per field;
 * 3. notify only when the drift is new, changed or resolved (digest remembered in the StateStore);
 * 4. with `spec.drift.mode: remediate`, store the drift plan and send it through the same apply path.
 */
export async function checkDrift(
  deps: DriftDeps,
  target: { environment: string; repo?: string },
): Promise<DriftOutcome> {
  const { environment } = target;
  try {
    const applied = await deps.store.getApplied(environment);
    if (!applied) {
      deps.log.info('drift check skipped: environment never applied', { environment });
      return { environment, status: 'never-applied' };
    }
    const appliedPlan = await deps.store.getPlan(applied.planId);
    const repo = target.repo ?? appliedPlan?.plan.source.repo ?? deps.settings.defaultRepo;
    if (!repo) throw new Error(`no repository known for environment "${environment}"`);
    const root = await deps.git.checkout(repo, applied.commit);
    const loaded = await loadEnvironmentConfig(deps, root, environment);
    if (!loaded.config) throw new Error(`the applied commit "${applied.commit}" no longer loads`);
    const spec = loaded.config.environment.spec;

    // 1. Missed webhook: the branch moved and no plan exists for the new head.
    const head = await deps.git.resolveBranch(repo, spec.branch).catch((error: unknown) => {
      deps.log.warn('branch head not resolved', { environment, error: messageOf(error) });
      return undefined;
    });
    if (head && head !== applied.commit) {
      const plans = await deps.store.listPlans(environment, { limit: 50 });
      const known = plans.some((p) => p.plan.source.commit === head && LIVE_STATUSES.includes(p.status));
      if (!known) {
        deps.log.info('branch head not applied: planning it (missed webhook)', { environment, head });
        const outcomes = await planCommit(deps, {
          repo,
          commit: head,
          environments: [environment],
          trigger: 'drift',
          receivedAt: deps.now().toISOString(),
          actor: 'landscape-drift',
        });
        return {
          environment,
          status: 'caught-up',
          commit: head,
          planIds: outcomes.flatMap((o) => ('planId' in o ? [o.planId] : [])),
        };
      }
    }

    // 2. Drift of the applied commit.
    const detected = await detectDrift(deps, {
      environment,
      config: loaded.config,
      source: { repo, commit: applied.commit, ref: spec.branch },
      appliedCommit: applied.commit,
      actor: 'landscape-drift',
    });
    if (detected.status === 'invalid') {
      throw new Error(`the applied commit has ${detected.problems.length} configuration problem(s)`);
    }
    const { resources, digest, checkedAt } = detected;
    await deps.store.appendAudit(detected.record);
    const memory = await deps.store.getValue<DriftMemory>(driftValueName(environment));
    const changed = (memory?.digest ?? '') !== digest;
    const remember = () =>
      deps.store.putValue<DriftMemory>(driftValueName(environment), {
        digest,
        commit: applied.commit,
        checkedAt,
        resources: resources.length,
      });

    if (resources.length === 0) {
      const notified =
        changed &&
        (await notify(deps, { environment, commit: applied.commit, checkedAt, status: 'resolved', resources, digest }));
      // A failed notification keeps the old digest, so the next run tries again.
      if (!changed || notified) await remember();
      return { environment, status: 'in-sync', commit: applied.commit, notified };
    }

    // 4. Remediation through the same path as a push: store, supersede, apply (approval rules apply).
    let remediationPlanId: string | undefined;
    if (spec.drift.mode === 'remediate') {
      const outcomes = await planCommit(deps, {
        repo,
        commit: applied.commit,
        environments: [environment],
        trigger: 'drift',
        receivedAt: checkedAt,
        actor: 'landscape-drift',
      });
      remediationPlanId = outcomes.flatMap((o) => (o.status === 'planned' ? [o.planId] : []))[0];
    }
    const report: DriftReport = {
      environment,
      commit: applied.commit,
      checkedAt,
      status: 'drifted',
      resources,
      digest,
      ...(remediationPlanId ? { remediationPlanId } : {}),
    };
    const notified = changed && (await notify(deps, report));
    if (!changed || notified) await remember();
    deps.log.info('drift found', { environment, resources: resources.length, notified, remediationPlanId });
    return {
      environment,
      status: 'drifted',
      commit: applied.commit,
      report,
      notified,
      ...(remediationPlanId ? { remediationPlanId } : {}),
    };
  } catch (error) {
    const message = messageOf(error);
    deps.log.error('drift check failed', { environment, error: message });
    const at = deps.now().toISOString();
    await deps.store
      .appendAudit(
        driftRecord('Failed', {
          id: auditId.drift(at, environment, deps.newId()),
          at,
          environment,
          actor: 'landscape-drift',
          message,
        }),
      )
      .catch((auditError: unknown) =>
        deps.log.warn('drift failure not audited', { environment, error: messageOf(auditError) }),
      );
    return { environment, status: 'failed', message };
  }
}

async function notify(deps: Pick<PipelineDeps, 'notifier' | 'log'>, report: DriftReport): Promise<boolean> {
  try {
    await deps.notifier.notify(report);
    return true;
  } catch (error) {
    deps.log.warn('drift notification failed', { environment: report.environment, error: messageOf(error) });
    return false;
  }
}
