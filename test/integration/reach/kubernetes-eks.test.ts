import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { makeEksToken } from '../../../lib/adapters/k8s/eks-token.ts';
import { resolveKubeConnection } from '../../../lib/adapters/k8s/kube-credentials.ts';
import { KubernetesConnectionSchema } from '../../../lib/model/connections/kubernetes.ts';
import type { SecretResolver } from '../../../lib/ports/secret-resolver.ts';
import { eksUp, env, notUpReason, uniqueName } from './kubernetes-support.ts';

const run = promisify(execFile);
const motoUp = Boolean(process.env.AWS_ENDPOINT_URL);
const noSecrets: SecretResolver = {
  resolve: async (ref) => {
    throw new Error(`no secret ${ref.secretRef.name} here`);
  },
};
const readable = (token: string) =>
  presignedUrl(token)
    .toString()
    .replace(/X-Amz-Security-Token=[^&]+/, 'X-Amz-Security-Token=(session token)');
const presignedUrl = (token: string) => new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString());

describe.skipIf(!eksUp)(`EKS tokens are what \`aws eks get-token\` makes${eksUp ? '' : ` (${notUpReason})`}`, () => {
  /** The AWS CLI's token for the same credentials and cluster, in a clean environment (no endpoint override). */
  async function awsCliToken(credentials: Record<string, string>): Promise<string> {
    const { stdout } = await run(
      env('AWSCLI'),
      ['eks', 'get-token', '--cluster-name', env('EKS_CLUSTER_ID'), '--region', 'eu-west-1', '--output', 'json'],
      { env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent', AWS_STS_REGIONAL_ENDPOINTS: 'regional', ...credentials } },
    );
    return (JSON.parse(stdout) as { status: { token: string } }).status.token;
  }

  /** Our token signed at the instant the CLI signed its own (read from its X-Amz-Date). */
  async function ourTokenAt(theirs: string, credentials: Record<string, string>): Promise<string> {
    const date = presignedUrl(theirs).searchParams.get('X-Amz-Date') as string;
    const at = new Date(date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    return makeEksToken({
      clusterName: env('EKS_CLUSTER_ID'),
      region: 'eu-west-1',
      credentials: async () => ({
        accessKeyId: credentials.AWS_ACCESS_KEY_ID as string,
        secretAccessKey: credentials.AWS_SECRET_ACCESS_KEY as string,
        ...(credentials.AWS_SESSION_TOKEN ? { sessionToken: credentials.AWS_SESSION_TOKEN } : {}),
      }),
      now: () => at,
    });
  }

  it('byte for byte, for long-term and for session credentials', async () => {
    const user = {
      AWS_ACCESS_KEY_ID: env('AUTH_AWS_ACCESS_KEY_ID'),
      AWS_SECRET_ACCESS_KEY: env('AUTH_AWS_SECRET_ACCESS_KEY'),
    };
    const session = {
      AWS_ACCESS_KEY_ID: env('AUTH_AWS_SESSION_ACCESS_KEY_ID'),
      AWS_SECRET_ACCESS_KEY: env('AUTH_AWS_SESSION_SECRET_ACCESS_KEY'),
      AWS_SESSION_TOKEN: env('AUTH_AWS_SESSION_TOKEN'),
    };

    const theirs = await awsCliToken(user);
    const theirsWithSession = await awsCliToken(session);

    const ours = await ourTokenAt(theirs, user);
    const oursWithSession = await ourTokenAt(theirsWithSession, session);

    // Compared as URLs without the session token first, so a difference is shown without a credential.
    expect(readable(oursWithSession)).toBe(readable(theirsWithSession));
    expect(ours === theirs).toBe(true);
    expect(oursWithSession === theirsWithSession).toBe(true);
    expect(presignedUrl(theirsWithSession).searchParams.get('X-Amz-Security-Token')).toBeTruthy();
  });
});

describe.skipIf(!motoUp)('EKS auth against the AWS API (moto): DescribeCluster and role assumption', () => {
  it('takes server and CA from eks:DescribeCluster when spec.kubernetes gives neither', async () => {
    const name = uniqueName('lt-eks');
    const eks = new EKSClient({});
    const { cluster } = await eks.send(
      new CreateClusterCommand({
        name,
        roleArn: 'arn:aws:iam::123456789012:role/eks-cluster',
        resourcesVpcConfig: { subnetIds: ['subnet-1234'] },
      }),
    );
    eks.destroy();

    const connection = await resolveKubeConnection(
      KubernetesConnectionSchema.parse({ auth: { type: 'eks', clusterName: name, region: env('AWS_REGION') } }),
      noSecrets,
    );

    expect(cluster?.endpoint).toMatch(/^https:\/\//);
    expect(connection.server).toBe(cluster?.endpoint);
    expect(connection.ca).toBe(Buffer.from(cluster?.certificateAuthority?.data as string, 'base64').toString('utf8'));
    expect(connection.authType).toBe('eks');
  });

  it('a cluster that does not exist: names the cluster, region and the DescribeCluster call', async () => {
    const error = await resolveKubeConnection(
      KubernetesConnectionSchema.parse({ auth: { type: 'eks', clusterName: 'no-such-cluster', region: 'us-east-1' } }),
      noSecrets,
    ).catch((e: Error) => e);

    expect(String(error)).toMatch(
      /describing EKS cluster "no-such-cluster" in us-east-1 \(eks:DescribeCluster, for the server and CA not given in spec\.kubernetes\): /,
    );
  });

  it('with roleArn, signs with the credentials of the assumed role', async () => {
    const connection = await resolveKubeConnection(
      KubernetesConnectionSchema.parse({
        server: 'https://127.0.0.1:6443',
        ca: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
        auth: {
          type: 'eks',
          clusterName: 'prod',
          region: 'eu-west-1',
          roleArn: 'arn:aws:iam::123456789012:role/landscape-deployer',
        },
      }),
      noSecrets,
    );
    const url = presignedUrl(await (connection.tokenSource as { token(): Promise<string> }).token());
    const keyId = (url.searchParams.get('X-Amz-Credential') ?? '').split('/')[0];

    expect(keyId).toMatch(/^ASIA/);
    expect(keyId).not.toBe(process.env.AWS_ACCESS_KEY_ID);
    expect(url.searchParams.get('X-Amz-Security-Token')).toBeTruthy();
  });
});
