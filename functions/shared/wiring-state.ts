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
      bucket: store.STATE_BUCKET,
      table: store.STATE_TABLE,
      ...(store.STATE_KMS_KEY_ID ? { kmsKeyId: store.STATE_KMS_KEY_ID } : {}),
    }),
    locker: new DynamoLocker({ table: store.STATE_TABLE }),
  };
}

/** env and file references locally, Secrets Manager for `aws-secretsmanager` references. */
export function buildSecrets(): SecretResolver {
  return new LocalSecretResolver({ fallback: new SecretsManagerResolver() });
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
