import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../../lib/model/common.ts';
import type { DesiredResource, ObservedResource } from '../../../../lib/model/resource.ts';
import {
  diffManifest,
  formatPath,
  kubernetesObjectRules,
  parsePath,
  parseQuantity,
} from '../../../../lib/plan/kinds/kubernetes-object.ts';

const deployment = (overrides: JsonObject = {}): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', namespace: 'ns', labels: { 'app.kubernetes.io/managed-by': 'landscape' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'api' } },
    template: {
      metadata: { labels: { app: 'api' } },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'api:1',
            env: [{ name: 'A', value: '1' }],
            resources: { requests: { cpu: '0.5', memory: '1Gi' } },
          },
        ],
      },
    },
  },
  ...overrides,
});

/** What the API server returns for `deployment()`: defaults filled in, quantities canonical, status. */
const liveDeployment = (): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'api',
    namespace: 'ns',
    labels: { 'app.kubernetes.io/managed-by': 'landscape' },
    annotations: { 'deployment.kubernetes.io/revision': '1' },
  },
  spec: {
    replicas: 2,
    revisionHistoryLimit: 10,
    progressDeadlineSeconds: 600,
    selector: { matchLabels: { app: 'api' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: {
      metadata: { labels: { app: 'api' } },
      spec: {
        restartPolicy: 'Always',
        dnsPolicy: 'ClusterFirst',
        containers: [
          {
            name: 'sidecar',
            image: 'proxy:2',
          },
          {
            name: 'app',
            image: 'api:1',
            imagePullPolicy: 'IfNotPresent',
            terminationMessagePath: '/dev/termination-log',
            env: [{ name: 'A', value: '1' }],
            resources: { requests: { cpu: '500m', memory: '1Gi' } },
          },
        ],
      },
    },
  },
});

const desired = (manifest: JsonObject): DesiredResource => ({
  key: 'k8s/apps/Deployment/ns/api',
  kind: 'KubernetesObject',
  name: 'Deployment ns/api',
  spec: { manifest },
});
const observed = (manifest: JsonObject, conflicts?: string[]): ObservedResource => ({
  key: 'k8s/apps/Deployment/ns/api',
  kind: 'KubernetesObject',
  name: 'Deployment ns/api',
  spec: { manifest },
  ownedByLandscape: true,
  ...(conflicts ? { conflicts } : {}),
});

const diff = (want: JsonObject, have: JsonObject, managedFields?: string[]) =>
  kubernetesObjectRules.diff?.({
    desired: desired(want),
    live: observed(have),
    inventory: managedFields
      ? { key: 'k8s/apps/Deployment/ns/api', kind: 'KubernetesObject', managedFields }
      : undefined,
  }) ?? [];

describe('kubernetesObjectRules.diff', () => {
  it('finds no difference when the live object only adds defaults, status, other containers and canonical quantities', () => {
    expect(diff(deployment(), liveDeployment())).toEqual([]);
  });

  it('names the exact field inside a list item, addressed by its merge key', () => {
    const want = deployment();
    const containers = ((want.spec as JsonObject).template as { spec: { containers: JsonObject[] } }).spec.containers;
    (containers[0] as JsonObject).image = 'api:2';
    (containers[0] as JsonObject).env = [
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ];
    (want.spec as JsonObject).replicas = 3;

    expect(diff(want, liveDeployment())).toEqual([
      { path: 'manifest.spec.replicas', before: 2, after: 3 },
      { path: 'manifest.spec.template.spec.containers[name="app"].env[name="B"].name', after: 'B' },
      { path: 'manifest.spec.template.spec.containers[name="app"].env[name="B"].value', after: '2' },
      { path: 'manifest.spec.template.spec.containers[name="app"].image', before: 'api:1', after: 'api:2' },
    ]);
  });

  it('quotes label keys with dots and slashes in paths', () => {
    const want = deployment();
    (want.metadata as { labels: JsonObject }).labels['app.kubernetes.io/part-of'] = 'payments';
    expect(diff(want, liveDeployment())).toEqual([
      { path: 'manifest.metadata.labels["app.kubernetes.io/part-of"]', after: 'payments' },
    ]);
  });

  it('shows a field Landscape applied before and no longer declares as removed', () => {
    const live = liveDeployment();
    (live.metadata as { labels: JsonObject }).labels.tier = 'backend';
    const managed = [
      ...(kubernetesObjectRules.managedFields?.(desired(deployment())) ?? []),
      'manifest.metadata.labels.tier',
    ];

    expect(diff(deployment(), live, managed)).toEqual([
      {
        path: 'manifest.metadata.labels.tier',
        before: 'backend',
        note: 'removed from git: server-side apply removes it (unless another manager also sets it)',
      },
    ]);
  });

  it('treats omitted zero values as absent, but an empty object as a declared value', () => {
    expect(diffManifest({ a: '', b: false, c: 0, d: [] }, {})).toEqual([]);
    expect(diffManifest({ emptyDir: {} }, {})).toEqual([{ path: 'emptyDir', after: {} }]);
    expect(diffManifest({ emptyDir: {} }, { emptyDir: { medium: '' } })).toEqual([]);
  });

  it('compares scalar lists as a whole', () => {
    expect(diffManifest({ args: ['a', 'b'] }, { args: ['a'] })).toEqual([
      { path: 'args', before: ['a'], after: ['a', 'b'] },
    ]);
  });
});

describe('kubernetesObjectRules.refuseUpdate', () => {
  it('refuses the whole update with OwnedByOther when another manager owns the fields', () => {
    const fields = [{ path: 'manifest.spec.replicas', before: 2, after: 3 }];
    const refusals = kubernetesObjectRules.refuseUpdate?.(
      {
        desired: desired(deployment()),
        live: observed(liveDeployment(), ['.spec.replicas (field manager "hpa")']),
        inventory: undefined,
      },
      fields,
    );
    expect(refusals).toEqual([
      {
        reason: 'OwnedByOther',
        message: expect.stringContaining('.spec.replicas (field manager "hpa")'),
        paths: ['manifest.spec.replicas'],
      },
    ]);
  });

  it('refuses a selector change as an immutable field and keeps the rest of the update', () => {
    const fields = [
      { path: 'manifest.spec.selector.matchLabels.app', before: 'api', after: 'api2' },
      { path: 'manifest.spec.replicas', before: 2, after: 3 },
    ];
    const refusals = kubernetesObjectRules.refuseUpdate?.(
      { desired: desired(deployment()), live: observed(liveDeployment()), inventory: undefined },
      fields,
    );
    expect(refusals).toEqual([
      {
        reason: 'ImmutableField',
        message: expect.stringContaining('a workload selector can not change'),
        paths: ['manifest.spec.selector.matchLabels.app'],
      },
    ]);
  });
});

describe('kubernetesObjectRules create, inventory and export', () => {
  it('lists every declared leaf for a Create and remembers the same paths', () => {
    const fields = kubernetesObjectRules.createFields?.(desired(deployment())) ?? [];
    expect(fields).toContainEqual({ path: 'manifest.spec.template.spec.containers[name="app"].image', after: 'api:1' });
    expect(kubernetesObjectRules.managedFields?.(desired(deployment()))).toEqual(fields.map((f) => f.path));
  });

  it('exports the live manifest without the ownership labels', () => {
    const live = liveDeployment();
    (live.metadata as { labels: JsonObject }).labels['landscape.dev/environment'] = 'prod';
    const exported = kubernetesObjectRules.exportSpec?.(observed(live)) as { manifest: { metadata: JsonObject } };
    expect(exported.manifest.metadata.labels).toBeUndefined();
    expect((live.metadata as { labels: JsonObject }).labels['landscape.dev/environment']).toBe('prod');
  });
});

describe('paths and quantities', () => {
  it('round-trips paths', () => {
    const segments = [
      { key: 'manifest' },
      { key: 'metadata' },
      { key: 'labels' },
      { key: 'app.kubernetes.io/name' },
      { key: 'ports' },
      { mergeKey: 'containerPort', value: 8080 },
      { index: 0 },
    ];
    const path = formatPath(segments);
    expect(path).toBe('manifest.metadata.labels["app.kubernetes.io/name"].ports[containerPort=8080][0]');
    expect(parsePath(path)).toEqual(segments);
  });

  it('reads Kubernetes quantities', () => {
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('1Gi')).toBe(1024 ** 3);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity(2)).toBe(2);
    expect(parseQuantity('fast')).toBeUndefined();
  });
});

describe('kubernetesObjectRules secret references', () => {
  const secret = (name: string): DesiredResource => ({
    key: 'k8s/core/Secret/ns/db',
    kind: 'KubernetesObject',
    name: 'Secret ns/db',
    spec: {
      manifest: {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'db', namespace: 'ns' },
        stringData: { password: { secretRef: { provider: 'env', name } } },
      },
    },
  });
  const live: ObservedResource = {
    key: 'k8s/core/Secret/ns/db',
    kind: 'KubernetesObject',
    name: 'Secret ns/db',
    spec: {
      manifest: {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'db', namespace: 'ns' },
        data: { password: '(redacted)' },
      },
    },
  };

  it('shows a reference, never a value, on create and remembers a digest of the references', () => {
    expect(kubernetesObjectRules.createFields?.(secret('A'))).toContainEqual({
      path: 'manifest.stringData.password',
      after: 'secret env/A',
      secret: true,
    });
    expect(kubernetesObjectRules.secretDigest?.(secret('A'))).toBe(
      '[["manifest.stringData.password",{"secretRef":{"name":"A","provider":"env"}}]]',
    );
  });

  it('reports "changed" only when the reference changed', () => {
    const inventory = {
      key: live.key,
      kind: 'KubernetesObject' as const,
      secretDigest: kubernetesObjectRules.secretDigest?.(secret('A')) as string,
    };
    expect(kubernetesObjectRules.diff?.({ desired: secret('A'), live, inventory })).toEqual([]);
    expect(kubernetesObjectRules.diff?.({ desired: secret('B'), live, inventory })).toEqual([
      { path: 'manifest.stringData.password', after: 'changed (secret env/B)', secret: true },
    ]);
  });
});
