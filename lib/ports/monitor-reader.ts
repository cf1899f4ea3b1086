/** What one evaluation needs read from the cluster, gathered from every rule so it is read in one go. */
export interface MonitorRequest {
  /** Consumer groups to measure lag for; `withTime` asks for the timestamp of the first unconsumed record. */
  groups: { group: string; withTime: boolean }[];
  /** Topics whose log end offsets are summed (throughput is the change between evaluations). */
  endOffsetTopics: string[];
  /** Topics whose replicas are compared with the in-sync replicas; `'all'` for every topic. */
  replicationTopics: string[] | 'all';
}

/** One partition a group has committed an offset for. Offsets are numbers (safe below 2^53). */
export interface PartitionLag {
  topic: string;
  partition: number;
  committed: number;
  end: number;
  /** `end - max(committed, logStart)`, never negative. */
  lag: number;
  /** Epoch ms of the first record the group has not consumed; absent when not lagging or not asked for. */
  firstUnconsumedAt?: number;
}

export interface GroupLag {
  group: string;
  /** Empty when the group has committed nothing (unknown or never consumed). */
  partitions: PartitionLag[];
}

export interface TopicReplication {
  partitions: number;
  /** Partitions whose ISR is smaller than their replica set. */
  underReplicated: number[];
}

/** What the cluster looked like at `at` (epoch ms). Missing entries mean "could not be read". */
export interface MonitorSnapshot {
  at: number;
  groups: Record<string, GroupLag>;
  /** Sum over partitions of the log end offset. Absent for topics that do not exist. */
  endOffsets: Record<string, number>;
  replication: Record<string, TopicReplication>;
}

/** Reads the cluster for the monitor (Kafka in production, a fake in unit tests). */
export interface MonitorReader {
  read(request: MonitorRequest): Promise<MonitorSnapshot>;
  close(): Promise<void>;
}
