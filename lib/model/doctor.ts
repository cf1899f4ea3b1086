import { isSecretRef, type SecretRef } from './common.ts';
import type { EnvironmentSpec } from './environment.ts';
import type { ResourceKey, ResourceKind } from './resource.ts';

/**
 * `landscape doctor` and `GET /environments/{env}/doctor`: one line per thing checked on one environment's
 * connections, each saying what was found, or what is wrong and how to fix it. Never a secret value.
 */
export interface DoctorCheck {
  /** What was reached: `kafka`, `schema registry`, `connect "default"`, `kubernetes`, `github`, `secrets`. */
  target: string;
  /** What was checked: `reachable`, `authentication`, `create topics`, `secret spec.kafka.sasl.password`. */
  check: string;
  status: 'ok' | 'failed' | 'skipped';
  /** What was found (ok), what is wrong (failed) or why it was not checked (skipped). */
  detail: string;
  /** How to fix it (failed). */
  fix?: string;
}

export interface DoctorReport {
  environment: string;
  /** True when no check failed (skipped ones do not count). */
  ok: boolean;
  checkedAt: string;
  checks: DoctorCheck[];
}

export const ok = (target: string, check: string, detail: string): DoctorCheck => ({
  target,
  check,
  status: 'ok',
  detail,
});
export const failed = (target: string, check: string, detail: string, fix: string): DoctorCheck => ({
  target,
  check,
  status: 'failed',
  detail,
  fix,
});
export const skipped = (target: string, check: string, detail: string): DoctorCheck => ({
  target,
  check,
  status: 'skipped',
  detail,
});

/**
 * What the environment's resources ask of its connections, so that only needed permissions are required:
 * the kinds in use, the topic names (probed for topic permissions), the Kubernetes kinds per namespace, and
 * which kinds are pruned (delete permissions).
 */
export interface DoctorNeeds {
  kinds: ResourceKind[];
  topics: string[];
  /** `{ group: 'apps', kind: 'Deployment', namespace: 'payments' }`; namespace undefined = cluster-scoped. */
  kubernetes: { group: string; kind: string; namespace: string | undefined }[];
  prune: ResourceKind[];
}

/** The needs of a set of resources (desired resources of a config, or an environment's inventory). */
export function doctorNeeds(
  resources: readonly { key: ResourceKey; kind: ResourceKind }[],
  spec: Pick<EnvironmentSpec, 'prune'>,
): DoctorNeeds {
  const kinds = new Set<ResourceKind>();
  const topics = new Set<string>();
  const kubernetes = new Map<string, DoctorNeeds['kubernetes'][number]>();
  for (const { key, kind } of resources) {
    kinds.add(kind);
    if (kind === 'Topic' && key.startsWith('kafka/topic/')) topics.add(key.slice('kafka/topic/'.length));
    if (kind === 'KubernetesObject') {
      // k8s/<group>/<kind>/<namespace or _>/<name>
      const [, group, objectKind, namespace] = key.split('/');
      if (group && objectKind && namespace) {
        const entry = { group, kind: objectKind, namespace: namespace === '_' ? undefined : namespace };
        kubernetes.set(`${group}/${objectKind}/${namespace}`, entry);
      }
    }
  }
  return {
    kinds: [...kinds].sort(),
    topics: [...topics].sort(),
    kubernetes: [...kubernetes.values()],
    prune: (Object.entries(spec.prune) as [ResourceKind, boolean][])
      .filter(([, on]) => on)
      .map(([kind]) => kind)
      .sort(),
  };
}

/** Every secret reference in `value`, with its field path (`spec.kafka.sasl.password`); never a value. */
export function secretReferences(value: unknown, path: string): { path: string; ref: SecretRef }[] {
  if (isSecretRef(value)) return [{ path, ref: value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => secretReferences(item, `${path}[${index}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => secretReferences(item, path ? `${path}.${key}` : key));
  }
  return [];
}

/** The report of a set of checks: ok when none failed. */
export function doctorReport(environment: string, checks: DoctorCheck[], checkedAt: string): DoctorReport {
  return { environment, ok: checks.every((c) => c.status !== 'failed'), checkedAt, checks };
}

/** One line per check (`✓`, `✗`, `-`), with the fix under a failed one: what `landscape doctor` prints. */
export function renderDoctorReport(report: DoctorReport): string {
  const lines = [`landscape doctor: environment "${report.environment}"`];
  const mark = { ok: '✓', failed: '✗', skipped: '-' } as const;
  for (const check of report.checks) {
    lines.push(`${mark[check.status]} ${check.target}: ${check.check}: ${check.detail}`);
    if (check.fix) lines.push(`    fix: ${check.fix}`);
  }
  const failures = report.checks.filter((c) => c.status === 'failed').length;
  lines.push(
    failures === 0
      ? `all ${report.checks.filter((c) => c.status === 'ok').length} checks passed`
      : `${failures} check${failures === 1 ? '' : 's'} failed`,
  );
  return `${lines.join('\n')}\n`;
}
