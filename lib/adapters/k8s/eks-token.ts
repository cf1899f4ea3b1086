import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { AdapterError, messageOf } from '../../errors.ts';
import type { BearerTokenSource } from './kube-client.ts';

/** The token prefix aws-iam-authenticator (and so EKS) expects. */
export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
/** The signed header that binds a token to one cluster. */
const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
/**
 * EKS accepts a token for 15 minutes after it was signed (whatever X-Amz-Expires says); `aws eks get-token`
 * presigns with 60 s and so do we. Renewed well before the 15 minutes, so a token never expires in flight.
 */
const PRESIGN_EXPIRES_SECONDS = 60;
export const EKS_TOKEN_RENEW_AFTER_MS = 10 * 60_000;

export interface EksTokenOptions {
  clusterName: string;
  region: string;
  credentials: AwsCredentialIdentityProvider;
  /** The clock (tests). */
  now?: () => Date;
}

/** SHA-256 (and HMAC-SHA-256 when given a secret) on node:crypto, in the shape the SigV4 signer takes. */
class NodeSha256 {
  private hash: Hash | Hmac;
  private readonly secret: string | Uint8Array | undefined;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.secret =
      secret === undefined || typeof secret === 'string'
        ? secret
        : ArrayBuffer.isView(secret)
          ? new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength)
          : new Uint8Array(secret);
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(
      typeof data === 'string'
        ? data
        : ArrayBuffer.isView(data)
          ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
          : new Uint8Array(data),
    );
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/** The STS endpoint a region's tokens are signed for (regional endpoints; China has its own partition). */
export function stsHost(region: string): string {
  return `sts.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

const QUERY_ORDER = [
  'Action',
  'Version',
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Security-Token',
  'X-Amz-Signature',
];

/** RFC 3986 encoding, as SigV4 canonicalises query values. */
const uriEncode = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Makes one EKS bearer token: `k8s-aws-v1.` + base64url of a presigned `GET https://sts.REGION.amazonaws.com/
 * ?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-...` whose signed headers include `x-k8s-aws-id:
 * <clusterName>` — byte for byte the format of `aws eks get-token`. The API server's authenticator calls STS
 * with it and maps the caller's ARN to a Kubernetes user (an EKS access entry).
 *
 * @example
 * const token = await makeEksToken({ clusterName: 'prod', region: 'eu-west-1', credentials: fromNodeProviderChain() });
 */
export async function makeEksToken(options: EksTokenOptions): Promise<string> {
  const host = stsHost(options.region);
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: 'sts',
    sha256: NodeSha256,
    uriEscapePath: true,
  });
  const request = new HttpRequest({
    method: 'GET',
    protocol: 'https:',
    hostname: host,
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers: { host, [CLUSTER_ID_HEADER]: options.clusterName },
  });
  const presigned = await signer.presign(request, {
    expiresIn: PRESIGN_EXPIRES_SECONDS,
    ...(options.now ? { signingDate: options.now() } : {}),
  });
  // In the order `aws eks get-token` writes them, so the two tokens are byte-identical (order is not signed).
  const rank = (key: string) => {
    const at = QUERY_ORDER.indexOf(key);
    return at < 0 ? QUERY_ORDER.length : at;
  };
  const query = Object.entries(presigned.query ?? {})
    .flatMap(([key, value]) => (Array.isArray(value) ? value.map((v) => [key, v]) : [[key, value]]))
    .filter((pair): pair is [string, string] => typeof pair[1] === 'string')
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([key, value]) => `${uriEncode(key)}=${uriEncode(value)}`)
    .join('&');
  return `${EKS_TOKEN_PREFIX}${Buffer.from(`https://${host}/?${query}`).toString('base64url')}`;
}

/** The default AWS credential chain, or the role `roleArn` assumed with it. */
export function eksCredentials(auth: {
  region: string;
  roleArn?: string | undefined;
  roleSessionName?: string | undefined;
}): AwsCredentialIdentityProvider {
  if (!auth.roleArn) return fromNodeProviderChain();
  return fromTemporaryCredentials({
    params: { RoleArn: auth.roleArn, RoleSessionName: auth.roleSessionName ?? 'landscape' },
    clientConfig: { region: auth.region },
  });
}

/**
 * EKS tokens for a client: made on first use, reused for EKS_TOKEN_RENEW_AFTER_MS (10 of their 15 minutes),
 * remade after a 401. Concurrent requests share one signing.
 */
export class EksTokenSource implements BearerTokenSource {
  private current: { token: Promise<string>; madeAt: number } | undefined;
  private readonly options: EksTokenOptions;
  constructor(options: EksTokenOptions) {
    this.options = options;
  }

  token(): Promise<string> {
    const now = (this.options.now?.() ?? new Date()).getTime();
    if (!this.current || now - this.current.madeAt >= EKS_TOKEN_RENEW_AFTER_MS) {
      const token = makeEksToken(this.options).catch((error: unknown) => {
        this.current = undefined;
        throw new AdapterError(
          `signing the EKS token for cluster "${this.options.clusterName}" (auth: eks, region ${this.options.region}): ` +
            `no usable AWS credentials: ${messageOf(error)}`,
          { cause: error },
        );
      });
      this.current = { token, madeAt: now };
    }
    return this.current.token;
  }

  invalidate(): void {
    this.current = undefined;
  }
}

/**
 * The API server endpoint and CA of an EKS cluster from `eks:DescribeCluster` (the SDK honours AWS_ENDPOINT_URL).
 */
export async function describeEksCluster(
  clusterName: string,
  region: string,
  credentials: AwsCredentialIdentityProvider,
): Promise<{ server: string; ca: string | undefined }> {
  const client = new EKSClient({ region, credentials });
  try {
    const { cluster } = await client.send(new DescribeClusterCommand({ name: clusterName }));
    if (!cluster?.endpoint) {
      throw new Error(`the cluster has no endpoint yet (status ${cluster?.status ?? 'unknown'})`);
    }
    const caData = cluster.certificateAuthority?.data;
    return { server: cluster.endpoint, ca: caData ? Buffer.from(caData, 'base64').toString('utf8') : undefined };
  } catch (error) {
    throw new AdapterError(
      `describing EKS cluster "${clusterName}" in ${region} (eks:DescribeCluster, for the server and CA not given in ` +
        `spec.kubernetes): ${messageOf(error)}`,
      { cause: error, retryable: false },
    );
  } finally {
    client.destroy();
  }
}
