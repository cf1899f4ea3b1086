import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { KubeClient, type KubeObject } from '../../lib/adapters/k8s/kube-client.ts';
import {
  createKubernetesProvider,
  type KubernetesProviderOptions,
} from '../../lib/adapters/k8s/kubernetes-provider.ts';
import type { JsonObject } from '../../lib/model/common.ts';
import type { EnvironmentSpec } from '../../lib/model/environment.ts';
import type { PlannedChange } from '../../lib/model/plan.ts';
import type { DesiredResource } from '../../lib/model/resource.ts';
import { kubernetesObjectRules } from '../../lib/plan/kinds/kubernetes-object.ts';
import type { ResourceProvider } from '../../lib/ports/resource-provider.ts';
import type { SecretResolver } from '../../lib/ports/secret-resolver.ts';
import { testEnvironment } from './builders.ts';

/**
 * Connection to the test API server started by scripts/services/k8s.sh. Read from K8S_SERVER / K8S_TOKEN /
 * K8S_USER_TOKEN / K8S_CA_FILE, or from KUBECONFIG (server, token, certificate-authority), with the script's
 * defaults. When nothing answers and the binaries are cached, `k8s.sh ensure` starts the server (a few seconds).
 */
export interface TestCluster {
  server: string;
  adminToken: string;
  userToken: string;
  ca: string;
}

const RUN_DIR = process.env.TI_RUN ?? '/tmp/test-infra';

function fromKubeconfig(): Partial<TestCluster> {
  const file = process.env.KUBECONFIG;
  if (!file || !existsSync(file)) return {};
  const config = parse(readFileSync(file, 'utf8')) as {
    clusters?: { cluster?: { server?: string; 'certificate-authority'?: string } }[];
    users?: { user?: { token?: string } }[];
  };
  const cluster = config.clusters?.[0]?.cluster;
  const caFile = cluster?.['certificate-authority'];
  return {
    ...(cluster?.server ? { server: cluster.server } : {}),
    ...(config.users?.[0]?.user?.token ? { adminToken: config.users[0].user.token } : {}),
    ...(caFile && existsSync(caFile) ? { ca: readFileSync(caFile, 'utf8') } : {}),
  };
}

export function testCluster(): TestCluster {
  const kc = fromKubeconfig();
  const caFile = process.env.K8S_CA_FILE ?? join(RUN_DIR, 'k8s/pki/ca.crt');
  return {
    server: process.env.K8S_SERVER ?? kc.server ?? 'https://127.0.0.1:6443',
    adminToken: process.env.K8S_TOKEN ?? kc.adminToken ?? 'admin-token-0123456789',
    userToken: process.env.K8S_USER_TOKEN ?? 'dev-token-0123456789',
    ca: kc.ca ?? (existsSync(caFile) ? readFileSync(caFile, 'utf8') : ''),
  };
}

async function answers(cluster: TestCluster): Promise<boolean> {
  if (!cluster.ca) return false;
  try {
    await new KubeClient({ server: cluster.server, ca: cluster.ca, timeoutMs: 3000 }).request('GET', '/readyz');
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns the cluster when it answers (starting the local one through k8s.sh when its binaries are built), or
 * undefined so the suite is skipped. K8S_REQUIRED=1 turns "unavailable" into a failure (CI).
 */
export async function availableCluster(): Promise<TestCluster | undefined> {
  let cluster = testCluster();
  if (await answers(cluster)) return cluster;
  const cached = join(process.env.TI_HOME ?? join(homedir(), '.cache/test-infra'), 'bin');
  if (!process.env.K8S_SERVER && existsSync(cached) && readdirHas(cached, 'kube-apiserver-')) {
    execFileSync('bash', [join(import.meta.dirname, '../../scripts/services/k8s.sh'), 'ensure'], {
      stdio: 'inherit',
    });
    cluster = testCluster();
    if (await answers(cluster)) return cluster;
  }
  if (process.env.K8S_REQUIRED === '1') throw new Error(`no Kubernetes API server answers at ${cluster.server}`);
  return undefined;
}

const readdirHas = (dir: string, prefix: string) => readdirSync(dir).some((f) => f.startsWith(prefix));

export const adminClient = (cluster: TestCluster) =>
  new KubeClient({ server: cluster.server, token: cluster.adminToken, ca: cluster.ca });

/** Secrets the tests hand to the adapter: the API tokens and anything a test adds. */
export function secretsFor(cluster: TestCluster, extra: Record<string, string> = {}): SecretResolver {
  const values: Record<string, string> = { 'k8s-admin': cluster.adminToken, 'k8s-dev': cluster.userToken, ...extra };
  return {
    async resolve(ref) {
      const value = values[ref.secretRef.name];
      if (value === undefined) throw new Error(`secret "${ref.secretRef.provider}/${ref.secretRef.name}" not found`);
      return value;
    },
  };
}

export function environmentFor(
  cluster: TestCluster,
  namespace: string,
  overrides: { token?: 'k8s-admin' | 'k8s-dev'; healthTimeout?: string; waitForRollout?: boolean } = {},
): EnvironmentSpec {
  return testEnvironment({
    kubernetes: {
      server: cluster.server,
      namespace,
      token: { secretRef: { provider: 'env', name: overrides.token ?? 'k8s-admin' } },
      ca: cluster.ca,
      healthTimeout: overrides.healthTimeout ?? '20s',
      ...(overrides.waitForRollout === false ? { waitForRollout: false } : {}),
    },
  }).spec;
}

export async function providerFor(
  cluster: TestCluster,
  environmentName: string,
  namespace: string,
  options: KubernetesProviderOptions & {
    token?: 'k8s-admin' | 'k8s-dev';
    healthTimeout?: string;
    waitForRollout?: boolean;
  } = {},
): Promise<ResourceProvider> {
  const { token, healthTimeout, waitForRollout, ...providerOptions } = options;
  return createKubernetesProvider(
    environmentName,
    environmentFor(cluster, namespace, {
      ...(token ? { token } : {}),
      ...(healthTimeout ? { healthTimeout } : {}),
      ...(waitForRollout !== undefined ? { waitForRollout } : {}),
    }),
    secretsFor(cluster),
    { pollIntervalMs: 100, ...providerOptions },
  );
}

export async function createNamespace(client: KubeClient, name: string): Promise<void> {
  await client.request('POST', '/api/v1/namespaces', {
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
  });
}

// ------------------------------------------------------------------ changes
// One PlannedChange built by hand, so a test drives the provider's apply for exactly the case it names (a
// plan of the whole environment is covered by pipeline.test.ts).

export function createChange(desired: DesiredResource): PlannedChange {
  return {
    key: desired.key,
    kind: desired.kind,
    name: desired.name,
    action: 'Create',
    wave: 6,
    fields: kubernetesObjectRules.createFields?.(desired) ?? [],
    desired: desired.spec,
    destructive: false,
  };
}

export function updateChange(desired: DesiredResource, fields: PlannedChange['fields'] = []): PlannedChange {
  return { ...createChange(desired), action: 'Update', fields };
}

export function deleteChange(key: string, name = key): PlannedChange {
  return { key, kind: 'KubernetesObject', name, action: 'Delete', wave: 6, fields: [], destructive: true };
}

/** A desired object as the renderer makes it (labels for `environment` added). */
export function desiredObject(environment: string, manifest: JsonObject & { metadata: JsonObject }): DesiredResource {
  const metadata = manifest.metadata as { name: string; namespace?: string; labels?: JsonObject };
  const kind = String(manifest.kind);
  const namespace = metadata.namespace;
  return {
    key: `k8s/${String(manifest.apiVersion).includes('/') ? String(manifest.apiVersion).split('/')[0] : 'core'}/${kind}/${namespace ?? '_'}/${metadata.name}`,
    kind: 'KubernetesObject',
    name: namespace ? `${kind} ${namespace}/${metadata.name}` : `${kind} ${metadata.name}`,
    spec: {
      manifest: {
        ...manifest,
        metadata: {
          ...metadata,
          labels: {
            ...(metadata.labels ?? {}),
            'app.kubernetes.io/managed-by': 'landscape',
            'landscape.dev/environment': environment,
          },
        },
      },
    },
  };
}

/** A desired ConfigMap `name` in `namespace` with `data` (default `{ a: '1' }`) and `labels`. */
export function configMapObject(
  environment: string,
  namespace: string,
  name: string,
  data: JsonObject = { a: '1' },
  labels: JsonObject = {},
): DesiredResource {
  return desiredObject(environment, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, labels },
    data,
  });
}

/**
 * Plays the Deployment controller this API server lacks: whenever a watched Deployment's generation moves, it
 * writes a finished rollout into the status subresource (the real API path a controller uses). Stop it with
 * the returned function.
 */
export function simulateRollouts(client: KubeClient, namespace: string, names: readonly string[]): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const name of names) {
        const path = `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`;
        try {
          const d = await client.request<KubeObject>('GET', path);
          const generation = d.metadata.generation ?? 0;
          const status = (d.status ?? {}) as { observedGeneration?: number };
          if (status.observedGeneration !== generation) {
            const replicas = (d.spec as { replicas?: number }).replicas ?? 1;
            await client.request('PATCH', `${path}/status`, {
              contentType: 'application/merge-patch+json',
              body: {
                status: {
                  observedGeneration: generation,
                  replicas,
                  updatedReplicas: replicas,
                  readyReplicas: replicas,
                  availableReplicas: replicas,
                },
              },
            });
          }
        } catch {
          // not created yet
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}
