import { z } from 'zod';

/** Any Kubernetes object, server-side applied as given (namespace defaults to the Environment's). */
export const KubernetesManifestSpecSchema = z
  .strictObject({
    manifest: z
      .looseObject({
        apiVersion: z.string().min(1),
        kind: z.string().min(1),
        metadata: z.looseObject({
          name: z.string().min(1),
          namespace: z.string().optional().describe("Default: the Environment's `kubernetes.namespace`."),
        }),
      })
      .describe('The object as `kubectl apply` takes it; other fields are passed through as written.'),
  })
  .describe('Any Kubernetes object, server-side applied as given and labelled as managed by Landscape.');
export type KubernetesManifestSpec = z.infer<typeof KubernetesManifestSpecSchema>;

/**
 * Ownership labels on every Kubernetes object Landscape applies: the planner writes them, the Kubernetes adapter
 * lists objects by them to find what it may prune, so objects without them are never touched.
 */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'landscape';
export const ENVIRONMENT_LABEL = 'landscape.dev/environment';

/**
 * Metadata fields the API server owns: copied manifests (`kubectl get -o yaml`) carry them, so the planner strips
 * them before apply, and the adapter leaves them out of what it compares, fingerprints and exports.
 */
export const SERVER_METADATA: readonly string[] = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
];
