import {
  GetSecretValueCommand,
  SecretsManagerClient,
  type SecretsManagerClientConfig,
} from '@aws-sdk/client-secrets-manager';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { AdapterError, ReconcilerError } from '../../errors.ts';
import type { SecretRef } from '../../model/common.ts';
import type { SecretResolver } from '../../ports/secret-resolver.ts';
import { awsErrorName, isRetryable } from './aws-errors.ts';

export interface SecretsManagerResolverOptions {
  client?: SecretsManagerClient;
  /**
   * How long a fetched secret is reused. The cache is meant to live for one invocation: handlers call
   * `clear()` when an invocation starts; this bound keeps a forgotten `clear()` from pinning a rotated value.
   */
  cacheTtlMs?: number;
  now?: () => number;
}

/** Answers that mean the reference itself is wrong or not allowed: the user can act on them. */
const USER_FAULTS: Record<string, string> = {
  ResourceNotFoundException: 'no such secret',
  AccessDeniedException: 'access denied (check the function role)',
  AccessDenied: 'access denied (check the function role)',
  InvalidRequestException: 'secret cannot be read (deleted or pending deletion?)',
  InvalidParameterException: 'invalid secret name',
  DecryptionFailure: 'secret cannot be decrypted with its KMS key',
};

/** `aws-secretsmanager/name#key`: how a reference is named in errors (never the value). */
function describe(ref: SecretRef): string {
  const { provider, name, key } = ref.secretRef;
  return `${provider}/${name}${key ? `#${key}` : ''}`;
}

/**
 * Resolves `aws-secretsmanager` references. A reference with `key` reads that field of a JSON secret; without
 * `key` the whole secret string is the value. One GetSecretValue per secret name while cached (many refs often
 * point at fields of one secret). Errors name the reference, never the value: JSON parse errors, whose V8
 * message quotes the text, are deliberately not attached as `cause`.
 */
export class SecretsManagerResolver implements SecretResolver {
  readonly #client: SecretsManagerClient;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, { at: number; value: Promise<string> }>();

  constructor(options: SecretsManagerResolverOptions = {}) {
    this.#client = options.client ?? new SecretsManagerClient({});
    this.#ttlMs = options.cacheTtlMs ?? 5 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** Forgets every cached value; call it at the start of each invocation. */
  clear(): void {
    this.#cache.clear();
  }

  async resolve(ref: SecretRef): Promise<string> {
    const { provider, name, key } = ref.secretRef;
    if (provider !== 'aws-secretsmanager') {
      throw new ReconcilerError(
        'SecretUnavailable',
        `secret "${describe(ref)}": provider "${provider}" is not handled by AWS Secrets Manager`,
      );
    }
    const text = await this.#fetch(name, ref);
    if (key === undefined) return text;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ReconcilerError('SecretUnavailable', `secret "${describe(ref)}": secret is not a JSON object`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ReconcilerError('SecretUnavailable', `secret "${describe(ref)}": secret is not a JSON object`);
    }
    const value = (parsed as Record<string, unknown>)[key];
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new ReconcilerError(
      'SecretUnavailable',
      value === undefined
        ? `secret "${describe(ref)}": secret has no key "${key}"`
        : `secret "${describe(ref)}": key "${key}" is not a string`,
    );
  }

  #fetch(name: string, ref: SecretRef): Promise<string> {
    const cached = this.#cache.get(name);
    if (cached && this.#now() - cached.at < this.#ttlMs) return cached.value;
    const value = this.#get(name, ref);
    this.#cache.set(name, { at: this.#now(), value });
    // A failure is not cached: the next resolve asks again.
    value.catch(() => {
      if (this.#cache.get(name)?.value === value) this.#cache.delete(name);
    });
    return value;
  }

  async #get(name: string, ref: SecretRef): Promise<string> {
    try {
      const out = await this.#client.send(new GetSecretValueCommand({ SecretId: name }));
      if (out.SecretString !== undefined) return out.SecretString;
      if (out.SecretBinary !== undefined) return Buffer.from(out.SecretBinary).toString('utf8');
      throw new ReconcilerError('SecretUnavailable', `secret "${describe(ref)}": secret has no value`);
    } catch (error) {
      if (error instanceof ReconcilerError) throw error;
      const errorName = awsErrorName(error) ?? '';
      const userFault = USER_FAULTS[errorName];
      if (userFault) {
        throw new ReconcilerError('SecretUnavailable', `secret "${describe(ref)}": ${userFault}`, { cause: error });
      }
      throw new AdapterError(`reading secret "${describe(ref)}": ${errorName || 'request failed'}`, {
        cause: error,
        retryable: isRetryable(error),
      });
    }
  }
}

/** The session tag the SecretsReader role's policy reads: `<secretsPrefix>${aws:PrincipalTag/…}/*`. */
export const ENVIRONMENT_SESSION_TAG = 'landscape-environment';

export interface EnvironmentSecretsClientOptions {
  /** The SecretsReader role (SECRETS_READER_ROLE_ARN); absent: the caller's own credentials. */
  roleArn?: string | undefined;
  /** Settings of the Secrets Manager client (region, endpoint; credentials = the caller's, to assume with). */
  clientConfig?: SecretsManagerClientConfig;
  /** Settings of the STS client that assumes the role (region, endpoint). */
  stsClientConfig?: NonNullable<Parameters<typeof fromTemporaryCredentials>[0]['clientConfig']>;
}

/**
 * The Secrets Manager client of one environment. With a role: credentials from assuming it with the session
 * tag `landscape-environment=<environment>` (refreshed by the SDK before they expire), so IAM lets this client
 * read `<secretsPrefix><environment>/…` and nothing else, whatever the code asks for.
 */
export function environmentSecretsClient(
  environment: string,
  options: EnvironmentSecretsClientOptions = {},
): SecretsManagerClient {
  if (!options.roleArn) return new SecretsManagerClient(options.clientConfig ?? {});
  const credentials = fromTemporaryCredentials({
    params: {
      RoleArn: options.roleArn,
      // Session names allow [\w+=,.@-], up to 64 characters; CloudTrail shows it next to each read.
      RoleSessionName: `landscape-${environment}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64),
      Tags: [{ Key: ENVIRONMENT_SESSION_TAG, Value: environment }],
    },
    ...(options.clientConfig?.credentials ? { masterCredentials: options.clientConfig.credentials } : {}),
    ...(options.stsClientConfig ? { clientConfig: options.stsClientConfig } : {}),
  });
  return new SecretsManagerClient({ ...options.clientConfig, credentials });
}
