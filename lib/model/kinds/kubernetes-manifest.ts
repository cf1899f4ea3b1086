import { z } from 'zod';

/** Any Kubernetes object, server-side applied as given (namespace defaults to the Environment's). */
export const KubernetesManifestSpecSchema = z.strictObject({
  manifest: z.looseObject({
    apiVersion: z.string().min(1),
    kind: z.string().min(1),
    metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().optional() }),
  }),
});
export type KubernetesManifestSpec = z.infer<typeof KubernetesManifestSpecSchema>;
