import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../../lib/adapters/k8s/kube-client.ts';
import { loadConfig } from '../../../lib/config/load-config.ts';
import { applyPlan } from '../../../lib/engine/apply-plan.ts';
import { planEnvironment } from '../../../lib/engine/plan-environment.ts';
import type { Plan } from '../../../lib/model/plan.ts';
import type { Inventory } from '../../../lib/model/resource.ts';
import type { ResourceProvider } from '../../../lib/ports/resource-provider.ts';
import { configDir, environmentYaml } from '../../support/builders.ts';
import { adminClient, availableCluster, createNamespace, providerFor, secretsFor } from '../../support/k8s.ts';
import { uniqueName } from '../../support/unique-name.ts';

const cluster = await availableCluster();
// Unique per run: objects of earlier runs (other namespaces, same cluster) must not be pruned or listed.
const ENV = uniqueName('it-pipe');

describe.runIf(cluster)('plan and apply of KubernetesManifests through the engine', () => {
  const c = cluster as NonNullable<typeof cluster>;
  const namespace = uniqueName('lt-pipe');
  let admin: KubeClient;
  let k8s: ResourceProvider;
  let inventory: Inventory = {};

  beforeAll(async () => {
    admin = adminClient(c);
    await createNamespace(admin, namespace);
    // No controller here: success = applied (the rollout wait is covered in kubernetes-provider.test.ts).
    k8s = await providerFor(c, ENV, namespace, { waitForRollout: false });
  });

  afterAll(async () => {
    await k8s?.close();
    admin?.close();
  });

  const environment = environmentYaml({
    name: ENV,
    extra: [
      `  kubernetes: { server: "https://127.0.0.1:6443", namespace: ${namespace} }`,
      '  prune: { KubernetesObject: true }',
      '  requireApprovalFor: none',
    ].join('\n'),
  });
  const manifests = (replicas: number, withSettings: boolean) => `apiVersion: landscape.dev/v1
kind: KubernetesManifest
metadata: { name: web }
spec:
  manifest:
    apiVersion: apps/v1
    kind: Deployment
    metadata: { name: web }
    spec:
      replicas: ${replicas}
      selector: { matchLabels: { app: web } }
      template:
        metadata: { labels: { app: web } }
        spec:
          containers:
            - name: web
              image: nginx:1.27
              ports: [{ containerPort: 8080 }]
              resources: { limits: { cpu: "1", memory: 1024Mi } }
${
  withSettings
    ? `---
apiVersion: landscape.dev/v1
kind: KubernetesManifest
metadata: { name: settings }
spec:
  manifest: { apiVersion: v1, kind: ConfigMap, metadata: { name: settings }, data: { mode: fast } }
`
    : ''
}`;

  async function plan(replicas: number, withSettings: boolean): Promise<Plan> {
    const dir = await configDir({ 'env.yaml': environment, 'k8s.yaml': manifests(replicas, withSettings) });
    const result = await planEnvironment({
      config: await loadConfig(dir, ENV),
      providers: [k8s],
      inventory,
      source: { commit: 'test' },
    });
    expect(result.problems).toEqual([]);
    return result.plan as Plan;
  }

  async function apply(p: Plan) {
    const { report, inventory: next } = await applyPlan({
      plan: p,
      providers: [k8s],
      inventory,
      secrets: secretsFor(c),
      now: () => new Date(),
    });
    inventory = next;
    return report;
  }

  it('creates, then converges to no changes', async () => {
    const first = await plan(2, true);
    expect(first.changes.map((ch) => [ch.action, ch.key])).toEqual([
      ['Create', `k8s/apps/Deployment/${namespace}/web`],
      ['Create', `k8s/core/ConfigMap/${namespace}/settings`],
    ]);
    expect((await apply(first)).outcome).toBe('Succeeded');

    const second = await plan(2, true);
    expect(second.changes).toEqual([]);
    expect(second.summary.noop).toBe(2);
  });

  it('plans an update with the exact field and applies it', async () => {
    const p = await plan(3, true);
    expect(p.changes.map((ch) => [ch.action, ch.fields.map((f) => [f.path, f.before, f.after])])).toEqual([
      ['Update', [['manifest.spec.replicas', 2, 3]]],
    ]);
    expect(p.notes).toContainEqual(
      expect.objectContaining({ level: 'info', message: expect.stringContaining('dry-run changes .spec.replicas') }),
    );
    expect((await apply(p)).outcome).toBe('Succeeded');
    expect((await plan(3, true)).changes).toEqual([]);
  });

  it('prunes a manifest removed from git', async () => {
    const p = await plan(3, false);
    expect(p.changes.map((ch) => [ch.action, ch.key])).toEqual([
      ['Delete', `k8s/core/ConfigMap/${namespace}/settings`],
    ]);
    expect((await apply(p)).outcome).toBe('Succeeded');
    await expect(admin.request('GET', `/api/v1/namespaces/${namespace}/configmaps/settings`)).rejects.toThrow(
      /not found/,
    );
    expect((await plan(3, false)).changes).toEqual([]);
  });
});
