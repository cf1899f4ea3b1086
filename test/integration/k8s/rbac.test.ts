import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../../lib/adapters/k8s/kube-client.ts';
import type { ResourceProvider } from '../../../lib/ports/resource-provider.ts';
import {
  adminClient,
  availableCluster,
  configMapObject,
  createChange,
  createNamespace,
  desiredObject,
  providerFor,
  secretsFor,
} from '../../support/k8s.ts';
import { uniqueName } from '../../support/unique-name.ts';

const cluster = await availableCluster();
const ENV = uniqueName('it-rbac');

describe.runIf(cluster)('KubernetesProvider with a low-privilege token', () => {
  const c = cluster as NonNullable<typeof cluster>;
  const namespace = uniqueName('lt-rbac');
  let admin: KubeClient;
  let dev: ResourceProvider;

  beforeAll(async () => {
    admin = adminClient(c);
    await createNamespace(admin, namespace);
    // "dev" (static token, no groups) may read ConfigMaps in this namespace and nothing else.
    await admin.request('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles`, {
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'config-reader' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
      },
    });
    await admin.request('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`, {
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'dev-reads-config' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'config-reader' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'dev' }],
      },
    });
    dev = await providerFor(c, ENV, namespace, { token: 'k8s-dev' });
  });

  afterAll(async () => {
    await dev?.close();
    admin?.close();
  });

  const configMap = (name: string) => configMapObject(ENV, namespace, name);

  it('fails an apply it has no right to with the user, verb, resource and namespace, and what to grant', async () => {
    const [result] = await dev.apply([createChange(configMap('denied'))], { secrets: secretsFor(c) });

    expect(result?.outcome).toBe('Failed');
    expect(result?.message).toBe(
      `applying ConfigMap ${namespace}/denied: configmaps "denied" is forbidden: User "dev" cannot patch resource "configmaps" in API group "" in the namespace "${namespace}" (API server ${new URL(c.server).origin}, auth: token) (grant the identity Landscape uses "patch" on "configmaps" in namespace "${namespace}")`,
    );
  });

  it('refuses to plan objects it can not read, naming the verb and resource', async () => {
    const deployment = desiredObject(ENV, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'hidden', namespace },
      spec: {
        selector: { matchLabels: { app: 'x' } },
        template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
      },
    });

    await expect(dev.observe([deployment])).rejects.toThrow(
      `reading Deployment ${namespace}/hidden: deployments.apps "hidden" is forbidden: User "dev" cannot get resource "deployments" in API group "apps" in the namespace "${namespace}" (API server ${new URL(c.server).origin}, auth: token) (grant the identity Landscape uses "get" on "deployments" in API group "apps" in namespace "${namespace}")`,
    );
  });

  it('warns, without failing the plan, when it may not dry-run', async () => {
    const desired = configMap('dry');
    await dev.observe([desired]);

    const notes = await dev.check?.([createChange(desired)]);

    expect(notes).toEqual([
      {
        key: desired.key,
        level: 'warning',
        message: expect.stringMatching(
          /^ConfigMap .*\/dry: server-side dry-run not allowed \(.*cannot patch resource "configmaps".*\); apply may fail the same way$/,
        ),
      },
    ]);
  });

  it('finds its objects namespace by namespace when it may not list cluster-wide', async () => {
    const owned = configMap('owned-by-landscape');
    await admin.request('POST', `/api/v1/namespaces/${namespace}/configmaps`, { body: owned.spec.manifest });

    const observed = await dev.observe([]);

    expect(observed.map((o) => [o.key, o.ownedByLandscape])).toEqual([[owned.key, true]]);
  });
});
