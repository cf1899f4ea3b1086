import type { KubeObject } from './kube-client.ts';

/** Health of one applied object, kstatus-style: `Current` is done, `InProgress` keeps waiting, `Failed` stops. */
export type Health = { state: 'Current' } | { state: 'InProgress' | 'Failed'; message: string };

type Condition = { type?: string; status?: string; reason?: string; message?: string };
type WorkloadStatus = {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  desiredNumberScheduled?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  conditions?: Condition[];
};

/** Kinds whose readiness is more than "the API server accepted it". */
export const WAITS_FOR_ROLLOUT = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/**
 * Whether a workload's rollout finished: the controller saw the current generation, and every replica runs the
 * new template and is available. Anything that is not a workload is Current as soon as it is applied.
 */
export function healthOf(object: KubeObject): Health {
  if (!WAITS_FOR_ROLLOUT.has(object.kind)) return { state: 'Current' };
  const generation = object.metadata.generation ?? 0;
  const status = (object.status ?? {}) as WorkloadStatus;
  const spec = (object.spec ?? {}) as { replicas?: number; updateStrategy?: { type?: string } };
  if ((status.observedGeneration ?? 0) < generation) {
    return {
      state: 'InProgress',
      message:
        status.observedGeneration === undefined
          ? `no controller has observed generation ${generation} yet (is kube-controller-manager running?)`
          : `controller observed generation ${status.observedGeneration} of ${generation}`,
    };
  }
  const deadline = status.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
  if (deadline)
    return { state: 'Failed', message: `rollout stalled: ${deadline.message ?? 'progress deadline exceeded'}` };
  if (object.kind === 'DaemonSet') {
    const desired = status.desiredNumberScheduled ?? 0;
    if ((status.updatedNumberScheduled ?? 0) < desired)
      return progress(`${status.updatedNumberScheduled ?? 0} of ${desired} pods updated`);
    if ((status.numberAvailable ?? 0) < desired)
      return progress(`${status.numberAvailable ?? 0} of ${desired} pods available`);
    return { state: 'Current' };
  }
  const replicas = spec.replicas ?? 1;
  if ((status.updatedReplicas ?? 0) < replicas)
    return progress(`${status.updatedReplicas ?? 0} of ${replicas} replicas updated`);
  if (object.kind === 'Deployment') {
    if ((status.replicas ?? 0) > (status.updatedReplicas ?? 0)) {
      return progress(`${(status.replicas ?? 0) - (status.updatedReplicas ?? 0)} old replicas pending termination`);
    }
    if ((status.availableReplicas ?? 0) < replicas)
      return progress(`${status.availableReplicas ?? 0} of ${replicas} replicas available`);
    return { state: 'Current' };
  }
  // StatefulSet
  if ((status.readyReplicas ?? 0) < replicas)
    return progress(`${status.readyReplicas ?? 0} of ${replicas} replicas ready`);
  if (
    spec.updateStrategy?.type !== 'OnDelete' &&
    status.updateRevision &&
    status.currentRevision !== status.updateRevision
  ) {
    return progress(`revision ${status.updateRevision} not rolled out yet`);
  }
  return { state: 'Current' };
}

const progress = (message: string): Health => ({ state: 'InProgress', message });
