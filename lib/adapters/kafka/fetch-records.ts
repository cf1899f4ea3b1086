import { type Admin, type ClusterMetadata, fetchV17 } from '@platformatic/kafka';
import { AdapterError } from '../../errors.ts';
import { describeKafkaError, errorCodeName, isRetryableKafkaError } from './kafka-errors.ts';

/** One record as read from the log, undecoded. */
export interface FetchedRecord {
  topic: string;
  partition: number;
  offset: bigint;
  /** Epoch ms (CreateTime or LogAppendTime, whichever the topic uses). */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: [string, string][];
}

/** Read records of one partition starting at `offset` (the batch holding it may start earlier). */
export interface FetchTarget {
  topic: string;
  partition: number;
  offset: bigint;
  /** Stop before this offset (the end offset read at the same time), if given. */
  until?: bigint;
}

/** Control batches (transaction markers) carry no user records. */
const CONTROL_BATCH = 0x20;

/**
 * Reads records at given offsets with one sessionless Fetch (v17) per partition leader: no consumer group is
 * joined and nothing is committed, so sampling and lag timing never disturb the applications being watched.
 * Uncommitted reads (READ_UNCOMMITTED) and no abort filtering: good enough for "what does the data look
 * like" and "how old is the first unconsumed record".
 */
export async function fetchRecords(
  admin: Admin,
  metadata: ClusterMetadata,
  targets: readonly FetchTarget[],
  options: { partitionMaxBytes?: number; maxWaitMs?: number } = {},
): Promise<Map<string, FetchedRecord[]>> {
  const out = new Map<string, FetchedRecord[]>();
  const byLeader = new Map<number, FetchTarget[]>();
  const topicIds = new Map<string, string>();
  const topicNames = new Map<string, string>();
  for (const target of targets) {
    const topic = metadata.topics.get(target.topic);
    const leader = topic?.partitions[target.partition]?.leader;
    if (!topic || leader === undefined || leader < 0) continue;
    topicIds.set(target.topic, topic.id);
    topicNames.set(topic.id, target.topic);
    const list = byLeader.get(leader) ?? [];
    list.push(target);
    byLeader.set(leader, list);
  }
  if (byLeader.size === 0) return out;
  let connections: Awaited<ReturnType<Admin['connectToBrokers']>>;
  try {
    connections = await admin.connectToBrokers([...byLeader.keys()]);
  } catch (error) {
    throw new AdapterError(`connecting to partition leaders: ${describeKafkaError(error)}`, {
      cause: error,
      retryable: isRetryableKafkaError(error),
    });
  }
  const wanted = new Map(targets.map((t) => [`${t.topic}:${t.partition}`, t]));
  await Promise.all(
    [...byLeader].map(async ([leader, list]) => {
      const connection = connections.get(leader);
      if (!connection) return;
      const topics = new Map<string, fetchV17.FetchRequestPartition[]>();
      for (const t of list) {
        const id = topicIds.get(t.topic) as string;
        const partitions = topics.get(id) ?? [];
        partitions.push({
          partition: t.partition,
          currentLeaderEpoch: -1,
          fetchOffset: t.offset,
          lastFetchedEpoch: -1,
          partitionMaxBytes: options.partitionMaxBytes ?? 1_048_576,
        });
        topics.set(id, partitions);
      }
      let response: fetchV17.FetchResponse;
      try {
        // sessionId 0 + epoch -1: a full fetch outside any fetch session (KIP-227).
        response = await fetchV17.api.async(
          connection,
          options.maxWaitMs ?? 0,
          1,
          64 * 1_048_576,
          0,
          0,
          -1,
          [...topics].map(([topicId, partitions]) => ({ topicId, partitions })),
          [],
          '',
        );
      } catch (error) {
        throw new AdapterError(`fetching records from broker ${leader}: ${describeKafkaError(error)}`, {
          cause: error,
          retryable: isRetryableKafkaError(error),
        });
      }
      for (const topicResponse of response.responses) {
        const topic = topicNames.get(topicResponse.topicId) ?? topicResponse.topicId;
        for (const p of topicResponse.partitions) {
          const key = `${topic}:${p.partitionIndex}`;
          const target = wanted.get(key);
          if (!target) continue;
          if (p.errorCode !== 0) {
            throw new AdapterError(`fetching "${topic}" partition ${p.partitionIndex}: ${errorCodeName(p.errorCode)}`, {
              retryable: true,
            });
          }
          const records: FetchedRecord[] = [];
          for (const batch of p.records ?? []) {
            if ((batch.attributes & CONTROL_BATCH) !== 0) continue;
            for (const r of batch.records) {
              const offset = batch.firstOffset + BigInt(r.offsetDelta);
              if (offset < target.offset || (target.until !== undefined && offset >= target.until)) continue;
              records.push({
                topic,
                partition: p.partitionIndex,
                offset,
                timestamp: Number(batch.firstTimestamp + r.timestampDelta),
                key: r.key,
                value: r.value,
                headers: r.headers.map(([k, v]) => [k?.toString('utf8') ?? '', v?.toString('utf8') ?? '']),
              });
            }
          }
          out.set(key, records);
        }
      }
    }),
  );
  return out;
}
