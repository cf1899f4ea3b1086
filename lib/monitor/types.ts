import type { AlertRuleSpec } from '../model/alert-rule.ts';
import type { Notification } from '../ports/notifier.ts';

/**
 * What the monitor remembers between evaluations. What it asks the cluster and what it tells people are ports
 * (lib/ports/monitor-reader.ts, lib/ports/notifier.ts); lib/monitor itself does no I/O except through them.
 */

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
