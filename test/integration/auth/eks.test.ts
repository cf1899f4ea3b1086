import { afterAll, describe, expect, it } from 'vitest';
import { eksUp, env, notUpReason, type ProcessResult, runClean, Workdir } from './support.ts';

interface Credentials {
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  AWS_SESSION_TOKEN?: string;
}

/**
 * The kube-apiserver with EKS authentication (scripts/services/k8s.sh EKS_WEBHOOK=1): bearer tokens
 * `k8s-aws-v1.<presigned STS GetCallerIdentity URL>` are reviewed by scripts/services/auth/eks-webhook.mjs, which
 * recomputes the SigV4 query signature over the x-k8s-aws-id header of this cluster and maps the caller's ARN to a
 * user and groups bound by RBAC. Proved with the AWS CLI's `aws eks get-token` and kubectl; the same apiserver also
 * takes client certificates signed by its client CA (kubeconfig with client-certificate/client-key).
 */
describe.skipIf(!eksUp)(
  `EKS token and client-certificate authentication${eksUp ? '' : ` (${notUpReason})`}`,
  { timeout: 120_000 },
  () => {
    const work = new Workdir();
    afterAll(() => work.dispose());

    const ci = (): Credentials => ({
      AWS_ACCESS_KEY_ID: env('AUTH_AWS_ACCESS_KEY_ID'),
      AWS_SECRET_ACCESS_KEY: env('AUTH_AWS_SECRET_ACCESS_KEY'),
    });
    const session = (): Credentials => ({
      AWS_ACCESS_KEY_ID: env('AUTH_AWS_SESSION_ACCESS_KEY_ID'),
      AWS_SECRET_ACCESS_KEY: env('AUTH_AWS_SESSION_SECRET_ACCESS_KEY'),
      AWS_SESSION_TOKEN: env('AUTH_AWS_SESSION_TOKEN'),
    });
    const readonly = (): Credentials => ({
      AWS_ACCESS_KEY_ID: env('AUTH_AWS_READONLY_ACCESS_KEY_ID'),
      AWS_SECRET_ACCESS_KEY: env('AUTH_AWS_READONLY_SECRET_ACCESS_KEY'),
    });
    const awsVars = (credentials: Credentials, extra: Record<string, string> = {}) => ({
      AWS_REGION: 'eu-west-1',
      ...(credentials as unknown as Record<string, string>),
      ...extra,
    });

    /** `aws eks get-token` (optionally with the clock set back by `clockOffset`, e.g. "-20m"): the bearer token. */
    async function getToken(
      credentials: Credentials,
      options: { cluster?: string; clockOffset?: string; vars?: Record<string, string>; args?: string[] } = {},
    ): Promise<string> {
      const cluster = options.cluster ?? env('EKS_CLUSTER_ID');
      const args = ['eks', 'get-token', '--cluster-name', cluster, '--output', 'json', ...(options.args ?? [])];
      const [command, argv] = options.clockOffset
        ? ['faketime', ['-f', options.clockOffset, env('AWSCLI'), ...args]]
        : [env('AWSCLI'), args];
      const result = await runClean(work, command as string, argv as string[], awsVars(credentials, options.vars));
      expect(result.code, result.stderr).toBe(0);
      return (JSON.parse(result.stdout) as { status: { token: string } }).status.token;
    }

    /** HTTP status of GET `path` on the apiserver with `token` (curl, trusting the apiserver's CA). */
    async function statusWith(token: string, path = `/api/v1/namespaces/${env('EKS_NAMESPACE')}/configmaps`) {
      const result = await runClean(work, 'curl', [
        '-sS',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '--cacert',
        env('EKS_CA_FILE'),
        '-H',
        `Authorization: Bearer ${token}`,
        `${env('EKS_SERVER')}${path}`,
      ]);
      return Number(result.stdout);
    }

    /** kubectl with the EKS kubeconfig (exec plugin `aws eks get-token`, credentials from the environment). */
    const kubectlEks = (credentials: Credentials, ...args: string[]): Promise<ProcessResult> =>
      runClean(work, 'kubectl', ['--kubeconfig', env('EKS_KUBECONFIG'), ...args], {
        ...awsVars(credentials),
        PATH: process.env.PATH ?? '/usr/bin:/bin',
      });

    async function whoami(result: ProcessResult): Promise<{ username: string; groups: string[] }> {
      expect(result.code, result.output).toBe(0);
      return (JSON.parse(result.stdout) as { status: { userInfo: { username: string; groups: string[] } } }).status
        .userInfo;
    }

    it('kubectl with an `aws eks get-token` kubeconfig is the IAM user ARN, in the groups RBAC binds', async () => {
      const user = await whoami(await kubectlEks(ci(), 'auth', 'whoami', '-o', 'json'));
      const list = await kubectlEks(ci(), 'get', 'configmaps');
      const elsewhere = await kubectlEks(ci(), 'get', 'configmaps', '-n', 'default');

      expect(user.username).toBe(env('AUTH_AWS_ARN'));
      expect(user.groups).toContain('landscape:deployers');
      expect(list.code, list.output).toBe(0);
      expect(elsewhere.code).not.toBe(0);
      expect(elsewhere.output).toMatch(/Forbidden/);
    });

    it('temporary credentials authenticate as the assumed-role ARN', async () => {
      const user = await whoami(await kubectlEks(session(), 'auth', 'whoami', '-o', 'json'));

      expect(user.username).toBe(env('AUTH_AWS_SESSION_ARN'));
    });

    it('an authenticated IAM user without RBAC bindings is forbidden, not unauthorized', async () => {
      const token = await getToken(readonly());

      expect(await statusWith(token)).toBe(403);
    });

    it('accepts tokens for the global and the regional STS endpoint', async () => {
      const global = await getToken(ci());
      const regional = await getToken(ci(), {
        args: ['--region', 'eu-west-1'],
        vars: { AWS_STS_REGIONAL_ENDPOINTS: 'regional' },
      });

      expect(presignedUrl(global).host).toBe('sts.amazonaws.com');
      expect(presignedUrl(regional).host).toBe('sts.eu-west-1.amazonaws.com');
      expect(await statusWith(global)).toBe(200);
      expect(await statusWith(regional)).toBe(200);
    });

    it('refuses a token signed with the wrong secret', async () => {
      const token = await getToken({ ...ci(), AWS_SECRET_ACCESS_KEY: `${env('AUTH_AWS_SECRET_ACCESS_KEY')}x` });

      expect(await statusWith(token)).toBe(401);
      const kubectl = await kubectlEks({ ...ci(), AWS_SECRET_ACCESS_KEY: 'wrong' }, 'get', 'configmaps');
      expect(kubectl.code).not.toBe(0);
      expect(kubectl.output).toMatch(/Unauthorized/);
    });

    it('refuses a token made for another cluster id', async () => {
      const token = await getToken(ci(), { cluster: `${env('EKS_CLUSTER_ID')}-other` });

      expect(await statusWith(token)).toBe(401);
    });

    it('refuses a tampered token and accepts the same token untampered', async () => {
      const token = await getToken(ci());
      const url = presignedUrl(token);
      url.searchParams.set('X-Amz-Expires', String(Number(url.searchParams.get('X-Amz-Expires')) + 1));
      const tampered = `k8s-aws-v1.${Buffer.from(url.toString()).toString('base64url')}`;

      expect(await statusWith(tampered)).toBe(401);
      expect(await statusWith(token)).toBe(200);
    });

    it('refuses a token signed 20 minutes ago (valid for 15) and accepts one signed 10 minutes ago', async () => {
      const expired = await getToken(ci(), { clockOffset: '-20m' });
      const recent = await getToken(ci(), { clockOffset: '-10m' });

      expect(await statusWith(expired)).toBe(401);
      expect(await statusWith(recent)).toBe(200);
    });

    it('a kubeconfig with a client certificate from the apiserver client CA is that user, bound by RBAC', async () => {
      const kubectl = (...args: string[]) =>
        runClean(work, 'kubectl', ['--kubeconfig', env('K8S_CERT_KUBECONFIG'), ...args]);
      const user = await whoami(await kubectl('auth', 'whoami', '-o', 'json'));
      const list = await kubectl('get', 'configmaps', '-n', env('EKS_NAMESPACE'));
      const elsewhere = await kubectl('get', 'configmaps', '-n', 'default');

      expect(user.username).toBe('landscape-cert-user');
      expect(user.groups).toContain('landscape:deployers');
      expect(list.code, list.output).toBe(0);
      expect(elsewhere.output).toMatch(/Forbidden/);
    });

    it('refuses a client certificate from another CA', async () => {
      const result = await runClean(work, 'curl', [
        '-sS',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '--cacert',
        env('EKS_CA_FILE'),
        '--cert',
        env('KAFKA_MTLS_OTHER_CA_CERT_FILE'),
        '--key',
        env('KAFKA_MTLS_OTHER_CA_KEY_FILE'),
        `${env('EKS_SERVER')}/api/v1/namespaces/${env('EKS_NAMESPACE')}/configmaps`,
      ]);

      expect(result.stdout).toBe('401');
    });
  },
);

function presignedUrl(token: string): URL {
  expect(token.startsWith('k8s-aws-v1.')).toBe(true);
  return new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString('utf8'));
}
