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
