import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeClient } from '../../../lib/adapters/k8s/kube-client.ts';
import { rawAdmin } from '../../../scripts/services/kafka-broker.ts';
import { writeFiles } from '../../support/builders.ts';
import type { landscapeCli } from '../../support/cli/landscape-cli.ts';
import { testEnvironmentYaml } from '../../support/kafka.ts';
import { registerTestSecret } from '../../support/scan/suite-secrets.ts';

/**
 * Support for the tests that run Landscape's own CLI (plan, apply, drift) against the kube-apiserver of
 * scripts/services/k8s.sh with the EKS token webhook and client CA of scripts/services/auth.sh (RECIPES.md
 * section 10): every authentication mechanism of `spec.kubernetes` against a server that really checks it.
 */
export const eksUp = Boolean(
  process.env.EKS_KUBECONFIG && process.env.AWSCLI && process.env.K8S_CERT_KUBECONFIG && process.env.EKS_SERVER,
);
export const notUpReason = 'start the services with `bash scripts/services/up.sh eks` and source env.sh';

// Secrets the CLI is given here: the suite-wide scan must find none of them in any output.
for (const name of [
  'AUTH_AWS_SECRET_ACCESS_KEY',
  'AUTH_AWS_READONLY_SECRET_ACCESS_KEY',
  'AUTH_AWS_SESSION_SECRET_ACCESS_KEY',
  'AUTH_AWS_SESSION_TOKEN',
]) {
  const value = process.env[name];
  if (value) registerTestSecret(name, value);
}

export function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set: ${notUpReason}`);
  return value;
}

/** The body of a PEM private key file: the part that must never be printed. */
export function registerPrivateKey(name: string, pem: string): string {
  const body = pem
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'))
    .join('');
  registerTestSecret(name, body);
  // Also the first line alone: an output that wrapped the PEM at 64 columns would hold it verbatim.
  const firstLine = pem.split('\n').find((l) => l && !l.startsWith('-----'));
  if (firstLine) registerTestSecret(`${name}_LINE`, firstLine);
  return pem;
}

/** The admin (system:masters) client of the test API server, from $KUBECONFIG (k8s.sh's admin token). */
export function adminClient(): KubeClient {
  const kubeconfig = readFileSync(env('KUBECONFIG'), 'utf8');
  const token = /token:\s*(\S+)/.exec(kubeconfig)?.[1];
  if (!token) throw new Error(`no admin token in ${env('KUBECONFIG')}`);
  return new KubeClient({ server: env('EKS_SERVER'), token, ca: readFileSync(env('EKS_CA_FILE'), 'utf8') });
}

export const uniqueName = (prefix: string) =>
  `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

/**
 * A namespace where the group `landscape:deployers` (the EKS CI identity, the client-certificate user) and the
 * service account `reach-sa` may manage what KubernetesManifests and Apps render, and nothing else.
 */
export async function prepareNamespace(admin: KubeClient, namespace: string): Promise<void> {
  const post = (path: string, body: unknown) => admin.request('POST', path, { body });
  await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await post(`/api/v1/namespaces/${namespace}/serviceaccounts`, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'reach-sa' },
  });
  await post(`/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'landscape-reach' },
    rules: [
      { apiGroups: [''], resources: ['configmaps', 'secrets', 'services', 'serviceaccounts'], verbs: ['*'] },
      { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['*'] },
    ],
  });
  await post(`/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'landscape-reach' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'landscape-reach' },
    subjects: [
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'landscape:deployers' },
      { kind: 'ServiceAccount', name: 'reach-sa', namespace },
    ],
  });
}

/** A token of `reach-sa` from the TokenRequest API (what the kubelet mounts into a pod), registered as secret. */
export async function serviceAccountToken(admin: KubeClient, namespace: string): Promise<string> {
  const answer = await admin.request<{ status: { token: string } }>(
    'POST',
    `/api/v1/namespaces/${namespace}/serviceaccounts/reach-sa/token`,
    { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } } },
  );
  return registerTestSecret('REACH_SERVICE_ACCOUNT_TOKEN', answer.status.token);
}

/** A private directory removed at the end (kubeconfigs, service-account mounts, CLI state). */
export class Workdir {
  readonly path = mkdtempSync(join(tmpdir(), 'landscape-reach-'));
  dir(name: string): string {
    const path = mkdtempSync(join(this.path, `${name}-`));
    return path;
  }
  file(name: string, content: string): string {
    const path = join(this.path, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  }
  dispose(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** PEM text as a YAML block scalar, indented for `spec.kubernetes.<field>: |`. */
export const pemBlock = (pem: string, indent = 6) =>
  `|\n${pem
    .trim()
    .split('\n')
    .map((l) => `${' '.repeat(indent)}${l}`)
    .join('\n')}`;

/**
 * A config directory for one mechanism: the Environment (the shared broker for Kafka; `kubernetes` as given),
 * a KubernetesManifest ConfigMap and an App producing a topic (ServiceAccount, ConfigMap, Deployment).
 */
export async function writeConfig(
  dir: string,
  options: { env: string; namespace: string; kubernetes: string; topic: string },
): Promise<void> {
  await writeFiles(dir, {
    'env.yaml': testEnvironmentYaml(options.env, {
      prune: ['Topic', 'Acl'],
      requireApprovalFor: 'none',
      extra: `  kubernetes:
    namespace: ${options.namespace}
    waitForRollout: false
${options.kubernetes
  .trim()
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}`,
    }),
    'k8s.yaml': `apiVersion: landscape.dev/v1
kind: KubernetesManifest
metadata: { name: ${options.env}-settings }
spec:
  manifest: { apiVersion: v1, kind: ConfigMap, metadata: { name: ${options.env}-settings }, data: { mode: fast } }
---
apiVersion: landscape.dev/v1
kind: Topic
metadata: { name: ${options.topic} }
spec: { partitions: 1, replicationFactor: 1 }
---
apiVersion: landscape.dev/v1
kind: App
metadata: { name: ${options.env}-app }
spec:
  principal: User:${options.env}-app
  produces: [${options.topic}]
  runtime: { type: container, image: "example/reach:1" }
`,
  });
}

export type Cli = typeof landscapeCli;

/** Whether the shared broker has `topic` (to show a refused apply changed nothing in Kafka either). */
export async function topicExists(topic: string): Promise<boolean> {
  const admin = rawAdmin('landscape-it-reach');
  try {
    return (await admin.listTopics()).includes(topic);
  } finally {
    await admin.close();
  }
}
