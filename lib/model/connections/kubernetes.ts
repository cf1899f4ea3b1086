import { z } from 'zod';
import { DurationSchema, SecretOrStringSchema, SecretRefSchema } from '../common.ts';

/** How Landscape reaches the Kubernetes API server (`spec.kubernetes`). */
export const KubernetesConnectionSchema = z.strictObject({
  server: z.url(),
  namespace: z.string().min(1).default('default'),
  token: SecretRefSchema.optional(),
  /** PEM text of the cluster CA, or a secret reference to it. */
  ca: SecretOrStringSchema.optional(),
  insecureSkipTlsVerify: z.boolean().default(false),
  /** How long to wait for rollouts after apply. */
  healthTimeout: DurationSchema.default('5m'),
  /**
   * Wait after applying a Deployment, StatefulSet or DaemonSet until its rollout completes (default). Off:
   * applied means done, for clusters whose workloads are rolled out by something else (or API servers without
   * controllers), at the price of not noticing a crash-looping rollout.
   */
  waitForRollout: z.boolean().default(true),
});
export type KubernetesConnection = z.infer<typeof KubernetesConnectionSchema>;
