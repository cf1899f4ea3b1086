import {
  type EnvironmentSecretsClientOptions,
  environmentSecretsClient,
  SecretsManagerResolver,
} from '../../lib/adapters/aws/index.ts';
import { LocalSecretResolver } from '../../lib/adapters/secrets/env-secret-resolver.ts';
import { ReconcilerError } from '../../lib/errors.ts';
import { describeSecretRef, type SecretRef } from '../../lib/model/common.ts';
import type { SecretResolver } from '../../lib/ports/secret-resolver.ts';

/** Environment variables a config may reference in the functions (`{ provider: env, name: LANDSCAPE_SECRET_… }`). */
export const FUNCTION_SECRET_ENV_PREFIX = 'LANDSCAPE_SECRET_';

export interface PlatformSecretsOptions {
  /** The stack's `secretsPrefix` (PLATFORM_SECRETS_PREFIX): environment E reads `<prefix>E/…` only. */
  prefix: string;
  /** The SecretsReader role (SECRETS_READER_ROLE_ARN), assumed per environment with its session tag. */
  roleArn?: string | undefined;
  /** Client settings (tests: the emulator's endpoint and credentials). */
  clients?: Omit<EnvironmentSecretsClientOptions, 'roleArn'>;
  env?: NodeJS.ProcessEnv;
}

/**
 * The functions' resolver of a config's secret references (issue 14, contract 2). Platform secrets are read
 * per environment: `forEnvironment(E)` reads Secrets Manager names under `<prefix>E/` only (another name is
 * refused before any AWS call, naming the reference, the environment and the allowed prefix) through a client
 * whose credentials come from assuming the SecretsReader role tagged `landscape-environment=E`, so IAM refuses
 * the rest as well. One resolver and client per environment, kept for the life of the function instance.
 * `env` references only to LANDSCAPE_SECRET_* variables and no `file` references, for every environment: a
 * merged config must not copy the function's own credentials, /proc/self/environ, or the GitHub token into a
 * connector config. Outside an environment's work (`resolve` on this object itself) no platform secret is read.
 */
export class PlatformSecrets implements SecretResolver {
  readonly #options: PlatformSecretsOptions;
  readonly #byEnvironment = new Map<string, SecretResolver>();
  readonly #unscoped: LocalSecretResolver;

  constructor(options: PlatformSecretsOptions) {
    this.#options = options;
    this.#unscoped = this.#local({});
  }

  async resolve(ref: SecretRef): Promise<string> {
    if (ref.secretRef.provider === 'aws-secretsmanager') {
      throw new ReconcilerError(
        'SecretUnavailable',
        `secret "${describeSecretRef(ref)}": platform secrets are read for one environment's work, and this read names no environment`,
      );
    }
    return this.#unscoped.resolve(ref);
  }

  forEnvironment(environment: string): SecretResolver {
    let resolver = this.#byEnvironment.get(environment);
    if (!resolver) {
      const client = environmentSecretsClient(environment, {
        roleArn: this.#options.roleArn,
        ...this.#options.clients,
      });
      resolver = this.#local({
        fallback: new SecretsManagerResolver({ client }),
        fallbackNamePrefix: `${this.#options.prefix}${environment}/`,
        fallbackScope: `environment "${environment}"`,
      });
      this.#byEnvironment.set(environment, resolver);
    }
    return resolver;
  }

  #local(options: { fallback?: SecretResolver; fallbackNamePrefix?: string; fallbackScope?: string }) {
    return new LocalSecretResolver({
      envPrefix: FUNCTION_SECRET_ENV_PREFIX,
      files: false,
      ...(this.#options.env ? { env: this.#options.env } : {}),
      ...options,
    });
  }
}

/**
 * The resolver for a config's secret references: platform secrets per environment (PlatformSecrets: only
 * `<PLATFORM_SECRETS_PREFIX><environment>/…`, through the SecretsReader role when SECRETS_READER_ROLE_ARN is
 * set), `env` references only to LANDSCAPE_SECRET_* variables, no `file` references.
 */
export function buildSecrets(config: {
  PLATFORM_SECRETS_PREFIX: string;
  SECRETS_READER_ROLE_ARN?: string | undefined;
}): PlatformSecrets {
  return new PlatformSecrets({ prefix: config.PLATFORM_SECRETS_PREFIX, roleArn: config.SECRETS_READER_ROLE_ARN });
}
