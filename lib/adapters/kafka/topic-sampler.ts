import { Admin } from '@platformatic/kafka';
import { AdapterError, HttpStatusError, ReconcilerError } from '../../errors.ts';
import type { KafkaConnection, SchemaRegistryConnection } from '../../model/environment.ts';
import type { RecordSource, RegistrySchema } from '../../ports/record-source.ts';
import type { SecretResolver } from '../../ports/secret-resolver.ts';
import { resolveHttpAuth } from '../common/http/http-auth.ts';
import { JsonHttpClient } from '../common/http/json-http-client.ts';
import { buildAdminOptions } from './connection.ts';
import { type FetchedRecord, fetchRecords } from './fetch-records.ts';
import { toAdapterError } from './kafka-errors.ts';

/**
 * Reads the most recent records of a topic (for `landscape peek` and `GET /topics/{name}/sample`) and the
 * registry schemas they reference. Reads only: no group, no commits.
 */
export class KafkaTopicSampler implements RecordSource {
  readonly #admin: Admin;
  /** The schema registry, with the Environment's credentials (Basic, bearer, OAuth, mTLS) as its provider uses. */
  readonly #registry: JsonHttpClient | undefined;
  readonly #schemas = new Map<number, Promise<RegistrySchema>>();

  constructor(options: { admin: Admin; registry?: JsonHttpClient }) {
    this.#admin = options.admin;
    this.#registry = options.registry;
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
    const body = await registry.request<{ schema?: unknown; schemaType?: unknown } | undefined>(
      'GET',
      `/schemas/ids/${id}`,
    );
    if (typeof body?.schema !== 'string')
      throw new AdapterError(`schema id ${id}: the registry answered without a schema`);
    return { schema: body.schema, schemaType: typeof body.schemaType === 'string' ? body.schemaType : 'AVRO' };
  }

  async close(): Promise<void> {
    this.#registry?.close();
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
  connections: { kafka: KafkaConnection; schemaRegistry?: SchemaRegistryConnection | undefined },
  secrets: SecretResolver,
): Promise<KafkaTopicSampler> {
  const registry = connections.schemaRegistry;
  const registryClient = registry
    ? new JsonHttpClient({
        service: 'the schema registry',
        url: registry.url,
        ...(await resolveHttpAuth(registry, secrets, 'spec.schemaRegistry')),
        accept: 'application/vnd.schemaregistry.v1+json, application/json',
        timeoutMs: 10_000,
        retries: 2,
        backoffMs: 200,
        retriesNetworkErrors: () => true,
        retriesAnswer: (_method, status) => status === 429 || status >= 500,
        httpError: (method, path, status) =>
          new HttpStatusError(`fetching ${path} from the registry (${method}): HTTP ${status}`, status, undefined),
      })
    : undefined;
  const admin = new Admin({
    ...(await buildAdminOptions(connections.kafka, secrets)),
    clientId: `${connections.kafka.clientId}-sample`,
  });
  return new KafkaTopicSampler({ admin, ...(registryClient ? { registry: registryClient } : {}) });
}
