import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient, KubeObject } from '../../../lib/adapters/k8s/kube-client.ts';
import { applyPlan } from '../../../lib/engine/apply-plan.ts';
import { sha256Hex } from '../../../lib/engine/hash.ts';
import type { JsonObject } from '../../../lib/model/common.ts';
import { computePlan } from '../../../lib/plan/compute-plan.ts';
import type { ResourceProvider } from '../../../lib/ports/resource-provider.ts';
import { testEnvironment } from '../../support/builders.ts';
import {
  adminClient,
  availableCluster,
  configMapObject,
  createChange,
  createNamespace,
  deleteChange,
  providerFor,
  secretsFor,
} from '../../support/k8s.ts';
import { uniqueName } from '../../support/unique-name.ts';

const cluster = await availableCluster();
const ENV = uniqueName('it-k8s-id');

/** The Kubernetes uid is part of a plan's basis: an object deleted and re-created since planning is another object. */
describe.runIf(cluster)('Kubernetes object identity in plans', () => {
  const c = cluster as NonNullable<typeof cluster>;
  const namespace = uniqueName('lt-id');
  let admin: KubeClient;
  let k8s: ResourceProvider;

  beforeAll(async () => {
    admin = adminClient(c);
    await createNamespace(admin, namespace);
    k8s = await providerFor(c, ENV, namespace);
  });

  afterAll(async () => {
    await admin?.request('DELETE', `/api/v1/namespaces/${namespace}`).catch(() => undefined);
    await k8s?.close();
    admin?.close();
  });

  const configMap = (name: string) => configMapObject(ENV, namespace, name);
  const path = (name: string) => `/api/v1/namespaces/${namespace}/configmaps/${name}`;
  const uidOf = async (name: string) => (await admin.request<KubeObject>('GET', path(name))).metadata.uid;

  /** Deletes the object and creates it again by hand, with the same manifest (Landscape's labels included). */
  async function recreate(name: string): Promise<void> {
    await admin.request('DELETE', path(name));
    await admin.request('POST', `/api/v1/namespaces/${namespace}/configmaps`, {
      body: configMap(name).spec.manifest as JsonObject,
    });
  }

  it('refuses a plan whose object to delete was re-created since planning, naming both uids', async () => {
    // Prepare: Landscape created the object; git dropped it; a plan deletes it.
    const cm = configMap('recreated');
    await k8s.apply([createChange(cm)], { secrets: secretsFor(c) });
    const plan = computePlan({
      environment: testEnvironment({ prune: { KubernetesObject: true } }, ENV),
      desired: [],
      observed: await k8s.observeKeys([cm.key]),
      inventory: { [cm.key]: { key: cm.key, kind: 'KubernetesObject' } },
      observedKinds: ['KubernetesObject'],
      source: {},
      toolVersion: 'test',
      hash: sha256Hex,
    });
    const oldUid = await uidOf('recreated');
    expect(plan.changes).toEqual([expect.objectContaining({ action: 'Delete', identity: oldUid })]);
    await recreate('recreated');
    const newUid = await uidOf('recreated');

    // Act
    const { report } = await applyPlan({
      plan,
      providers: [k8s],
      inventory: {},
      secrets: secretsFor(c),
      now: () => new Date(),
    });

    // Assess
    expect(report.outcome).toBe('Refused');
    expect(report.refusal?.message).toContain(`deleted and re-created since planning (uid ${oldUid} -> ${newUid})`);
    expect(await uidOf('recreated')).toBe(newUid);
  });

  it('deletes only the planned uid: a re-created object is left alone', async () => {
    // Prepare: the window between apply's staleness check and the delete, made deterministic.
    const cm = configMap('raced');
    await k8s.apply([createChange(cm)], { secrets: secretsFor(c) });
    const oldUid = await uidOf('raced');
    await recreate('raced');
    const newUid = await uidOf('raced');

    // Act
    const [result] = await k8s.apply([{ ...deleteChange(cm.key, cm.name), ...(oldUid ? { identity: oldUid } : {}) }], {
      secrets: secretsFor(c),
    });

    // Assess
    expect(result).toMatchObject({ outcome: 'Failed' });
    expect(result?.message).toContain(`deleted and re-created since planning (uid ${oldUid} -> ${newUid})`);
    expect(await uidOf('raced')).toBe(newUid);
  });
});
