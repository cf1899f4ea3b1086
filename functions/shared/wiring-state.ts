import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { AwsStateStore } from '../../lib/adapters/aws/aws-state-store.ts';
import { DynamoLocker } from '../../lib/adapters/aws/dynamo-locker.ts';
import { FileLocker } from '../../lib/adapters/store/file-locker.ts';
import { FileStateStore } from '../../lib/adapters/store/file-state-store.ts';
import type { Locker } from '../../lib/ports/lock.ts';
import type { StateStore } from '../../lib/ports/state-store.ts';
import type { StoreConfig } from './config.ts';

/**
 * Cold-start construction of the state adapters (composition roots only). `aws`: S3 + DynamoDB; `file`: a
 * directory, for local runs and for running a bundled handler under the Lambda runtime in tests. The webhook
 * builds its table-only store with functions/webhook/state.ts instead, so it bundles no S3 client.
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

// Where the webhook takes them from (it must not bundle this file's S3 store); here for the other functions.
export { buildSettingsSecrets, readSetting } from './settings-secrets.ts';
