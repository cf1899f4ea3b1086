import { AdapterError, messageOf } from '../../errors.ts';
import { durationToMs, type Json, type SecretRef } from '../../model/common.ts';
import type { EnvironmentSpec } from '../../model/environment.ts';
import { keys } from '../../model/keys.ts';
import { ENVIRONMENT_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../model/kinds/kubernetes-manifest.ts';
import type { ChangeResult, PlanNote, PlannedChange } from '../../model/plan.ts';
import type { DesiredResource, KindsOf, ObservedResource, ResourceKey } from '../../model/resource.ts';
import type { ProgressListener, ResourceProvider } from '../../ports/resource-provider.ts';
import type { SecretResolver } from '../../ports/secret-resolver.ts';
import { sleep } from '../common/concurrency.ts';
import { healthOf, WAITS_FOR_ROLLOUT } from './health.ts';
import { KubeApiError, KubeClient, type KubeConnection, type KubeObject, type ResourceInfo } from './kube-client.ts';
import { type KubeCredentialOptions, resolveKubeConnection } from './kube-credentials.ts';
import {
  changedPaths,
  cleanLiveObject,
  displayName,
  hasSecretRefs,
  isOwnedBy,
  ownedSelector,
  parseK8sKey,
  resolveSecretRefs,
} from './normalize.ts';

/** The resource kinds this provider serves: every `kubernetes` kind of RESOURCE_KINDS (checked in test/types). */
export const KUBERNETES_KINDS = ['KubernetesObject'] as const satisfies readonly KindsOf<'kubernetes'>[];

export interface KubernetesProviderOptions {
  /**
   * `rollout` (default): after applying a Deployment/StatefulSet/DaemonSet, wait until its controller reports
   * the rollout complete, up to `environment.kubernetes.healthTimeout`. `none`: applied means done (for API
   * servers without controllers, e.g. the test apiserver, where no Deployment ever gets pods).
   */
  health?: 'rollout' | 'none';
  /** How often rollout status is read. Default 1000 ms. */
  pollIntervalMs?: number;
  /** Parallel API calls. Default 8. */
  concurrency?: number;
  /** Kinds listed (by the ownership labels) to find objects to prune or export, besides the desired kinds. */
  pruneKinds?: readonly { apiVersion: string; kind: string }[];
  /** Server-side apply field manager. Default `landscape`. */
  fieldManager?: string;
  /** Per-request timeout. Default 30 s. */
  requestTimeoutMs?: number;
  /** The environment the credentials are read from (in-cluster, EKS region) and exec plugin limits. */
  credentials?: KubeCredentialOptions;
}

/** Kinds Landscape renders or users commonly declare: listed by label so a removed one can be pruned. */
export const DEFAULT_PRUNE_KINDS: readonly { apiVersion: string; kind: string }[] = [
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'Secret' },
  { apiVersion: 'v1', kind: 'ServiceAccount' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim' },
  { apiVersion: 'v1', kind: 'Namespace' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  { apiVersion: 'batch/v1', kind: 'Job' },
  { apiVersion: 'batch/v1', kind: 'CronJob' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
];

/** Created first and deleted last: other objects live in them or are instances of them. */
const FOUNDATION_KINDS = new Set(['Namespace', 'CustomResourceDefinition']);

type DryRunOutcome =
  | { ok: true; object: KubeObject }
  | { ok: false; conflicts: string[] }
  | { ok: false; level: PlanNote['level']; message: string };

/**
 * The Kubernetes adapter: every desired `KubernetesObject` is server-side applied with field manager
 * `landscape`.
 *
 * observe(desired):
 * - reads each desired object and its server-side dry-run apply (force off): a 409 lists the fields another
 *   field manager owns in `ObservedResource.conflicts`; the dry-run result is kept for `check`.
 * - lists every object labelled `app.kubernetes.io/managed-by=landscape,landscape.dev/environment=<env>` of
 *   the desired kinds and DEFAULT_PRUNE_KINDS (cluster-wide when allowed, else per namespace) with
 *   `ownedByLandscape: true`, so the planner can prune them. Objects without these labels are never listed,
 *   and an object that lost them is never deleted.
 * - the observed spec is `{ manifest: <live object without status and server-written metadata> }` (Secret
 *   values redacted) — independent of the desired side, so observe and observeKeys fingerprint alike; the
 *   KubernetesObject kind rules compare only the declared fields.
 *
 * apply: Namespaces and CRDs first; server-side apply without force (a conflict that appeared since planning
 * fails the change instead of taking fields over); deletes only of objects still labelled as ours, with uid and
 * resourceVersion preconditions; then waits for workload rollouts (see KubernetesProviderOptions.health).
 * Secret references in a manifest are resolved here and nowhere else.
 *
 * check: server-side dry-run findings as plan notes: rejections (validation, immutable fields, missing
 * namespace or kind) as errors, the exact fields an update changes as info.
 */
export async function createKubernetesProvider(
  environmentName: string,
  environment: EnvironmentSpec,
  secrets: SecretResolver,
  options: KubernetesProviderOptions = {},
): Promise<ResourceProvider> {
  const k8s = environment.kubernetes;
  if (!k8s) throw new AdapterError(`environment "${environmentName}" has no kubernetes connection (spec.kubernetes)`);
  const connection: KubeConnection = {
    ...(await resolveKubeConnection(k8s, secrets, options.credentials)),
    timeoutMs: options.requestTimeoutMs ?? 30_000,
  };
  return new KubernetesProvider(
    environmentName,
    k8s.namespace,
    durationToMs(k8s.healthTimeout),
    new KubeClient(connection),
    { ...(k8s.waitForRollout ? {} : { health: 'none' as const }), ...options },
  );
}

class KubernetesProvider implements ResourceProvider {
  readonly name = 'kubernetes';
  readonly kinds = KUBERNETES_KINDS;
  private readonly environment: string;
  private readonly defaultNamespace: string;
  private readonly healthTimeoutMs: number;
  private readonly client: KubeClient;
  private readonly fieldManager: string;
  private readonly concurrency: number;
  private readonly options: KubernetesProviderOptions;
  /** key -> dry-run of the desired manifest (JSON text) seen by the last observe, reused by check. */
  private readonly dryRuns = new Map<
    ResourceKey,
    { manifest: string; live: KubeObject | undefined; outcome: DryRunOutcome }
  >();

  constructor(
    environment: string,
    namespace: string,
    healthTimeoutMs: number,
    client: KubeClient,
    options: KubernetesProviderOptions,
  ) {
    this.environment = environment;
    this.defaultNamespace = namespace;
    this.healthTimeoutMs = healthTimeoutMs;
    this.client = client;
    this.options = options;
    this.fieldManager = options.fieldManager ?? 'landscape';
    this.concurrency = options.concurrency ?? 8;
  }

  async close(): Promise<void> {
    this.client.close();
  }

  // ---------------------------------------------------------------- observe

  async observe(
    desired: readonly DesiredResource[],
    options: { progress?: ProgressListener } = {},
  ): Promise<ObservedResource[]> {
    const objects = desired.filter((d) => d.kind === 'KubernetesObject');
    const observed = new Map<ResourceKey, ObservedResource>();
    let done = 0;
    await mapLimit(objects, this.concurrency, async (d) => {
      const manifest = d.spec.manifest as unknown as KubeObject;
      const found = await this.observeDesired(d.key, manifest);
      if (found) observed.set(d.key, found);
      options.progress?.({ phase: 'observe kubernetes', done: ++done, total: objects.length });
    });
    for (const resource of await this.listOwned(objects)) {
      if (!observed.has(resource.key)) observed.set(resource.key, resource);
    }
    return [...observed.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Reads one desired object and dry-runs its apply; returns the live object (undefined when absent). */
  private async observeDesired(key: ResourceKey, manifest: KubeObject): Promise<ObservedResource | undefined> {
    const manifestText = JSON.stringify(manifest);
    const info = await this.client.resourceFor(manifest.apiVersion, manifest.kind);
    if (!info) {
      this.dryRuns.set(key, {
        manifest: manifestText,
        live: undefined,
        outcome: {
          ok: false,
          level: 'error',
          message: `the cluster does not serve kind "${manifest.kind}" in "${manifest.apiVersion}"`,
        },
      });
      return undefined;
    }
    const namespace = info.namespaced ? (manifest.metadata.namespace ?? this.defaultNamespace) : undefined;
    const live = await this.get(info, namespace, manifest.metadata.name, 'reading');
    const outcome = await this.dryRun(info, namespace, manifest);
    this.dryRuns.set(key, { manifest: manifestText, live, outcome });
    if (!live) return undefined;
    const resource = this.toObserved(live, key);
    const conflicts = [
      ...(resource.conflicts ?? []),
      ...(!outcome.ok && 'conflicts' in outcome ? outcome.conflicts : []),
    ];
    return conflicts.length > 0 ? { ...resource, conflicts } : resource;
  }

  async observeKeys(wanted: readonly ResourceKey[]): Promise<ObservedResource[]> {
    const found: ObservedResource[] = [];
    await mapLimit(wanted, this.concurrency, async (key) => {
      const parts = parseK8sKey(key);
      if (!parts) return;
      // Keys carry no version: read the group's preferred version (manifests should use it; see report gaps).
      const version = await this.client.preferredVersion(parts.group);
      if (!version) return;
      const apiVersion =
        parts.group === 'core' ? version : version.includes('/') ? version : `${parts.group}/${version}`;
      const info = await this.client.resourceFor(apiVersion, parts.kind);
      if (!info) return;
      const live = await this.get(info, parts.namespace, parts.name, 'reading');
      if (live) found.push(this.toObserved(live, key));
    });
    return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private toObserved(live: KubeObject, key: ResourceKey): ObservedResource {
    const labels = live.metadata.labels ?? {};
    const otherEnvironment =
      labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE &&
      labels[ENVIRONMENT_LABEL] !== undefined &&
      labels[ENVIRONMENT_LABEL] !== this.environment
        ? labels[ENVIRONMENT_LABEL]
        : undefined;
    return {
      key,
      kind: 'KubernetesObject',
      name: displayName(live.kind, live.metadata.namespace, live.metadata.name),
      spec: { manifest: cleanLiveObject(live) },
      ownedByLandscape: isOwnedBy(live, this.environment),
      // The same name with a new uid is another object (deleted and re-created): plans made before are stale.
      ...(live.metadata.uid ? { identity: live.metadata.uid } : {}),
      ...(otherEnvironment !== undefined
        ? {
            conflicts: [
              `the object belongs to Landscape environment "${otherEnvironment}" (label ${ENVIRONMENT_LABEL})`,
            ],
          }
        : {}),
    };
  }

  /** Every object labelled as Landscape's for this environment, of the desired kinds and the prune kinds. */
  private async listOwned(desired: readonly DesiredResource[]): Promise<ObservedResource[]> {
    const kinds = new Map<string, { apiVersion: string; kind: string }>();
    const namespaces = new Set([this.defaultNamespace]);
    for (const d of desired) {
      const m = d.spec.manifest as unknown as KubeObject;
      kinds.set(`${m.apiVersion}/${m.kind}`, { apiVersion: m.apiVersion, kind: m.kind });
      if (m.metadata.namespace) namespaces.add(m.metadata.namespace);
    }
    for (const k of this.options.pruneKinds ?? DEFAULT_PRUNE_KINDS) kinds.set(`${k.apiVersion}/${k.kind}`, k);
    const selector = ownedSelector(this.environment);
    const found: ObservedResource[] = [];
    await mapLimit([...kinds.values()], this.concurrency, async ({ apiVersion, kind }) => {
      const info = await this.client.resourceFor(apiVersion, kind);
      if (!info?.verbs.includes('list')) return;
      let items: KubeObject[] | undefined = await this.list(info, undefined, selector);
      if (items === undefined && info.namespaced) {
        // No cluster-wide list right: look in the namespaces this environment uses.
        items = [];
        for (const ns of namespaces) items.push(...((await this.list(info, ns, selector)) ?? []));
      }
      for (const item of items ?? []) {
        const object = { ...item, apiVersion, kind } as KubeObject;
        if (!isOwnedBy(object, this.environment)) continue;
        found.push(
          this.toObserved(
            object,
            keys.k8s(apiVersion, kind, info.namespaced ? object.metadata.namespace : undefined, object.metadata.name),
          ),
        );
      }
    });
    return found;
  }

  /** A labelled list; undefined when listing is forbidden there (we can not own what we can not see). */
  private async list(
    info: ResourceInfo,
    namespace: string | undefined,
    labelSelector: string,
  ): Promise<KubeObject[] | undefined> {
    try {
      const list = await this.client.request<{ items?: KubeObject[] }>('GET', KubeClient.pathOf(info, namespace), {
        query: { labelSelector },
        what: `listing ${info.resource}${namespace ? ` in namespace "${namespace}"` : ''}`,
      });
      return list.items ?? [];
    } catch (error) {
      if (error instanceof KubeApiError && (error.statusCode === 403 || error.statusCode === 404)) return undefined;
      throw error;
    }
  }

  private async get(
    info: ResourceInfo,
    namespace: string | undefined,
    name: string,
    doing: string,
  ): Promise<KubeObject | undefined> {
    try {
      return await this.client.request<KubeObject>('GET', KubeClient.pathOf(info, namespace, name), {
        what: `${doing} ${displayName(info.kind, namespace, name)}`,
      });
    } catch (error) {
      if (error instanceof KubeApiError && error.statusCode === 404) return undefined;
      throw explain(error, info, namespace, 'get');
    }
  }

  /** Server-side apply with dryRun=All: what the object would become, or why it can not. */
  private async dryRun(
    info: ResourceInfo,
    namespace: string | undefined,
    manifest: KubeObject,
  ): Promise<DryRunOutcome> {
    if (hasSecretRefs(manifest as unknown as Json)) {
      return { ok: false, level: 'info', message: 'holds secret references, resolved only at apply: not dry-run' };
    }
    try {
      const object = await this.client.request<KubeObject>(
        'PATCH',
        KubeClient.pathOf(info, namespace, manifest.metadata.name),
        {
          query: { dryRun: 'All', fieldManager: this.fieldManager, force: 'false' },
          body: manifest,
          contentType: 'application/apply-patch+yaml',
          what: `dry-run applying ${displayName(info.kind, namespace, manifest.metadata.name)}`,
        },
      );
      return { ok: true, object };
    } catch (error) {
      if (!(error instanceof KubeApiError)) throw error;
      if (error.statusCode === 409) return { ok: false, conflicts: conflictsOf(error) };
      if (error.statusCode === 403) {
        return {
          ok: false,
          level: 'warning',
          message: `server-side dry-run not allowed (${error.status.message ?? 'forbidden'}); apply may fail the same way`,
        };
      }
      if (error.statusCode >= 500 || error.statusCode === 429) throw error;
      return {
        ok: false,
        level: 'error',
        message: `server-side dry-run rejected it: ${error.status.message ?? error.message}`,
      };
    }
  }

  // ---------------------------------------------------------------- check

  async check(changes: readonly PlannedChange[]): Promise<PlanNote[]> {
    const notes: PlanNote[] = [];
    const created = changes
      .filter((c) => c.action === 'Create')
      .map((c) => c.desired?.manifest as unknown as KubeObject | undefined)
      .filter((m): m is KubeObject => m !== undefined);
    const creatingNamespaces = new Set(created.filter((m) => m.kind === 'Namespace').map((m) => m.metadata.name));
    const creatingKinds = new Set(
      created
        .filter((m) => m.kind === 'CustomResourceDefinition')
        .map((m) => String((m.spec as { names?: { kind?: string } } | undefined)?.names?.kind ?? '')),
    );
    await mapLimit(
      changes.filter((c) => c.kind === 'KubernetesObject' && c.action !== 'Delete' && c.desired),
      this.concurrency,
      async (change) => {
        const manifest = change.desired?.manifest as unknown as KubeObject;
        let cached = this.dryRuns.get(change.key);
        if (!cached || cached.manifest !== JSON.stringify(manifest)) {
          await this.observeDesired(change.key, manifest);
          cached = this.dryRuns.get(change.key);
        }
        if (!cached) return;
        const where = { key: change.key, ...(change.source ? { source: change.source } : {}) };
        const { outcome } = cached;
        if (outcome.ok) {
          if (change.action !== 'Update' || !cached.live) return;
          const paths = changedPaths(cleanLiveObject(cached.live) as Json, cleanLiveObject(outcome.object) as Json);
          notes.push({
            ...where,
            level: 'info',
            message:
              paths.length === 0
                ? `${change.name}: server-side dry-run shows no effective change (the API server normalizes these values)`
                : `${change.name}: server-side dry-run changes ${paths.join(', ')}`,
          });
          return;
        }
        if ('conflicts' in outcome) return; // refused by the planner as OwnedByOther
        // Objects in a namespace, or of a kind, this same plan creates can not be dry-run yet.
        if (
          /namespaces? "[^"]+" not found/.test(outcome.message) &&
          creatingNamespaces.has(manifest.metadata.namespace ?? '')
        )
          return;
        if (outcome.message.startsWith('the cluster does not serve kind') && creatingKinds.has(manifest.kind)) {
          notes.push({
            ...where,
            level: 'info',
            message: `${change.name}: its kind is defined by a CustomResourceDefinition in this plan`,
          });
          return;
        }
        notes.push({ ...where, level: outcome.level, message: `${change.name}: ${outcome.message}` });
      },
    );
    return notes.sort((a, b) => ((a.key ?? '') < (b.key ?? '') ? -1 : (a.key ?? '') > (b.key ?? '') ? 1 : 0));
  }

  // ---------------------------------------------------------------- apply

  async apply(
    changes: readonly PlannedChange[],
    context: { secrets: SecretResolver; progress?: ProgressListener },
  ): Promise<ChangeResult[]> {
    const results = new Map<ResourceKey, ChangeResult>();
    const mine = changes.filter((c) => c.kind === 'KubernetesObject');
    for (const c of changes) {
      if (c.kind !== 'KubernetesObject')
        results.set(c.key, {
          key: c.key,
          action: c.action,
          outcome: 'Skipped',
          message: `not a Kubernetes object (${c.kind})`,
        });
    }
    const isFoundation = (c: PlannedChange) => FOUNDATION_KINDS.has(parseK8sKey(c.key)?.kind ?? '');
    const forward = mine.filter((c) => c.action !== 'Delete');
    const deletes = mine.filter((c) => c.action === 'Delete');
    const total = mine.length;
    const report = (result: ChangeResult) => {
      results.set(result.key, result);
      context.progress?.({
        phase: 'apply kubernetes',
        done: results.size,
        total,
        message: `${result.key}: ${result.outcome}`,
      });
    };
    const rollouts: { change: PlannedChange; info: ResourceInfo; object: KubeObject; started: number }[] = [];
    for (const group of [forward.filter(isFoundation), forward.filter((c) => !isFoundation(c))]) {
      await mapLimit(group, this.concurrency, async (change) => {
        const started = Date.now();
        const applied = await this.applyOne(change, context.secrets);
        if ('result' in applied) return report({ ...applied.result, durationMs: Date.now() - started });
        if (this.options.health !== 'none' && WAITS_FOR_ROLLOUT.has(applied.object.kind)) {
          rollouts.push({ change, info: applied.info, object: applied.object, started });
        } else {
          report({
            key: change.key,
            action: change.action,
            outcome: 'Succeeded',
            message: applied.message,
            durationMs: Date.now() - started,
          });
        }
      });
    }
    await mapLimit(rollouts, this.concurrency, async ({ change, info, object, started }) => {
      report({ ...(await this.waitForRollout(change, info, object)), durationMs: Date.now() - started });
    });
    for (const group of [deletes.filter((c) => !isFoundation(c)), deletes.filter(isFoundation)]) {
      await mapLimit(group, this.concurrency, async (change) => {
        const started = Date.now();
        report({ ...(await this.deleteOne(change)), durationMs: Date.now() - started });
      });
    }
    return changes.map(
      (c) =>
        results.get(c.key) ?? {
          key: c.key,
          action: c.action,
          outcome: 'Failed',
          message: 'no result (internal error)',
        },
    );
  }

  private async applyOne(
    change: PlannedChange,
    secrets: SecretResolver,
  ): Promise<{ result: ChangeResult } | { info: ResourceInfo; object: KubeObject; message: string }> {
    const fail = (message: string) => ({
      result: { key: change.key, action: change.action, outcome: 'Failed' as const, message },
    });
    const desired = change.desired?.manifest;
    if (!desired) return fail('the plan holds no manifest for this change');
    let manifest: KubeObject;
    try {
      manifest = (await resolveSecretRefs(desired, (ref) =>
        secrets.resolve(ref as SecretRef),
      )) as unknown as KubeObject;
    } catch (error) {
      return fail(`resolving secret references: ${messageOf(error)}`);
    }
    const info = await this.client.resourceFor(manifest.apiVersion, manifest.kind);
    if (!info) return fail(`the cluster does not serve kind "${manifest.kind}" in "${manifest.apiVersion}"`);
    const namespace = info.namespaced ? (manifest.metadata.namespace ?? this.defaultNamespace) : undefined;
    const name = displayName(manifest.kind, namespace, manifest.metadata.name);
    try {
      const object = await this.client.request<KubeObject>(
        'PATCH',
        KubeClient.pathOf(info, namespace, manifest.metadata.name),
        {
          // No force: fields another manager took since planning fail the change instead of being taken over.
          query: { fieldManager: this.fieldManager, force: 'false' },
          body: manifest,
          contentType: 'application/apply-patch+yaml',
          what: `applying ${name}`,
        },
      );
      if (manifest.kind === 'CustomResourceDefinition') await this.waitForEstablished(info, object);
      return {
        info,
        object,
        message: change.action === 'Create' ? 'created (server-side apply)' : 'updated (server-side apply)',
      };
    } catch (error) {
      if (error instanceof KubeApiError && error.statusCode === 409) {
        return fail(
          `applying ${name}: conflict with another field manager since planning (${conflictsOf(error).join('; ')}); plan again`,
        );
      }
      return fail(messageOf(explain(error, info, namespace, 'patch')));
    }
  }

  private async waitForEstablished(info: ResourceInfo, crd: KubeObject): Promise<void> {
    const deadline = Date.now() + 30_000;
    let current = crd;
    for (;;) {
      const conditions =
        (current.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
      if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline)
        throw new AdapterError(`CustomResourceDefinition "${crd.metadata.name}" not established within 30s`);
      await sleep(250);
      current = (await this.get(info, undefined, crd.metadata.name, 'reading')) ?? current;
    }
    this.client.resetDiscovery();
  }

  private async waitForRollout(change: PlannedChange, info: ResourceInfo, applied: KubeObject): Promise<ChangeResult> {
    const deadline = Date.now() + this.healthTimeoutMs;
    const namespace = applied.metadata.namespace;
    let object: KubeObject | undefined = applied;
    for (;;) {
      const health = object
        ? healthOf(object)
        : { state: 'Failed' as const, message: 'the object disappeared during the rollout' };
      if (health.state === 'Current') {
        return {
          key: change.key,
          action: change.action,
          outcome: 'Succeeded',
          message: `rolled out: ${rolloutSummary(object as KubeObject)}`,
        };
      }
      if (health.state === 'Failed')
        return { key: change.key, action: change.action, outcome: 'Failed', message: `applied, but ${health.message}` };
      if (Date.now() >= deadline) {
        return {
          key: change.key,
          action: change.action,
          outcome: 'Failed',
          message: `applied, but the rollout did not complete within ${formatDuration(this.healthTimeoutMs)}: ${health.message}`,
        };
      }
      await sleep(Math.min(this.options.pollIntervalMs ?? 1000, Math.max(0, deadline - Date.now())));
      try {
        object = await this.get(info, namespace, applied.metadata.name, 'reading rollout status of');
      } catch (error) {
        return {
          key: change.key,
          action: change.action,
          outcome: 'Failed',
          message: `applied, but ${messageOf(error)}`,
        };
      }
    }
  }

  private async deleteOne(change: PlannedChange): Promise<ChangeResult> {
    const result = (outcome: ChangeResult['outcome'], message: string): ChangeResult => ({
      key: change.key,
      action: 'Delete',
      outcome,
      message,
    });
    const parts = parseK8sKey(change.key);
    if (!parts) return result('Failed', `not a Kubernetes object key: "${change.key}"`);
    const name = displayName(parts.kind, parts.namespace, parts.name);
    try {
      const version = await this.client.preferredVersion(parts.group);
      const apiVersion = parts.group === 'core' ? 'v1' : version;
      const info = apiVersion ? await this.client.resourceFor(apiVersion, parts.kind) : undefined;
      if (!info) return result('Succeeded', `already gone (the cluster no longer serves ${parts.kind})`);
      const live = await this.get(info, parts.namespace, parts.name, 'reading');
      if (!live) return result('Succeeded', 'already gone');
      if (!isOwnedBy(live, this.environment)) {
        return result('Skipped', `${name} no longer carries the labels ${ownedSelector(this.environment)}: left alone`);
      }
      if (change.identity !== undefined && live.metadata.uid !== change.identity) {
        return result(
          'Failed',
          `${name} was deleted and re-created since planning (uid ${change.identity} -> ${live.metadata.uid}): left alone; plan again`,
        );
      }
      try {
        await this.client.request('DELETE', KubeClient.pathOf(info, parts.namespace, parts.name), {
          body: {
            kind: 'DeleteOptions',
            apiVersion: 'v1',
            propagationPolicy: 'Background',
            // Only the object we just checked: not one recreated or changed in between.
            preconditions: {
              uid: change.identity ?? live.metadata.uid,
              resourceVersion: live.metadata.resourceVersion,
            },
          },
          what: `deleting ${name}`,
        });
      } catch (error) {
        if (error instanceof KubeApiError && error.statusCode === 404) return result('Succeeded', 'already gone');
        if (error instanceof KubeApiError && error.statusCode === 409)
          return result('Failed', `deleting ${name}: it changed since it was read; plan again`);
        throw explain(error, info, parts.namespace, 'delete');
      }
      return result('Succeeded', 'deleted');
    } catch (error) {
      return result('Failed', messageOf(error));
    }
  }
}

/** `.spec.replicas (conflict with "kubectl-edit" using apps/v1)` for each conflicting field. */
function conflictsOf(error: KubeApiError): string[] {
  const causes = error.status.details?.causes ?? [];
  if (causes.length === 0) return [error.status.message ?? 'conflict'];
  return causes.map((c) => `${c.field ?? '?'} (${c.message ?? c.reason ?? 'conflict'})`).sort();
}

/** Adds what to grant to a 403, keeping the server's own words (user, verb, resource, namespace). */
function explain(error: unknown, info: ResourceInfo, namespace: string | undefined, verb: string): unknown {
  if (!(error instanceof KubeApiError) || error.statusCode !== 403) return error;
  const group = info.apiVersion.includes('/') ? info.apiVersion.split('/')[0] : '';
  const where = namespace ? `in namespace "${namespace}"` : 'cluster-wide';
  return new AdapterError(
    `${error.message} (grant the identity Landscape uses "${verb}" on "${info.resource}"${group ? ` in API group "${group}"` : ''} ${where})`,
    { cause: error },
  );
}

function rolloutSummary(object: KubeObject): string {
  const status = (object.status ?? {}) as {
    availableReplicas?: number;
    readyReplicas?: number;
    numberAvailable?: number;
  };
  const replicas = (object.spec as { replicas?: number } | undefined)?.replicas;
  if (object.kind === 'DaemonSet') return `${status.numberAvailable ?? 0} pods available`;
  const ready = object.kind === 'StatefulSet' ? status.readyReplicas : status.availableReplicas;
  return `${ready ?? 0}/${replicas ?? 1} replicas available`;
}

function formatDuration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** Runs `fn` over `items` with at most `limit` in flight; rejects with the first error after all settle. */
async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
}
