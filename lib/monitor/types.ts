import type { AlertRuleSpec } from '../model/alert-rule.ts';

/**
 * The monitor's ports and data: what it asks the cluster, what it gets back, what it remembers between
 * evaluations and what it tells people. Adapters (lib/adapters/kafka-monitor, lib/adapters/notify) implement
 * the interfaces; lib/monitor itself does no I/O except through them.
 */

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

export type AlertStatus = 'ok' | 'pending' | 'firing';

/** A notification not yet delivered to a channel; retried on the next evaluation. */
export interface PendingDelivery {
  channel: string;
  notification: Notification;
  attempts: number;
  lastError: string;
}

export interface RuleState {
  status: AlertStatus;
  /** When the condition started to hold (pending) or the alert fired (firing), ISO 8601. */
  since?: string;
  /** Last measured value and its description, for notifications and `landscape monitor` output. */
  value?: number;
  summary?: string;
  /** What the rule looked like when it fired: a removed rule is resolved on the same channels. */
  severity?: AlertRuleSpec['severity'];
  channels?: string[];
  /** Digest of the rule's spec: a changed rule starts over (its pending time no longer applies). */
  specDigest?: string;
}

/** Everything the monitor remembers for one environment, stored as one StateStore value. */
export interface MonitorState {
  version: 1;
  evaluatedAt?: string;
  rules: Record<string, RuleState>;
  /** Previous end-offset sums per topic with the time they were read (throughput baseline). */
  offsets: Record<string, { sum: number; at: number }>;
  undelivered: PendingDelivery[];
}

export const EMPTY_MONITOR_STATE: MonitorState = { version: 1, rules: {}, offsets: {}, undelivered: [] };

/** The StateStore value name of an environment's monitor state. */
export const monitorStateName = (environment: string): string => `monitor/${environment}/state`;

/**
 * A message for people, independent of the channel that carries it. `dedupKey` is stable per alert (and per
 * drift episode) so that PagerDuty groups the trigger and its resolve, and receivers can deduplicate.
 */
export interface Notification {
  /** `alert` from AlertRules, `drift` from drift checks. */
  source: 'alert' | 'drift';
  action: 'trigger' | 'resolve';
  environment: string;
  /** Rule name (alerts) or `drift` */
  name: string;
  severity: 'info' | 'warning' | 'critical';
  /** One line: what is wrong (or that it cleared). */
  summary: string;
  dedupKey: string;
  /** ISO 8601: when it was detected (trigger) or cleared (resolve). */
  at: string;
  /** Structured facts (value, threshold, group, topic, per-partition lag). Never secret values. */
  details: Record<string, unknown>;
}

/** Sends notifications to named Channels. Implementations resolve channel secrets and never log them. */
export interface Notifier {
  send(channel: string, notification: Notification): Promise<void>;
}
