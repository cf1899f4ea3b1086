import { Admin } from '@platformatic/kafka';
import type { z } from 'zod';
import { AdapterError, ReconcilerError } from '../../errors.ts';
import type { KafkaConnection, SchemaRegistryConnectionSchema } from '../../model/environment.ts';
import type { RecordSource, RegistrySchema } from '../../ports/record-source.ts';
import type { SecretResolver } from '../../ports/secret-resolver.ts';
import { buildAdminOptions } from './connection.ts';
import { type FetchedRecord, fetchRecords } from './fetch-records.ts';
import { toAdapterError } from './kafka-errors.ts';

type RegistryConnection = z.infer<typeof SchemaRegistryConnectionSchema>;

/**
 * Reads the most recent records of a topic (for `landscape peek` and `GET /topics/{name}/sample`) and the
 * registry schemas they reference. Reads only: no group, no commits.
 */
export class KafkaTopicSampler implements RecordSource {
  readonly #admin: Admin;
  readonly #registry: RegistryConnection | undefined;
  readonly #secrets: SecretResolver;
  readonly #schemas = new Map<number, Promise<RegistrySchema>>();
  readonly #fetch: typeof fetch;

  constructor(options: { admin: Admin; registry?: RegistryConnection; secrets: SecretResolver; fetch?: typeof fetch }) {
    this.#admin = options.admin;
    this.#registry = options.registry;
    this.#secrets = options.secrets;
    this.#fetch = options.fetch ?? fetch;
  }

  /** Up to `count` records, newest first, taken from the tail of every partition. */
  async recent(topic: string, count: number): Promise<FetchedRecord[]> {
    const admin = this.#admin;
    const topics = await call('listing topics', () => admin.listTopics({ includeInternals: true }));
    if (!topics.includes(topic)) throw new ReconcilerError('NotFound', `topic "${topic}" does not exist`);
    const metadata = await call(`reading metadata of "${topic}"`, () =>
      admin.metadata({ topics: [topic], forceUpdate: true }),
    );
    const partitions = metadata.topics.get(topic)?.partitionsCount ?? 0;
    const list = (timestamp: bigint) =>
      call(`listing offsets of "${topic}"`, () =>
        admin.listOffsets({
          topics: [
            {
              name: topic,
              partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({ partitionIndex, timestamp })),
            },
          ],
        }),
      );
    const [latest, earliest] = await Promise.all([list(-1n), list(-2n)]);
    const start = new Map(earliest[0]?.partitions.map((p) => [p.partitionIndex, p.offset]) ?? []);
    const targets = (latest[0]?.partitions ?? []).flatMap((p) => {
      const first = start.get(p.partitionIndex) ?? 0n;
      const from = p.offset - BigInt(count) > first ? p.offset - BigInt(count) : first;
      return p.offset > from ? [{ topic, partition: p.partitionIndex, offset: from, until: p.offset }] : [];
    });
    if (targets.length === 0) return [];
    const fetched = await fetchRecords(admin, metadata, targets, { partitionMaxBytes: 1_048_576 });
    return [...fetched.values()]
      .flat()
      .sort((a, b) => b.timestamp - a.timestamp || (a.offset < b.offset ? 1 : -1))
      .slice(0, count);
  }

  /** A schema by its registry id (`GET /schemas/ids/{id}`), cached for the life of the sampler. */
  schema(id: number): Promise<RegistrySchema> {
    let cached = this.#schemas.get(id);
    if (!cached) {
      cached = this.#loadSchema(id);
      cached.catch(() => this.#schemas.delete(id));
      this.#schemas.set(id, cached);
    }
    return cached;
  }

  async #loadSchema(id: number): Promise<RegistrySchema> {
    const registry = this.#registry;
    if (!registry) {
      throw new ReconcilerError(
        'BadRequest',
        `a record references schema id ${id}, but the Environment has no schemaRegistry`,
      );
    }
    const headers: Record<string, string> = { accept: 'application/vnd.schemaregistry.v1+json, application/json' };
    if (registry.token) headers.authorization = `Bearer ${await this.#secrets.resolve(registry.token)}`;
    else if (registry.username && registry.password) {
      const password = await this.#secrets.resolve(registry.password);
      headers.authorization = `Basic ${Buffer.from(`${registry.username}:${password}`).toString('base64')}`;
    }
    const url = `${registry.url.replace(/\/+$/, '')}/schemas/ids/${id}`;
    let response: Response;
    try {
      response = await this.#fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
    } catch (error) {
      throw new AdapterError(
        `fetching schema id ${id} from the registry: ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
          retryable: true,
        },
      );
    }
    if (!response.ok) {
      throw new AdapterError(`fetching schema id ${id} from the registry: HTTP ${response.status}`, {
        retryable: response.status >= 500,
      });
    }
    const body = (await response.json()) as { schema?: unknown; schemaType?: unknown };
    if (typeof body.schema !== 'string')
      throw new AdapterError(`schema id ${id}: the registry answered without a schema`);
    return { schema: body.schema, schemaType: typeof body.schemaType === 'string' ? body.schemaType : 'AVRO' };
  }

  async close(): Promise<void> {
    await this.#admin.close();
  }
}

async function call<T>(doing: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toAdapterError(doing, error);
  }
}

/**
 * Opens a sampler on an Environment's connections. Close it when done.
 *
 * @example
 * const sampler = await openTopicSampler(config.environment.spec, secrets);
 * try {
 *   return await sampleTopic({ topic, count, policies: dataPoliciesOf(config) }, sampler);
 * } finally {
 *   await sampler.close();
 * }
 */
export async function openTopicSampler(
  connections: { kafka: KafkaConnection; schemaRegistry?: RegistryConnection | undefined },
  secrets: SecretResolver,
  options: { fetch?: typeof fetch } = {},
): Promise<KafkaTopicSampler> {
  const admin = new Admin({
    ...(await buildAdminOptions(connections.kafka, secrets)),
    clientId: `${connections.kafka.clientId}-sample`,
  });
  return new KafkaTopicSampler({
    admin,
    secrets,
    ...(connections.schemaRegistry ? { registry: connections.schemaRegistry } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
