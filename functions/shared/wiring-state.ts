import { AwsStateStore, DynamoLocker, SecretsManagerResolver } from '../../lib/adapters/aws/index.ts';
import { LocalSecretResolver } from '../../lib/adapters/secrets/env-secret-resolver.ts';
import { FileLocker } from '../../lib/adapters/store/file-locker.ts';
import { FileStateStore } from '../../lib/adapters/store/file-state-store.ts';
import type { Locker } from '../../lib/ports/lock.ts';
import type { SecretResolver } from '../../lib/ports/secret-resolver.ts';
import type { StateStore } from '../../lib/ports/state-store.ts';
import type { StoreConfig } from './config.ts';

/**
 * Cold-start construction of the state adapters (composition roots only). `aws`: S3 + DynamoDB;
 * `file`: a directory, for local runs and for running a bundled handler under the Lambda runtime in tests.
 */
export function buildState(store: StoreConfig): { store: StateStore; locker: Locker } {
  if (store.LANDSCAPE_STORE === 'file') {
    return { store: new FileStateStore(store.STATE_DIR), locker: new FileLocker(store.STATE_DIR) };
  }
  return {
    store: new AwsStateStore({
      table: store.STATE_TABLE,
      ...('STATE_BUCKET' in store ? { bucket: store.STATE_BUCKET } : {}),
      ...('STATE_KMS_KEY_ID' in store && store.STATE_KMS_KEY_ID ? { kmsKeyId: store.STATE_KMS_KEY_ID } : {}),
      ...('AUDIT_BUCKET' in store && store.AUDIT_BUCKET ? { auditBucket: store.AUDIT_BUCKET } : {}),
    }),
    locker: new DynamoLocker({ table: store.STATE_TABLE }),
  };
}

/** Environment variables a config may reference in the functions (`{ provider: env, name: LANDSCAPE_SECRET_… }`). */
export const FUNCTION_SECRET_ENV_PREFIX = 'LANDSCAPE_SECRET_';

/**
 * The resolver for a config's secret references: Secrets Manager names under the platform prefix (the stack's
 * `secretsPrefix`), `env` references only to LANDSCAPE_SECRET_* variables and no `file` references. A merged
 * config must not be able to copy the function's own AWS credentials, /proc/self/environ, or the GitHub
 * token or App key (which the function can read) into a connector config.
 */
export function buildSecrets(platformSecretsPrefix: string): SecretResolver {
  return new LocalSecretResolver({
    fallback: new SecretsManagerResolver(),
    envPrefix: FUNCTION_SECRET_ENV_PREFIX,
    files: false,
    fallbackNamePrefix: platformSecretsPrefix,
  });
}

/** The functions' own settings by Secrets Manager id (webhook secret, GitHub credentials): never a config's. */
export function buildSettingsSecrets(): SecretResolver {
  return new SecretsManagerResolver();
}

/** A setting given directly, or read from Secrets Manager by id (the webhook secret, the GitHub token). */
export async function readSetting(
  secrets: SecretResolver,
  direct: string | undefined,
  secretId: string | undefined,
): Promise<string | undefined> {
  if (direct) return direct;
  if (!secretId) return undefined;
  return secrets.resolve({ secretRef: { provider: 'aws-secretsmanager', name: secretId } });
}
