import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';
import { AdapterError, messageOf } from '../../../errors.ts';
import type { KafkaSasl } from '../../../model/connections/kafka.ts';

type MskIamSasl = Extract<KafkaSasl, { mechanism: 'aws-msk-iam' }>;

/** MSK broker names carry the region: `b-1.c.x.c2.kafka.eu-west-1.amazonaws.com`, `boot-x.c2.kafka-serverless.us-east-1...`. */
const MSK_HOST_REGION = /\.kafka(?:-serverless)?\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?$/;

/**
 * The region tokens are signed for: `sasl.region`, else AWS_REGION / AWS_DEFAULT_REGION (what the function's
 * runtime sets), else the region in an MSK broker host name. Undefined when none applies.
 */
export function mskIamRegion(
  sasl: MskIamSasl,
  bootstrapServers: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (sasl.region) return sasl.region;
  const fromEnv = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (fromEnv) return fromEnv;
  for (const server of bootstrapServers) {
    const host = server.replace(/:\d+$/, '');
    const match = MSK_HOST_REGION.exec(host);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

export interface MskIamTokenSourceOptions {
  region: string;
  roleArn?: string | undefined;
  roleSessionName?: string | undefined;
  /** Test seam: where credentials come from (default: the AWS default chain, then `roleArn` assumed). */
  credentials?: AwsCredentialIdentityProvider;
  now?: () => number;
}

/** Never hand out a token with less left than this: it must still be valid when the broker reads it. */
const MIN_REMAINING_MS = 60_000;

/**
 * SASL/OAUTHBEARER tokens for Amazon MSK IAM, made by AWS's own signer library (aws-msk-iam-sasl-signer-js): a
 * presigned SigV4 `kafka-cluster:Connect` request, base64url-encoded. A token is valid for 15 minutes (less when
 * the credentials expire sooner); one is reused until 80% of its lifetime has passed, so a long run's
 * re-authentications and new broker connections get a fresh one. Credentials come from the default chain
 * (environment, web identity, container/instance role, profiles), optionally exchanged for `roleArn`'s.
 */
export class MskIamTokenSource {
  readonly region: string;
  readonly #credentials: AwsCredentialIdentityProvider;
  readonly #now: () => number;
  #cached: { token: string; refreshAt: number } | undefined;
  #inflight: Promise<string> | undefined;

  constructor(options: MskIamTokenSourceOptions) {
    this.region = options.region;
    this.#now = options.now ?? Date.now;
    const base = options.credentials ?? fromNodeProviderChain({ clientConfig: { region: options.region } });
    this.#credentials = options.roleArn
      ? fromTemporaryCredentials({
          masterCredentials: base,
          params: { RoleArn: options.roleArn, RoleSessionName: options.roleSessionName ?? 'landscape' },
          clientConfig: { region: options.region },
        })
      : base;
  }

  async token(): Promise<string> {
    if (this.#cached && this.#now() < this.#cached.refreshAt) return this.#cached.token;
    this.#inflight ??= this.#sign().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #sign(): Promise<string> {
    const signedAt = this.#now();
    let answer: { token: string; expiryTime: number };
    try {
      answer = await generateAuthTokenFromCredentialsProvider({
        region: this.region,
        awsCredentialsProvider: this.#credentials,
      });
    } catch (error) {
      // Credential provider errors name the provider tried ("Could not load credentials from any providers"),
      // never a key; the signer's own errors name the missing input.
      throw new AdapterError(`signing an MSK IAM token for region ${this.region}: ${messageOf(error)}`, {
        cause: error,
      });
    }
    const life = Math.max(0, answer.expiryTime - signedAt);
    if (life < MIN_REMAINING_MS) {
      throw new AdapterError(
        `signing an MSK IAM token for region ${this.region}: the AWS credentials expire in ${Math.round(life / 1000)} s`,
      );
    }
    this.#cached = { token: answer.token, refreshAt: signedAt + Math.min(life * 0.8, life - MIN_REMAINING_MS) };
    return answer.token;
  }
}
