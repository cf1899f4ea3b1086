import type { JsonObject } from '../../model/common.ts';
import type { SourceLocation } from '../../model/documents.ts';
import { keys } from '../../model/keys.ts';
import {
  ENVIRONMENT_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  SERVER_METADATA,
} from '../../model/kinds/kubernetes-manifest.ts';
import type { DesiredResource } from '../../model/resource.ts';
import type { DocumentKindModule, Renderer } from './kind-module.ts';

/**
 * Kinds that are cluster-scoped in every Kubernetes release: they get no namespace. Any other kind is treated
 * as namespaced and defaults to the Environment's namespace (cluster-scoped custom resources are a known gap).
 */
const CLUSTER_SCOPED_KINDS = new Set([
  'APIService',
  'CertificateSigningRequest',
  'ClusterRole',
  'ClusterRoleBinding',
  'ComponentStatus',
  'CSIDriver',
  'CSINode',
  'CustomResourceDefinition',
  'FlowSchema',
  'IngressClass',
  'MutatingWebhookConfiguration',
  'Namespace',
  'Node',
  'PersistentVolume',
  'PriorityClass',
  'PriorityLevelConfiguration',
  'RuntimeClass',
  'StorageClass',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration',
  'VolumeAttachment',
]);

export interface KubernetesObjectOptions {
  /** Namespace for namespaced kinds whose manifest names none. */
  defaultNamespace: string;
  /** Environment metadata.name: the value of the `landscape.dev/environment` label. */
  environment: string;
  source?: SourceLocation;
  origin?: string;
}

/**
 * Wraps one manifest as a desired `KubernetesObject`: namespace defaulted, server-owned fields dropped, the
 * ownership labels added (overriding any value the manifest gave them). Spec: `{ manifest }`.
 */
export function kubernetesObject(manifest: JsonObject, options: KubernetesObjectOptions): DesiredResource {
  const { status: _status, ...rest } = manifest;
  const metadata = { ...((rest.metadata ?? {}) as JsonObject) };
  for (const field of SERVER_METADATA) delete metadata[field];
  const apiVersion = String(rest.apiVersion);
  const kind = String(rest.kind);
  const name = String(metadata.name);
  const clusterScoped = CLUSTER_SCOPED_KINDS.has(kind);
  if (clusterScoped) delete metadata.namespace;
  else if (typeof metadata.namespace !== 'string' || metadata.namespace === '')
    metadata.namespace = options.defaultNamespace;
  metadata.labels = {
    ...((metadata.labels ?? {}) as JsonObject),
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    [ENVIRONMENT_LABEL]: options.environment,
  };
  const namespace = clusterScoped ? undefined : (metadata.namespace as string);
  return {
    key: keys.k8s(apiVersion, kind, namespace, name),
    kind: 'KubernetesObject',
    name: namespace === undefined ? `${kind} ${name}` : `${kind} ${namespace}/${name}`,
    spec: { manifest: { ...rest, apiVersion, kind, metadata } },
    ...(options.source ? { source: options.source } : {}),
    ...(options.origin ? { origin: options.origin } : {}),
  };
}

/** Any Kubernetes object, passed through: namespace from the manifest or the Environment, ownership labels added. */
export const renderKubernetesManifest: Renderer<'KubernetesManifest'> = (doc, config) => ({
  resources: [
    kubernetesObject(doc.spec.manifest as unknown as JsonObject, {
      defaultNamespace: config.environment.spec.kubernetes?.namespace ?? 'default',
      environment: config.environment.metadata.name,
      source: doc.source,
    }),
  ],
  problems: [],
});

export const kubernetesManifestDocument: DocumentKindModule<'KubernetesManifest'> = {
  kind: 'KubernetesManifest',
  role: 'resource',
  render: renderKubernetesManifest,
};
