import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient, KubeObject } from '../../../lib/adapters/k8s/kube-client.ts';
import { loadConfig } from '../../../lib/config/load-config.ts';
import type { JsonObject } from '../../../lib/model/common.ts';
import { documentsOfKind } from '../../../lib/model/documents.ts';
import type { DesiredResource, ObservedResource } from '../../../lib/model/resource.ts';
import { renderApp } from '../../../lib/plan/kinds/app.ts';
import { kubernetesObjectRules } from '../../../lib/plan/kinds/kubernetes-object.ts';
import type { ResourceProvider } from '../../../lib/ports/resource-provider.ts';
import { configDir, environmentYaml } from '../../support/builders.ts';
import {
  adminClient,
  availableCluster,
  configMapObject,
  createChange,
  createNamespace,
  deleteChange,
  desiredObject,
  providerFor,
  secretsFor,
  simulateRollouts,
  updateChange,
} from '../../support/k8s.ts';
import { uniqueName } from '../../support/unique-name.ts';

const cluster = await availableCluster();
// Unique per run: objects of earlier runs (other namespaces, same cluster) must not show up as ours.
const ENV = uniqueName('it-k8s');

describe.runIf(cluster)('KubernetesProvider against a real kube-apiserver', () => {
  const c = cluster as NonNullable<typeof cluster>;
  const namespace = uniqueName('lt');
  let admin: KubeClient;
  let k8s: ResourceProvider;

  beforeAll(async () => {
    admin = adminClient(c);
    await createNamespace(admin, namespace);
    k8s = await providerFor(c, ENV, namespace);
  });

  afterAll(async () => {
    await k8s?.close();
    admin?.close();
  });

  const configMap = (name: string, data: JsonObject, labels: JsonObject = {}) =>
    configMapObject(ENV, namespace, name, data, labels);

  const get = (path: string) => admin.request<KubeObject>('GET', path);
  const diffOf = (desired: DesiredResource, live: ObservedResource | undefined) =>
    kubernetesObjectRules.diff?.({ desired, live: live as ObservedResource, inventory: undefined });

  async function renderedApp(app: string, spec: string): Promise<DesiredResource[]> {
    const dir = await configDir({
      'env.yaml': environmentYaml({
        name: ENV,
        extra: `  kubernetes: { server: "${c.server}", namespace: ${namespace} }`,
      }),
      'app.yaml': `apiVersion: landscape.dev/v1\nkind: App\nmetadata: { name: ${app} }\nspec:\n${spec}`,
    });
    const config = await loadConfig(dir, ENV);
    const [doc] = documentsOfKind(config.documents, 'App');
    return renderApp(doc as NonNullable<typeof doc>, config).resources.filter((r) => r.kind === 'KubernetesObject');
  }

  const appSpec = (image: string, replicas: number, cpu = '0.5') => `  principal: User:enricher
  consumes: [payments.orders]
  produces: [payments.enriched]
  runtime:
    type: container
    image: ${image}
    replicas: ${replicas}
    env: { LOG_LEVEL: info }
    resources: { requests: { cpu: "${cpu}", memory: 128Mi } }
`;

  it('creates an App (ServiceAccount, ConfigMap, Deployment), waits for the rollout, and then sees no difference', async () => {
    // Prepare
    const desired = await renderedApp('enricher', appSpec('ghcr.io/acme/enricher:1.0.0', 2));
    const stop = simulateRollouts(admin, namespace, ['enricher']);

    // Act
    const results = await k8s.apply(desired.map(createChange), { secrets: secretsFor(c) });
    await stop();
    const observed = await k8s.observe(desired);

    // Assess
    expect(results.map((r) => [r.key, r.outcome, r.message])).toEqual([
      [`k8s/core/ServiceAccount/${namespace}/enricher`, 'Succeeded', 'created (server-side apply)'],
      [`k8s/core/ConfigMap/${namespace}/enricher-config`, 'Succeeded', 'created (server-side apply)'],
      [`k8s/apps/Deployment/${namespace}/enricher`, 'Succeeded', 'rolled out: 2/2 replicas available'],
    ]);
    for (const d of desired) {
      const live = observed.find((o) => o.key === d.key);
      expect(live?.ownedByLandscape).toBe(true);
      expect(live?.conflicts).toBeUndefined();
      // The API server added defaults and turned cpu "0.5" into "500m": still no difference.
      expect(diffOf(d, live)).toEqual([]);
    }
    const deployment = await get(`/apis/apps/v1/namespaces/${namespace}/deployments/enricher`);
    expect(deployment.metadata.managedFields).toContainEqual(
      expect.objectContaining({ manager: 'landscape', operation: 'Apply' }),
    );
  });

  it('updates only what changed and the dry-run names the exact fields', async () => {
    // Prepare
    const desired = await renderedApp('enricher', appSpec('ghcr.io/acme/enricher:1.1.0', 3));
    const before = await k8s.observe(desired);
    const deployment = desired.find((d) => d.key.includes('/Deployment/')) as DesiredResource;
    const fields =
      diffOf(
        deployment,
        before.find((o) => o.key === deployment.key),
      ) ?? [];

    // Act
    const notes = await k8s.check?.([updateChange(deployment, fields)]);
    const stop = simulateRollouts(admin, namespace, ['enricher']);
    const results = await k8s.apply([updateChange(deployment, fields)], { secrets: secretsFor(c) });
    await stop();
    const after = await k8s.observe(desired);

    // Assess
    expect(fields.map((f) => [f.path, f.before, f.after])).toEqual([
      ['manifest.spec.replicas', 2, 3],
      [
        'manifest.spec.template.spec.containers[name="app"].image',
        'ghcr.io/acme/enricher:1.0.0',
        'ghcr.io/acme/enricher:1.1.0',
      ],
    ]);
    expect(notes).toEqual([
      {
        key: deployment.key,
        level: 'info',
        message: `${deployment.name}: server-side dry-run changes .spec.replicas, .spec.template.spec.containers[name="app"].image`,
      },
    ]);
    expect(results[0]).toMatchObject({ outcome: 'Succeeded', message: 'rolled out: 3/3 replicas available' });
    expect(
      diffOf(
        deployment,
        after.find((o) => o.key === deployment.key),
      ),
    ).toEqual([]);
  });

  it('reads the same fingerprintable spec through observe and observeKeys', async () => {
    const desired = await renderedApp('enricher', appSpec('ghcr.io/acme/enricher:1.1.0', 3));
    const observed = await k8s.observe(desired);
    const reread = await k8s.observeKeys(desired.map((d) => d.key));
    for (const d of desired) {
      expect(reread.find((o) => o.key === d.key)?.spec).toEqual(observed.find((o) => o.key === d.key)?.spec);
    }
  });

  it('reports a server-side dry-run rejection as an error note before anything is applied', async () => {
    const bad = desiredObject(ENV, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'mismatched', namespace },
      spec: {
        selector: { matchLabels: { app: 'a' } },
        template: { metadata: { labels: { app: 'b' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
      },
    });
    await k8s.observe([bad]);

    const notes = await k8s.check?.([createChange(bad)]);

    expect(notes).toEqual([
      {
        key: bad.key,
        level: 'error',
        message: expect.stringMatching(/server-side dry-run rejected it: .*selector.*does not match template `labels`/),
      },
    ]);
    await expect(get(`/apis/apps/v1/namespaces/${namespace}/deployments/mismatched`)).rejects.toThrow(/not found/);
  });

  it('surfaces fields another field manager owns as conflicts, and never takes them over', async () => {
    // Prepare: Landscape applies a ConfigMap, then someone else force-applies a different value.
    const desired = configMap('contested', { mode: 'fast', owner: 'landscape' });
    await k8s.apply([createChange(desired)], { secrets: secretsFor(c) });
    await admin.request('PATCH', `/api/v1/namespaces/${namespace}/configmaps/contested`, {
      query: { fieldManager: 'kubectl-edit', force: 'true' },
      contentType: 'application/apply-patch+yaml',
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'contested' }, data: { mode: 'slow' } },
    });

    // Act
    const live = (await k8s.observe([desired])).find((o) => o.key === desired.key);
    const fields = diffOf(desired, live) ?? [];
    const refusals = kubernetesObjectRules.refuseUpdate?.(
      { desired, live: live as ObservedResource, inventory: undefined },
      fields,
    );
    const results = await k8s.apply([updateChange(desired, fields)], { secrets: secretsFor(c) });

    // Assess
    expect(live?.conflicts).toEqual(['.data.mode (conflict with "kubectl-edit")']);
    expect(fields).toEqual([{ path: 'manifest.data.mode', before: 'slow', after: 'fast' }]);
    expect(refusals?.[0]?.reason).toBe('OwnedByOther');
    expect(results[0]).toMatchObject({
      outcome: 'Failed',
      message: expect.stringContaining('conflict with another field manager'),
    });
    const after = await get(`/api/v1/namespaces/${namespace}/configmaps/contested`);
    expect(after.data).toEqual({ mode: 'slow', owner: 'landscape' });
  });

  it('lists labelled objects no longer desired as owned, so they can be pruned, and deletes them', async () => {
    // Prepare
    const keep = configMap('keep-me', { a: '1' });
    const gone = configMap('prune-me', { b: '2' });
    await k8s.apply([createChange(keep), createChange(gone)], { secrets: secretsFor(c) });

    // Act
    const observed = await k8s.observe([keep]);
    const candidate = observed.find((o) => o.key === gone.key);
    const results = await k8s.apply([deleteChange(gone.key, gone.name)], { secrets: secretsFor(c) });

    // Assess
    expect(candidate).toMatchObject({ ownedByLandscape: true, name: `ConfigMap ${namespace}/prune-me` });
    expect(results).toEqual([
      expect.objectContaining({ key: gone.key, action: 'Delete', outcome: 'Succeeded', message: 'deleted' }),
    ]);
    await expect(get(`/api/v1/namespaces/${namespace}/configmaps/prune-me`)).rejects.toThrow(/not found/);
    await expect(get(`/api/v1/namespaces/${namespace}/configmaps/keep-me`)).resolves.toBeDefined();
  });

  it('never lists or deletes objects without its labels, or labelled for another environment', async () => {
    // Prepare
    const path = `/api/v1/namespaces/${namespace}/configmaps`;
    await admin.request('POST', path, {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hand-made' }, data: { x: '1' } },
    });
    await admin.request('POST', path, {
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'other-env',
          labels: { 'app.kubernetes.io/managed-by': 'landscape', 'landscape.dev/environment': 'prod' },
        },
      },
    });

    // Act
    const observed = await k8s.observe([]);
    const results = await k8s.apply(
      [
        deleteChange(`k8s/core/ConfigMap/${namespace}/hand-made`),
        deleteChange(`k8s/core/ConfigMap/${namespace}/other-env`),
      ],
      { secrets: secretsFor(c) },
    );

    // Assess
    const names = observed.map((o) => o.name);
    expect(names).not.toContain(`ConfigMap ${namespace}/hand-made`);
    expect(names).not.toContain(`ConfigMap ${namespace}/other-env`);
    expect(results.map((r) => r.outcome)).toEqual(['Skipped', 'Skipped']);
    expect(results[0]?.message).toContain(
      `no longer carries the labels app.kubernetes.io/managed-by=landscape,landscape.dev/environment=${ENV}`,
    );
    await expect(get(`${path}/hand-made`)).resolves.toBeDefined();
    await expect(get(`${path}/other-env`)).resolves.toBeDefined();
  });

  it('refuses to adopt an object another environment labelled as its own', async () => {
    await admin.request('POST', `/api/v1/namespaces/${namespace}/configmaps`, {
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'prod-owned',
          labels: { 'app.kubernetes.io/managed-by': 'landscape', 'landscape.dev/environment': 'prod' },
        },
      },
    });
    const desired = configMap('prod-owned', { a: '1' });
    const live = (await k8s.observe([desired])).find((o) => o.key === desired.key);
    expect(live?.ownedByLandscape).toBe(false);
    expect(live?.conflicts).toContain(
      'the object belongs to Landscape environment "prod" (label landscape.dev/environment)',
    );
  });

  it('observes everything it manages for export: whole manifests, no status, no server metadata, no secret values', async () => {
    // Prepare: a Secret whose value comes from a secret reference, resolved only at apply.
    const secret = desiredObject(ENV, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace },
      stringData: { password: { secretRef: { provider: 'env', name: 'DB_PASSWORD' } } },
    });
    const applied = await k8s.apply([createChange(secret)], {
      secrets: secretsFor(c, { DB_PASSWORD: 's3cr3t-value' }),
    });

    // Act
    const observed = await k8s.observe([]);

    // Assess
    expect(applied[0]?.outcome).toBe('Succeeded');
    const raw = await get(`/api/v1/namespaces/${namespace}/secrets/db`);
    expect(Buffer.from((raw.data as { password: string }).password, 'base64').toString()).toBe('s3cr3t-value');
    expect(JSON.stringify(observed)).not.toContain('s3cr3t');
    expect(JSON.stringify(observed)).not.toContain(Buffer.from('s3cr3t-value').toString('base64'));
    const exportedSecret = observed.find((o) => o.key === secret.key) as ObservedResource;
    expect((exportedSecret.spec.manifest as { data: JsonObject }).data).toEqual({ password: '(redacted)' });
    const deployment = observed.find((o) => o.key === `k8s/apps/Deployment/${namespace}/enricher`) as ObservedResource;
    const manifest = deployment.spec.manifest as JsonObject & { metadata: JsonObject };
    expect(manifest.status).toBeUndefined();
    expect(manifest.metadata.managedFields).toBeUndefined();
    expect(manifest.metadata.resourceVersion).toBeUndefined();
    const exported = kubernetesObjectRules.exportSpec?.(deployment) as {
      manifest: { metadata: JsonObject };
    };
    expect(exported.manifest.metadata.labels).toEqual({
      'app.kubernetes.io/component': 'streaming-app',
      'app.kubernetes.io/name': 'enricher',
    });
  });

  it('fails a rollout that no controller completes within the health timeout, and can skip the wait', async () => {
    // Prepare
    const impatient = await providerFor(c, ENV, namespace, { healthTimeout: '1s' });
    // spec.kubernetes.waitForRollout: false (the Environment setting, not a provider option).
    const relaxed = await providerFor(c, ENV, namespace, { waitForRollout: false });
    const deployment = (name: string) =>
      desiredObject(ENV, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace },
        spec: {
          selector: { matchLabels: { app: name } },
          template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
        },
      });

    // Act
    const [stuck] = await impatient.apply([createChange(deployment('stuck'))], { secrets: secretsFor(c) });
    const [unchecked] = await relaxed.apply([createChange(deployment('unchecked'))], { secrets: secretsFor(c) });
    await impatient.close();
    await relaxed.close();

    // Assess
    expect(stuck).toMatchObject({
      outcome: 'Failed',
      message:
        'applied, but the rollout did not complete within 1s: no controller has observed generation 1 yet (is kube-controller-manager running?)',
    });
    expect(unchecked).toMatchObject({ outcome: 'Succeeded', message: 'created (server-side apply)' });
  });
});
