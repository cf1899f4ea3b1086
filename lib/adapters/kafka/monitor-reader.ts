import { Admin, type ClusterMetadata } from '@platformatic/kafka';
import type { KafkaConnection } from '../../model/environment.ts';
import type {
  GroupLag,
  MonitorReader,
  MonitorRequest,
  MonitorSnapshot,
  PartitionLag,
  TopicReplication,
} from '../../ports/monitor-reader.ts';
import type { SecretResolver } from '../../ports/secret-resolver.ts';
import { buildAdminOptions } from './connection.ts';
import { fetchRecords } from './fetch-records.ts';
import { toAdapterError } from './kafka-errors.ts';

const LATEST = -1n;
/** Fetch rounds for lag in time per evaluation (each round is one request per partition leader). */
const MAX_TIMESTAMP_ROUNDS = 20;
const EARLIEST = -2n;

type Offsets = Map<string, Map<number, bigint>>;

/**
 * Reads what AlertRules need from Kafka in a fixed number of batched admin calls per evaluation, whatever
 * the number of rules: ListTopics, Metadata, OffsetFetch for every group at once, ListOffsets (latest, and
 * earliest for lagging topics), plus one Fetch per leader for lag in time.
 *
 * Lag per partition is `end - max(committed, logStart)`: offsets that retention already deleted cannot be
 * consumed any more. Partitions a group never committed are not counted (kafka-consumer-groups shows "-").
 */
export class KafkaMonitorReader implements MonitorReader {
  readonly #admin: Admin;
  readonly #now: () => number;

  constructor(admin: Admin, now: () => number = Date.now) {
    this.#admin = admin;
    this.#now = now;
  }

  async read(request: MonitorRequest): Promise<MonitorSnapshot> {
    const at = this.#now();
    const admin = this.#admin;
    const committed = request.groups.length
      ? await call('reading committed offsets of consumer groups', () =>
          admin.listConsumerGroupOffsets({ groups: request.groups.map((g) => g.group) }),
        )
      : [];
    const existing = new Set(await call('listing topics', () => admin.listTopics({ includeInternals: true })));
    const lagTopics = new Set(committed.flatMap((g) => g.topics.map((t) => t.name)).filter((t) => existing.has(t)));
    const endTopics = request.endOffsetTopics.filter((t) => existing.has(t));
    const replicationTopics =
      request.replicationTopics === 'all' ? [...existing] : request.replicationTopics.filter((t) => existing.has(t));
    const metadataTopics = [...new Set([...lagTopics, ...endTopics, ...replicationTopics])].sort();
    const metadata: ClusterMetadata | undefined =
      metadataTopics.length > 0
        ? await call('reading topic metadata', () => admin.metadata({ topics: metadataTopics, forceUpdate: true }))
        : undefined;

    const latest = await this.#listOffsets(metadata, [...new Set([...lagTopics, ...endTopics])], LATEST);
    const earliest = await this.#listOffsets(metadata, [...lagTopics], EARLIEST);

    const groups: Record<string, GroupLag> = {};
    for (const g of committed) {
      const partitions: PartitionLag[] = [];
      for (const topic of g.topics) {
        for (const p of topic.partitions) {
          const end = latest.get(topic.name)?.get(p.partitionIndex);
          if (p.committedOffset < 0n || end === undefined) continue;
          const start = earliest.get(topic.name)?.get(p.partitionIndex) ?? 0n;
          const from = p.committedOffset > start ? p.committedOffset : start;
          const lag = end > from ? end - from : 0n;
          partitions.push({
            topic: topic.name,
            partition: p.partitionIndex,
            committed: Number(p.committedOffset),
            end: Number(end),
            lag: Number(lag),
          });
        }
      }
      partitions.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
      groups[g.groupId] = { group: g.groupId, partitions };
    }
    for (const { group } of request.groups) groups[group] ??= { group, partitions: [] };

    // Lag in time: the timestamp of the first record each lagging group has not consumed yet.
    const timed = new Set(request.groups.filter((g) => g.withTime).map((g) => g.group));
    const lagging = Object.values(groups)
      .filter((g) => timed.has(g.group))
      .flatMap((g) => g.partitions.filter((p) => p.lag > 0));
    if (metadata && lagging.length > 0) {
      const positionOf = (p: PartitionLag) => {
        const start = earliest.get(p.topic)?.get(p.partition) ?? 0n;
        return BigInt(p.committed) > start ? BigInt(p.committed) : start;
      };
      const timestamps = await this.#firstTimestamps(
        metadata,
        lagging.map((p) => ({ topic: p.topic, partition: p.partition, offset: positionOf(p) })),
      );
      for (const p of lagging) {
        const ts = timestamps.get(`${p.topic}:${p.partition}:${positionOf(p)}`);
        if (ts !== undefined) p.firstUnconsumedAt = ts;
      }
    }

    const endOffsets: Record<string, number> = {};
    for (const topic of endTopics) {
      const partitions = latest.get(topic);
      if (partitions) endOffsets[topic] = Number([...partitions.values()].reduce((a, b) => a + b, 0n));
    }
    const replication: Record<string, TopicReplication> = {};
    for (const topic of replicationTopics) {
      const info = metadata?.topics.get(topic);
      if (!info) continue;
      const underReplicated = info.partitions.flatMap((p, index) => (p.isr.length < p.replicas.length ? [index] : []));
      replication[topic] = { partitions: info.partitionsCount, underReplicated };
    }
    return { at, groups, endOffsets, replication };
  }

  /**
   * Timestamps of the records at (or, across compaction gaps, right after) the given offsets, keyed
   * `topic:partition:offset`. Each round fetches every partition once from its smallest unresolved offset;
   * one answer usually covers many groups' positions, so groups at different positions on one partition
   * cost a few rounds, not one request each. Bounded: positions still unresolved after the last round stay
   * unknown (no lag in time for them) rather than stalling the evaluation.
   */
  async #firstTimestamps(
    metadata: ClusterMetadata,
    positions: readonly { topic: string; partition: number; offset: bigint }[],
  ): Promise<Map<string, number>> {
    const pending = new Map<string, { topic: string; partition: number; offsets: bigint[] }>();
    for (const p of positions) {
      const key = `${p.topic}:${p.partition}`;
      const entry = pending.get(key) ?? { topic: p.topic, partition: p.partition, offsets: [] };
      if (!entry.offsets.includes(p.offset)) entry.offsets.push(p.offset);
      pending.set(key, entry);
    }
    for (const entry of pending.values()) entry.offsets.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const out = new Map<string, number>();
    for (let round = 0; round < MAX_TIMESTAMP_ROUNDS && pending.size > 0; round++) {
      const batch = [...pending.values()].map((e) => ({
        topic: e.topic,
        partition: e.partition,
        offset: e.offsets[0] as bigint,
      }));
      const fetched = await fetchRecords(this.#admin, metadata, batch, { partitionMaxBytes: 262_144 });
      for (const [key, entry] of pending) {
        const records = fetched.get(key) ?? [];
        const last = records[records.length - 1];
        if (!last) {
          pending.delete(key); // nothing readable there (deleted meanwhile, or a batch over the size limit)
          continue;
        }
        entry.offsets = entry.offsets.filter((offset) => {
          if (offset > last.offset) return true;
          const record = records.find((r) => r.offset >= offset);
          if (record) out.set(`${key}:${offset}`, record.timestamp);
          return false;
        });
        if (entry.offsets.length === 0) pending.delete(key);
      }
    }
    return out;
  }

  async #listOffsets(
    metadata: ClusterMetadata | undefined,
    topics: readonly string[],
    timestamp: bigint,
  ): Promise<Offsets> {
    const out: Offsets = new Map();
    const requests = topics.flatMap((name) => {
      const count = metadata?.topics.get(name)?.partitionsCount ?? 0;
      return count > 0
        ? [{ name, partitions: Array.from({ length: count }, (_, partitionIndex) => ({ partitionIndex, timestamp })) }]
        : [];
    });
    if (requests.length === 0) return out;
    const listed = await call(`listing ${timestamp === LATEST ? 'end' : 'start'} offsets`, () =>
      this.#admin.listOffsets({ topics: requests }),
    );
    for (const topic of listed) {
      const partitions = new Map<number, bigint>();
      for (const p of topic.partitions) partitions.set(p.partitionIndex, p.offset);
      out.set(topic.name, partitions);
    }
    return out;
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

/** Opens a monitor reader on an Environment's Kafka connection (credentials resolved here, once). */
export async function openKafkaMonitorReader(
  connection: KafkaConnection,
  secrets: SecretResolver,
): Promise<KafkaMonitorReader> {
  const options = await buildAdminOptions(connection, secrets);
  return new KafkaMonitorReader(new Admin({ ...options, clientId: `${connection.clientId}-monitor` }));
}
