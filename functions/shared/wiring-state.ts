import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
// Each adapter from its own module: the webhook bundles this file, and must not bundle the rest of the AWS
// adapters (S3 audit trail, role-assuming secrets client) through the index.
import { AwsStateStore } from '../../lib/adapters/aws/aws-state-store.ts';
import { DynamoLocker } from '../../lib/adapters/aws/dynamo-locker.ts';
import { SecretsManagerResolver } from '../../lib/adapters/aws/secrets-manager-resolver.ts';
import { FileLocker } from '../../lib/adapters/store/file-locker.ts';
import { FileStateStore } from '../../lib/adapters/store/file-state-store.ts';
import type { Locker } from '../../lib/ports/lock.ts';
import type { SecretResolver } from '../../lib/ports/secret-resolver.ts';
import type { StateStore } from '../../lib/ports/state-store.ts';
import type { StoreConfig } from './config.ts';

/**
 * Cold-start construction of the state adapters (composition roots only). Nothing here imports the model's
 * schemas (full zod), since the webhook bundles this file: platform secrets are built by buildSecrets in
 * platform-secrets.ts. `aws`: S3 + DynamoDB; `file`: a directory, for local runs and for running a bundled
 * handler under the Lambda runtime in tests.
 */
export function buildState(
  store: StoreConfig,
  clients: { dynamo?: DynamoDBClient; s3?: S3Client } = {},
): { store: StateStore; locker: Locker } {
  if (store.LANDSCAPE_STORE === 'file') {
    return { store: new FileStateStore(store.STATE_DIR), locker: new FileLocker(store.STATE_DIR) };
  }
  return {
    store: new AwsStateStore({
      ...clients,
      table: store.STATE_TABLE,
      ...('STATE_BUCKET' in store ? { bucket: store.STATE_BUCKET } : {}),
      ...('STATE_KMS_KEY_ID' in store && store.STATE_KMS_KEY_ID ? { kmsKeyId: store.STATE_KMS_KEY_ID } : {}),
      ...('AUDIT_BUCKET' in store && store.AUDIT_BUCKET ? { auditBucket: store.AUDIT_BUCKET } : {}),
    }),
    locker: new DynamoLocker({ table: store.STATE_TABLE, ...(clients.dynamo ? { dynamo: clients.dynamo } : {}) }),
  };
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
