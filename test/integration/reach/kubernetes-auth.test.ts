import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../../../lib/adapters/k8s/kube-client.ts';
import { type CliResult, landscapeCli } from '../../support/cli/landscape-cli.ts';
import {
  adminClient,
  eksUp,
  env,
  notUpReason,
  pemBlock,
  prepareNamespace,
  registerPrivateKey,
  serviceAccountToken,
  topicExists,
  uniqueName,
  Workdir,
  writeConfig,
} from './kubernetes-support.ts';

/**
 * Plan, apply and drift of KubernetesManifest and App objects through the real CLI over every way
 * `spec.kubernetes` authenticates, against the test kube-apiserver that checks each one for real: EKS tokens
 * through the TokenReview webhook (which recomputes the STS signature for this cluster id), client certificates
 * against its client CA, service-account tokens against its signing key. RBAC (prepareNamespace) grants only a
 * namespace of the test's own, so a mechanism that authenticated as the wrong user would be refused.
 */
describe.skipIf(!eksUp)(
  `Kubernetes authentication, end to end through the CLI${eksUp ? '' : ` (${notUpReason})`}`,
  { timeout: 180_000 },
  () => {
    const work = new Workdir();
    const namespace = uniqueName('lt-reach');
    let admin: KubeClient;
    let ca: string;

    beforeAll(async () => {
      admin = adminClient();
      ca = readFileSync(env('EKS_CA_FILE'), 'utf8');
      await prepareNamespace(admin, namespace);
    });

    afterAll(async () => {
      await admin?.request('DELETE', `/api/v1/namespaces/${namespace}`).catch(() => undefined);
      admin?.close();
      work.dispose();
    });

    /** The CLI's environment: the test run's, with AWS credentials of `identity` and no AWS endpoint override. */
    function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
      return {
        AWS_ENDPOINT_URL: '',
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
        AWS_ACCESS_KEY_ID: env('AUTH_AWS_ACCESS_KEY_ID'),
        AWS_SECRET_ACCESS_KEY: env('AUTH_AWS_SECRET_ACCESS_KEY'),
        AWS_REGION: 'us-east-1',
        ...extra,
      };
    }

    const secretsIn = (result: CliResult, secrets: readonly string[]) =>
      secrets.filter((s) => s.length > 0 && `${result.stdout}${result.stderr}`.includes(s));

    /**
     * plan (changes: exit 2) -> apply (exit 0) -> drift (none: exit 0) -> an out-of-band edit -> drift (exit 2,
     * naming the field). `secrets`: values that must appear in no output.
     */
    async function endToEnd(
      label: string,
      kubernetes: string,
      options: { env?: Record<string, string>; secrets?: string[] } = {},
    ): Promise<void> {
      const name = uniqueName(`rch-${label}`);
      const dir = await mkdtemp(join(work.path, `${label}-`));
      const state = join(dir, '.state');
      await mkdir(state);
      await writeConfig(dir, { env: name, namespace, kubernetes, topic: `${name}-events` });
      const run = (...args: string[]) => landscapeCli(args, { cwd: dir, state, env: cliEnv(options.env) });
      const secrets = [env('AUTH_AWS_SECRET_ACCESS_KEY'), ...(options.secrets ?? [])];

      const plan = await run('plan', '.', '--env', name);
      expect(plan.code, plan.stderr).toBe(2);
      expect(plan.stdout).toContain(`create KubernetesObject ConfigMap ${namespace}/${name}-settings`);
      expect(plan.stdout).toContain(`create KubernetesObject Deployment ${namespace}/${name}-app`);

      const apply = await run('apply', '.', '--env', name, '--auto-approve');
      expect(apply.code, `${apply.stdout}\n${apply.stderr}`).toBe(0);
      const live = await admin.request<{ data: Record<string, string>; metadata: { labels: Record<string, string> } }>(
        'GET',
        `/api/v1/namespaces/${namespace}/configmaps/${name}-settings`,
      );
      expect(live.data).toEqual({ mode: 'fast' });
      expect(live.metadata.labels['landscape.dev/environment']).toBe(name);
      await admin.request('GET', `/apis/apps/v1/namespaces/${namespace}/deployments/${name}-app`);

      const clean = await run('drift', '.', '--env', name);
      expect(clean.code, `${clean.stdout}\n${clean.stderr}`).toBe(0);

      await admin.request('PATCH', `/api/v1/namespaces/${namespace}/configmaps/${name}-settings`, {
        body: { data: { mode: 'slow' } },
        contentType: 'application/merge-patch+json',
      });
      const drift = await run('drift', '.', '--env', name);
      expect(drift.code, `${drift.stdout}\n${drift.stderr}`).toBe(2);
      // Another field manager now owns the field: drift names it (the planner refuses to take it over).
      expect(drift.stdout).toContain(`ConfigMap ${namespace}/${name}-settings`);
      expect(drift.stdout).toContain('.data.mode (conflict with');

      for (const result of [plan, apply, clean, drift]) expect(secretsIn(result, secrets)).toEqual([]);
    }

    it('(a) EKS: a presigned STS token for the cluster, from the default AWS credential chain', async () => {
      await endToEnd(
        'eks',
        `server: ${env('EKS_SERVER')}
ca: ${pemBlock(ca, 2)}
auth: { type: eks, clusterName: ${env('EKS_CLUSTER_ID')}, region: us-east-1 }`,
      );
    });

    it('(b) kubeconfig whose user has a client certificate and key (files)', async () => {
      const key = registerPrivateKey(
        'REACH_CERT_USER_KEY',
        readFileSync(keyFileOf(env('K8S_CERT_KUBECONFIG')), 'utf8'),
      );
      await endToEnd('kcfg-cert', `auth: { type: kubeconfig, path: ${env('K8S_CERT_KUBECONFIG')} }`, {
        secrets: [keyBody(key)],
      });
    });

    it('(c) kubeconfig with an exec credential plugin (`aws eks get-token`)', async () => {
      await endToEnd('kcfg-exec', `auth: { type: kubeconfig, path: ${env('EKS_KUBECONFIG')}, context: eks }`);
    });

    it('(d) in-cluster: the service-account token and CA of a pod, and KUBERNETES_SERVICE_HOST/PORT', async () => {
      const token = await serviceAccountToken(admin, namespace);
      const mount = await mkdtemp(join(work.path, 'serviceaccount-'));
      writeFileSync(join(mount, 'token'), token, { mode: 0o600 });
      writeFileSync(join(mount, 'ca.crt'), ca);
      const server = new URL(env('EKS_SERVER'));

      await endToEnd('incluster', `auth: { type: in-cluster, serviceAccountDir: ${mount} }`, {
        env: { KUBERNETES_SERVICE_HOST: server.hostname, KUBERNETES_SERVICE_PORT: server.port },
        secrets: [token],
      });
    });

    it('(e) a client certificate inline and its key as a secret reference', async () => {
      const certFile = certFileOf(env('K8S_CERT_KUBECONFIG'));
      const key = registerPrivateKey(
        'REACH_CERT_USER_KEY',
        readFileSync(keyFileOf(env('K8S_CERT_KUBECONFIG')), 'utf8'),
      );
      await endToEnd(
        'cert',
        `server: ${env('EKS_SERVER')}
ca: ${pemBlock(ca, 2)}
clientCertificate: ${pemBlock(readFileSync(certFile, 'utf8'), 2)}
clientKey: { secretRef: { provider: env, name: REACH_CLIENT_KEY } }`,
        { env: { REACH_CLIENT_KEY: key }, secrets: [keyBody(key)] },
      );
    });

    /** A plan or apply that the API server refuses: exit 1, and the message the user reads. */
    async function refused(label: string, kubernetes: string, extraEnv: Record<string, string> = {}) {
      const name = uniqueName(`rch-${label}`);
      const topic = `${name}-events`;
      const dir = await mkdtemp(join(work.path, `${label}-`));
      const state = join(dir, '.state');
      await mkdir(state);
      await writeConfig(dir, { env: name, namespace, kubernetes, topic });
      const apply = await landscapeCli(['apply', '.', '--env', name, '--auto-approve'], {
        cwd: dir,
        state,
        env: cliEnv(extraEnv),
      });
      return { apply, topic, name };
    }

    it('an IAM identity without RBAC bindings: 403 naming the server and the auth type, nothing applied', async () => {
      const { apply, topic, name } = await refused(
        'eks-ro',
        `server: ${env('EKS_SERVER')}
ca: ${pemBlock(ca, 2)}
auth: { type: eks, clusterName: ${env('EKS_CLUSTER_ID')} }`,
        {
          AWS_ACCESS_KEY_ID: env('AUTH_AWS_READONLY_ACCESS_KEY_ID'),
          AWS_SECRET_ACCESS_KEY: env('AUTH_AWS_READONLY_SECRET_ACCESS_KEY'),
        },
      );

      expect(apply.code).toBe(1);
      expect(apply.stderr).toContain(`User "${env('AUTH_AWS_READONLY_ARN')}" cannot`);
      expect(apply.stderr).toContain(`(API server ${env('EKS_SERVER')}, auth: eks)`);
      expect(await topicExists(topic)).toBe(false);
      expect(
        await admin.request('GET', `/api/v1/namespaces/${namespace}/configmaps/${name}-settings`).catch((e) => e),
      ).toMatchObject({ statusCode: 404 });
      expect(secretsIn(apply, [env('AUTH_AWS_READONLY_SECRET_ACCESS_KEY')])).toEqual([]);
    });

    it('a token signed for another cluster id: 401 naming the server and `eks`, nothing applied', async () => {
      const { apply, topic } = await refused(
        'eks-other',
        `server: ${env('EKS_SERVER')}
ca: ${pemBlock(ca, 2)}
auth: { type: eks, clusterName: ${env('EKS_CLUSTER_ID')}-other, region: eu-west-1 }`,
      );

      expect(apply.code).toBe(1);
      expect(apply.stderr).toContain(
        `the Kubernetes API server ${env('EKS_SERVER')} refused the credentials (auth: eks): Unauthorized`,
      );
      expect(apply.stderr).toContain('check the cluster name');
      expect(apply.stderr).not.toContain('k8s-aws-v1.');
      expect(await topicExists(topic)).toBe(false);
    });
  },
);

/** A kubeconfig's (single user's) `client-key` / `client-certificate` file. */
function keyFileOf(kubeconfig: string): string {
  return fieldOf(kubeconfig, 'client-key');
}
function certFileOf(kubeconfig: string): string {
  return fieldOf(kubeconfig, 'client-certificate');
}
function fieldOf(kubeconfig: string, field: string): string {
  const value = new RegExp(`${field}:\\s*(\\S+)`).exec(readFileSync(kubeconfig, 'utf8'))?.[1];
  if (!value) throw new Error(`no ${field} in ${kubeconfig}`);
  return value;
}
const keyBody = (pem: string) =>
  pem
    .split('\n')
    .find((l) => l && !l.startsWith('-----'))
    ?.trim() ?? pem;
