import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { AdapterError } from '../../errors.ts';
import { toAdapterError } from './aws-errors.ts';
import type { PlanBodies } from './aws-table-store.ts';

export interface S3PlanBodiesOptions {
  /** The state bucket (SSE-KMS). */
  bucket: string;
  s3: S3Client;
  /**
   * KMS key (id or ARN) for SSE-KMS on every object written. When absent no encryption header is sent and the
   * bucket's default encryption applies (the stack's bucket defaults to SSE-KMS with its key: `STATE_KMS_KEY_ID`).
   */
  kmsKeyId?: string | undefined;
}

/** Plan and report bodies of AwsStateStore: one JSON object each in the state bucket. */
export class S3PlanBodies implements PlanBodies {
  readonly #bucket: string;
  readonly #s3: S3Client;
  readonly #kmsKeyId: string | undefined;

  constructor(options: S3PlanBodiesOptions) {
    this.#bucket = options.bucket;
    this.#s3 = options.s3;
    this.#kmsKeyId = options.kmsKeyId;
  }

  async put(key: string, value: unknown, doing: string): Promise<void> {
    try {
      await this.#s3.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Body: JSON.stringify(value),
          ContentType: 'application/json',
          // Without a key id, `aws:kms` would mean the AWS managed aws/s3 key, not the bucket's own key: then
          // send no header and let the bucket's default encryption (SSE-KMS with the stack key) apply.
          ...(this.#kmsKeyId ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: this.#kmsKeyId } : {}),
        }),
      );
    } catch (error) {
      throw toAdapterError(`${doing} to s3://${this.#bucket}/${key}`, error);
    }
  }

  async get<T>(key: string, doing: string): Promise<T> {
    try {
      const out = await this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      const text = await out.Body?.transformToString('utf8');
      if (text === undefined) throw new AdapterError(`${doing} from s3://${this.#bucket}/${key}: empty body`);
      return JSON.parse(text) as T;
    } catch (error) {
      throw toAdapterError(`${doing} from s3://${this.#bucket}/${key}`, error);
    }
  }

  async delete(key: string): Promise<void> {
    // Best effort: an orphaned body is never read (no record points at it) and lifecycle rules expire it.
    await this.#s3.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key })).catch(() => undefined);
  }
}
