import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsStateStore, DynamoLocker } from '../../lib/adapters/aws/index.ts';
import { FileLocker } from '../../lib/adapters/store/file-locker.ts';
import { FileStateStore } from '../../lib/adapters/store/file-state-store.ts';
import type { Locker } from '../../lib/ports/lock.ts';
import type { StateStore } from '../../lib/ports/state-store.ts';
import {
  clients,
  createAuditBucket,
  createBucket,
  createStateTable,
  deleteStateTable,
  ensureAwsServices,
} from './aws.ts';
import { InMemoryLocker } from './fakes/in-memory-locker.ts';
import { InMemoryStateStore } from './fakes/in-memory-state-store.ts';
import { uniqueName } from './unique-name.ts';

export interface StateBackend {
  store: StateStore;
  locker: Locker;
}

/**
 * Every StateStore + Locker pair a deployment can use, each made fresh on demand: in memory, a temporary
 * directory, and DynamoDB Local + S3 (moto) on a table, a plan bucket and an audit bucket (Object Lock) of this
 * file's own, laid out as the stack deploys them. Call `setUp` in
 * `beforeAll` and `tearDown` in `afterAll`; the stores share the table and bucket, and tests keep apart by
 * their own ids and environment names.
 */
export function stateBackends(label: string) {
  const dynamo = clients.dynamo();
  const s3 = clients.s3();
  const table = uniqueName(label);
  const bucket = uniqueName(label);
  const auditBucket = uniqueName(`${label}-audit`);
  return {
    auditBucket,
    async setUp(): Promise<void> {
      await ensureAwsServices();
      await createStateTable(dynamo, table);
      await createBucket(s3, bucket);
      await createAuditBucket(s3, auditBucket);
    },
    async tearDown(): Promise<void> {
      await deleteStateTable(dynamo, table);
    },
    inMemory: async (): Promise<StateBackend> => {
      const locker = new InMemoryLocker();
      return { store: new InMemoryStateStore(undefined, { locker }), locker };
    },
    file: async (): Promise<StateBackend> => {
      const root = await mkdtemp(join(tmpdir(), `landscape-${label}-`));
      return { store: new FileStateStore(root), locker: new FileLocker(root) };
    },
    aws: async (): Promise<StateBackend> => ({
      store: new AwsStateStore({ bucket, table, auditBucket, s3, dynamo }),
      locker: new DynamoLocker({ table, dynamo }),
    }),
  };
}
