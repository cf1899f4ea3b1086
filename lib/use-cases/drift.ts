import { createHash } from 'node:crypto';
import type { ConfigProblem } from '../errors.ts';
import { auditId, type DriftAuditRecord, driftRecord, planFacts } from '../model/audit.ts';
import type { LoadedConfig } from '../model/documents.ts';
import type { Plan } from '../model/plan.ts';
import { canonicalJson } from '../plan/canonical-json.ts';
import type { DriftedResource } from '../ports/reporter.ts';
import type { ProgressListener } from '../ports/resource-provider.ts';
import type { PipelineDeps } from './deps.ts';
import { makePlan } from './plan.ts';

/**
 * Drift from a plan made against the last applied commit: per field for every change apply would make (secret
 * fields keep only "changed"), every change the plan refuses (with the reason), and every unmanaged grant that
 * reaches managed topics.
 */
export function driftedResources(plan: Plan): DriftedResource[] {
  const changes: DriftedResource[] = plan.changes.map((change) => ({
    key: change.key,
    action: change.action,
    fields: change.fields.map((f) =>
      f.secret
        ? { path: f.path, secret: true }
        : {
            path: f.path,
            ...(f.after !== undefined ? { expected: f.after } : {}),
            ...(f.before !== undefined ? { actual: f.before } : {}),
          },
    ),
  }));
  const refused: DriftedResource[] = plan.refused.map((r) => ({
    key: r.key,
    action: 'Refused',
    fields: [],
    reason: `${r.reason}: ${r.message}`,
  }));
  const grants: DriftedResource[] = (plan.unmanagedGrants ?? []).map((g) => ({
    key: g.key,
    action: 'UnmanagedGrant',
    fields: [],
    reason: `${g.name} reaches ${g.topics} managed topic(s): ${g.examples.join(', ')}`,
  }));
  return [...changes, ...refused, ...grants];
}

export function driftDigest(resources: readonly DriftedResource[]): string {
  return resources.length === 0 ? '' : createHash('sha256').update(canonicalJson(resources)).digest('hex').slice(0, 32);
}

export type DetectDriftDeps = Pick<PipelineDeps, 'store' | 'engine' | 'createProviders' | 'secrets' | 'now' | 'newId'>;

export type DriftDetection =
  | {
      status: 'checked';
      plan: Plan;
      resources: DriftedResource[];
      digest: string;
      checkedAt: string;
      /** The one `drift` record of this check (`InSync` or `Drifted`), for the caller to append. */
      record: DriftAuditRecord;
    }
  /** The configuration did not plan (blocking problems): nothing was compared. */
  | { status: 'invalid'; problems: ConfigProblem[] };

/**
 * The core of every drift check (the scheduled `checkDrift` and `landscape drift`): plan the applied
 * configuration against live state (`makePlan`), list what differs, and build the one
 * `drift` record (`InSync` or `Drifted`). It neither stores the plan nor notifies: callers decide that, and
 * append the record after their own (the CLI writes its local plan record first).
 */
export async function detectDrift(
  deps: DetectDriftDeps,
  input: {
    environment: string;
    config: LoadedConfig;
    /** Where the configuration came from, as the plan records it. */
    source: { repo?: string; commit?: string; ref?: string };
    /** The applied commit the record names (absent when nothing applied one that can be read). */
    appliedCommit?: string;
    actor: string;
    progress?: ProgressListener;
  },
): Promise<DriftDetection> {
  const { environment, config } = input;
  const result = await makePlan(deps, {
    environment,
    config,
    source: input.source,
    ...(input.progress ? { progress: input.progress } : {}),
  });
  if (!result.plan) return { status: 'invalid', problems: result.problems };
  const plan = result.plan;
  const resources = driftedResources(plan);
  const checkedAt = deps.now().toISOString();
  const record = driftRecord(resources.length === 0 ? 'InSync' : 'Drifted', {
    id: auditId.drift(checkedAt, environment, deps.newId()),
    at: checkedAt,
    environment,
    actor: input.actor,
    commit: input.appliedCommit,
    ...planFacts(plan),
    summary: { ...plan.summary, unmanagedGrants: plan.unmanagedGrants?.length ?? 0 },
  });
  return { status: 'checked', plan, resources, digest: driftDigest(resources), checkedAt, record };
}
