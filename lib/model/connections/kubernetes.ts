import { z } from 'zod';
import { DurationSchema, SecretOrStringSchema, SecretRefSchema } from '../common.ts';
import { pemProblem } from './pem.ts';

const AwsRegionSchema = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'expected an AWS region such as "eu-west-1"');

/**
 * Amazon EKS: the bearer token is a presigned STS GetCallerIdentity URL naming the cluster (what
 * `aws eks get-token` prints), signed with the default AWS credential chain, optionally after assuming `roleArn`.
 * Without `server`/`ca`, both come from `eks:DescribeCluster` (ADR 0041).
 */
export const EksAuthSchema = z.strictObject({
  type: z.literal('eks'),
  clusterName: z
    .string()
    .regex(/^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/, 'expected an EKS cluster name (letters, digits, "-", "_")')
    .describe('The EKS cluster name: signed into the token, so a token for one cluster fails on another.'),
  region: AwsRegionSchema.optional().describe(
    'Default: AWS_REGION / AWS_DEFAULT_REGION. Picks the regional STS endpoint the token is signed for.',
  ),
  roleArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'expected an IAM role ARN')
    .optional()
    .describe('A role to assume before signing (else the default AWS credential chain signs).'),
  roleSessionName: z.string().min(2).max(64).optional(),
});

/**
 * A kubeconfig file, as kubectl reads it: for the local CLI. Server, CA, client certificates, tokens and exec
 * credential plugins (`aws eks get-token`, `gke-gcloud-auth-plugin`, `kubelogin`, ...) come from the context.
 */
export const KubeconfigAuthSchema = z.strictObject({
  type: z.literal('kubeconfig'),
  path: z.string().min(1).optional().describe('Default: the first file of `$KUBECONFIG`, else `~/.kube/config`.'),
  context: z.string().min(1).optional().describe("Default: the file's `current-context`."),
});

/** The pod's service account: token (re-read as the kubelet rotates it), CA and `KUBERNETES_SERVICE_HOST/PORT`. */
export const InClusterAuthSchema = z.strictObject({
  type: z.literal('in-cluster'),
  serviceAccountDir: z
    .string()
    .min(1)
    .optional()
    .describe('Where the token and `ca.crt` are mounted. Default `/var/run/secrets/kubernetes.io/serviceaccount`.'),
});

export const KubernetesAuthSchema = z.discriminatedUnion('type', [
  EksAuthSchema,
  KubeconfigAuthSchema,
  InClusterAuthSchema,
]);
export type KubernetesAuth = z.infer<typeof KubernetesAuthSchema>;

/** How Landscape reaches the Kubernetes API server (`spec.kubernetes`). */
export const KubernetesConnectionSchema = z
  .strictObject({
    server: z
      .url()
      .optional()
      .describe(
        "The API server URL. Required unless `auth` supplies it (a kubeconfig, in-cluster, or EKS's DescribeCluster).",
      ),
    namespace: z
      .string()
      .min(1)
      .default('default')
      .describe('Namespace of the objects that name none (Apps without `namespace`, manifests without one).'),
    token: SecretRefSchema.optional().describe('A bearer token. Exclusive with `auth`.'),
    auth: KubernetesAuthSchema.optional().describe(
      'How Landscape authenticates when it is not a static token: `eks`, `kubeconfig` or `in-cluster`.',
    ),
    ca: SecretOrStringSchema.optional().describe('PEM text of the cluster CA, or a secret reference to it.'),
    clientCertificate: SecretOrStringSchema.optional().describe(
      'Client certificate (PEM text, or a secret reference to it), next to or instead of `token`. Needs `clientKey`.',
    ),
    clientKey: SecretRefSchema.optional().describe(
      "The client certificate's private key (PEM): a secret reference, a key is never inline.",
    ),
    insecureSkipTlsVerify: z.boolean().default(false).describe('Off only for tests: accepts any server certificate.'),
    healthTimeout: DurationSchema.default('5m').describe('How long apply waits for rollouts.'),
    waitForRollout: z
      .boolean()
      .default(true)
      .describe(
        'Wait after applying a Deployment, StatefulSet or DaemonSet until its rollout completes. Off: applied means done (workloads rolled out by something else), at the price of not noticing a crash-looping rollout.',
      ),
  })
  .superRefine((spec, ctx) => {
    const issue = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message, input: spec });
    if (spec.server === undefined && spec.auth === undefined) {
      issue(
        'server',
        'is required (expected a URL such as "https://api.example:6443"), unless auth supplies it: ' +
          'auth: { type: kubeconfig }, { type: in-cluster } or { type: eks, clusterName }',
      );
    }
    if (spec.auth !== undefined) {
      // One source of credentials: a token or certificate given next to `auth` would silently win or lose.
      for (const field of ['token', 'clientCertificate', 'clientKey'] as const) {
        if (spec[field] !== undefined) {
          issue(
            field,
            `cannot be combined with auth (type ${spec.auth.type}), which supplies the credentials: remove one`,
          );
        }
      }
      if (spec.auth.type === 'kubeconfig' && spec.ca !== undefined) {
        issue('ca', 'cannot be combined with auth (type kubeconfig), which supplies the CA: remove one');
      }
    } else {
      if (spec.clientCertificate !== undefined && spec.clientKey === undefined) {
        issue('clientKey', 'is required with clientCertificate (a secret reference to the PEM private key)');
      }
      if (spec.clientKey !== undefined && spec.clientCertificate === undefined) {
        issue('clientCertificate', 'is required with clientKey (PEM text, or a secret reference to it)');
      }
    }
    for (const field of ['ca', 'clientCertificate'] as const) {
      const value = spec[field];
      if (typeof value !== 'string') continue;
      const problem = pemProblem(value, ['CERTIFICATE']);
      if (problem)
        issue(field, `is not a PEM certificate: ${problem} (paste the whole file, BEGIN/END lines included)`);
    }
  })
  .describe('How Landscape reaches the Kubernetes API server (Apps and KubernetesManifests).');
export type KubernetesConnection = z.infer<typeof KubernetesConnectionSchema>;
