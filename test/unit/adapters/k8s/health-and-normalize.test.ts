import { describe, expect, it } from 'vitest';
import { healthOf } from '../../../../lib/adapters/k8s/health.ts';
import type { KubeObject } from '../../../../lib/adapters/k8s/kube-client.ts';
import {
  changedPaths,
  cleanLiveObject,
  parseK8sKey,
  resolveSecretRefs,
} from '../../../../lib/adapters/k8s/normalize.ts';

const deployment = (generation: number, replicas: number, status: Record<string, unknown> | undefined): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', namespace: 'ns', generation },
  spec: { replicas },
  ...(status ? { status } : {}),
});

describe('healthOf', () => {
  it('waits for a controller to observe the generation, and says when there is none', () => {
    expect(healthOf(deployment(1, 2, undefined))).toEqual({
      state: 'InProgress',
      message: 'no controller has observed generation 1 yet (is kube-controller-manager running?)',
    });
    expect(healthOf(deployment(3, 2, { observedGeneration: 2 }))).toEqual({
      state: 'InProgress',
      message: 'controller observed generation 2 of 3',
    });
  });

  it('waits for updated, then available replicas, and old ones to go', () => {
    expect(healthOf(deployment(2, 3, { observedGeneration: 2, updatedReplicas: 1 })).state).toBe('InProgress');
    expect(
      healthOf(deployment(2, 3, { observedGeneration: 2, updatedReplicas: 3, replicas: 4, availableReplicas: 3 })),
    ).toEqual({
      state: 'InProgress',
      message: '1 old replicas pending termination',
    });
    expect(
      healthOf(deployment(2, 3, { observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 2 })),
    ).toEqual({
      state: 'InProgress',
      message: '2 of 3 replicas available',
    });
    expect(
      healthOf(deployment(2, 3, { observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 3 })),
    ).toEqual({
      state: 'Current',
    });
  });

  it('fails a stalled rollout at once', () => {
    const stalled = deployment(2, 1, {
      observedGeneration: 2,
      conditions: [
        {
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: 'ReplicaSet "api-1" has timed out progressing.',
        },
      ],
    });
    expect(healthOf(stalled)).toEqual({
      state: 'Failed',
      message: 'rollout stalled: ReplicaSet "api-1" has timed out progressing.',
    });
  });

  it('treats StatefulSets by ready replicas and revision, and anything else as current when applied', () => {
    const sts = {
      ...deployment(1, 2, {
        observedGeneration: 1,
        updatedReplicas: 2,
        readyReplicas: 2,
        currentRevision: 'a',
        updateRevision: 'b',
      }),
      kind: 'StatefulSet',
    };
    expect(healthOf(sts)).toEqual({ state: 'InProgress', message: 'revision b not rolled out yet' });
    expect(healthOf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } })).toEqual({ state: 'Current' });
  });
});

describe('cleanLiveObject', () => {
  it('drops status and server metadata and redacts Secret values', () => {
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 's',
        uid: 'u',
        resourceVersion: '9',
        managedFields: [],
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
      },
      data: { password: 'c2VjcmV0' },
      type: 'Opaque',
    };
    expect(cleanLiveObject(secret)).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { password: '(redacted)' },
      type: 'Opaque',
    });
    expect(secret.data).toEqual({ password: 'c2VjcmV0' });
  });
});

describe('changedPaths', () => {
  it('lists changed leaves, list items by name', () => {
    const before = {
      spec: {
        replicas: 1,
        containers: [
          { name: 'a', image: 'x:1' },
          { name: 'b', image: 'y' },
        ],
      },
    };
    const after = {
      spec: {
        replicas: 2,
        containers: [
          { name: 'b', image: 'y' },
          { name: 'a', image: 'x:2' },
        ],
      },
    };
    expect(changedPaths(before, after)).toEqual(['.spec.containers[name="a"].image', '.spec.replicas']);
  });
});

describe('parseK8sKey and resolveSecretRefs', () => {
  it('splits keys', () => {
    expect(parseK8sKey('k8s/apps/Deployment/ns/api')).toEqual({
      group: 'apps',
      kind: 'Deployment',
      namespace: 'ns',
      name: 'api',
    });
    expect(parseK8sKey('k8s/core/Namespace/_/ns')).toEqual({
      group: 'core',
      kind: 'Namespace',
      namespace: undefined,
      name: 'ns',
    });
    expect(parseK8sKey('kafka/topic/x')).toBeUndefined();
  });

  it('replaces secret references with resolved values', async () => {
    const resolved = await resolveSecretRefs(
      { stringData: { a: { secretRef: { provider: 'env', name: 'A' } }, b: 'plain' } },
      async (ref) => `value-of-${ref.secretRef.name}`,
    );
    expect(resolved).toEqual({ stringData: { a: 'value-of-A', b: 'plain' } });
  });
});
