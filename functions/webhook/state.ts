import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AwsTableStore } from '../../lib/adapters/aws/aws-table-store.ts';
import { FileStateStore } from '../../lib/adapters/store/file-state-store.ts';
import type { StateStore } from '../../lib/ports/state-store.ts';
import type { StoreConfig } from '../shared/config.ts';

/**
 * The webhook's store: the state table only (replay memory, job and pull-request values; issue 14, contract 4),
 * or a directory for local runs. Built from AwsTableStore, which imports no S3 client, so the webhook bundle
 * has none (bench/bundles.ts budget); the webhook's configuration names no bucket anyway.
 */
export function buildWebhookStore(store: StoreConfig, clients: { dynamo?: DynamoDBClient } = {}): StateStore {
  if (store.LANDSCAPE_STORE === 'file') return new FileStateStore(store.STATE_DIR);
  return new AwsTableStore({ table: store.STATE_TABLE, ...(clients.dynamo ? { dynamo: clients.dynamo } : {}) });
}
