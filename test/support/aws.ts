import { execFile } from 'node:child_process';
import { mkdir, rmdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectLockConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { TABLE_KEYS } from '../../lib/adapters/aws/index.ts';

/** Endpoints of the emulators (scripts/services/aws.sh); dummy credentials, us-east-1. */
export const MOTO_ENDPOINT = process.env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:5000';
export const DYNAMODB_ENDPOINT = process.env.DYNAMODB_ENDPOINT ?? 'http://127.0.0.1:8000';

const base = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  maxAttempts: 2,
};

export const clients = {
  s3: () => new S3Client({ ...base, endpoint: MOTO_ENDPOINT, forcePathStyle: true }),
  secrets: () => new SecretsManagerClient({ ...base, endpoint: MOTO_ENDPOINT }),
  lambda: (endpoint = MOTO_ENDPOINT) => new LambdaClient({ ...base, endpoint }),
  dynamo: () => new DynamoDBClient({ ...base, endpoint: DYNAMODB_ENDPOINT }),
};

const run = promisify(execFile);
const SCRIPT = join(import.meta.dirname, '../../scripts/services/aws.sh');

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/**
 * Makes sure moto and DynamoDB Local answer. When an endpoint is the default loopback one and nothing listens,
 * the service is started with scripts/services/aws.sh (cached installs, pid files under $TI_RUN), under a
 * cross-process lock because test files run in parallel. Stop them with `scripts/services/aws.sh stop`.
 */
export async function ensureAwsServices(): Promise<void> {
  const wanted: [string, string][] = [
    [MOTO_ENDPOINT, 'start-moto'],
    [DYNAMODB_ENDPOINT, 'start-ddb'],
  ];
  for (const [endpoint, command] of wanted) {
    if (await reachable(endpoint)) continue;
    const { hostname, port } = new URL(endpoint);
    const defaultPort = command === 'start-moto' ? '5000' : '8000';
    if (hostname !== '127.0.0.1' || port !== defaultPort) {
      // Someone else's endpoint: do not start anything in its place.
      throw new Error(`${endpoint} is not reachable; start it or unset the variable that points there`);
    }
    const lock = join(process.env.TI_RUN ?? '/tmp/test-infra', `${command}.test-lock`);
    await mkdir(join(lock, '..'), { recursive: true });
    for (;;) {
      try {
        await mkdir(lock);
        break;
      } catch {
        if (await reachable(endpoint)) break;
        await sleep(500);
      }
    }
    try {
      if (!(await reachable(endpoint))) await run('bash', [SCRIPT, command], { timeout: 600_000 });
    } finally {
      await rmdir(lock).catch(() => undefined);
    }
  }
}

/** Creates the single table exactly as infra declares it (ADR 0020). */
export async function createStateTable(dynamo: DynamoDBClient, table: string): Promise<void> {
  const { partitionKey, sortKey, gsi1, ttl } = TABLE_KEYS;
  await dynamo.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: partitionKey, AttributeType: 'S' },
        { AttributeName: sortKey, AttributeType: 'S' },
        { AttributeName: gsi1.partitionKey, AttributeType: 'S' },
        { AttributeName: gsi1.sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: gsi1.name,
          KeySchema: [
            { AttributeName: gsi1.partitionKey, KeyType: 'HASH' },
            { AttributeName: gsi1.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  await dynamo.send(
    new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { AttributeName: ttl, Enabled: true } }),
  );
}

export async function deleteStateTable(dynamo: DynamoDBClient, table: string): Promise<void> {
  await dynamo.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
}

export async function createBucket(s3: S3Client, bucket: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
}

/**
 * Creates an audit bucket as the stack does (ADR 0020): Object Lock on (which turns versioning on), default
 * retention GOVERNANCE for a day, so every object written is locked without asking for it.
 */
export async function createAuditBucket(s3: S3Client, bucket: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
  await s3.send(
    new PutObjectLockConfigurationCommand({
      Bucket: bucket,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } },
      },
    }),
  );
}

/**
 * Creates a KMS key in moto and returns its ARN. @aws-sdk/client-kms is not a dependency, and KMS is a plain
 * JSON protocol, so one signed-looking POST is enough (moto does not check signatures).
 */
export async function createKmsKey(): Promise<string> {
  const res = await fetch(`${MOTO_ENDPOINT}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'TrentService.CreateKey',
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20261125/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify({ Description: 'landscape integration tests' }),
  });
  const body = (await res.json()) as { KeyMetadata?: { Arn?: string } };
  const arn = body.KeyMetadata?.Arn;
  if (!arn) throw new Error(`creating a KMS key in moto: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
  return arn;
}
