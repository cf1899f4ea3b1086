import { messageOf } from '../errors.ts';
import type { MonitoredRule } from '../model/alert-rule.ts';
import type { MonitorReader } from '../ports/monitor-reader.ts';
import type { Notification, Notifier } from '../ports/notifier.ts';
import type { StateStore } from '../ports/state-store.ts';
import { evaluateAlerts, monitorRequestFor, type RuleResult } from './evaluate.ts';
import { EMPTY_MONITOR_STATE, type MonitorState, monitorStateName, type PendingDelivery } from './types.ts';

/** A delivery that keeps failing is given up after this many attempts (about this many evaluations). */
export const MAX_DELIVERY_ATTEMPTS = 10;

export interface MonitorDeps {
  store: Pick<StateStore, 'getValue' | 'putValue'>;
  reader: MonitorReader;
  notifier: Notifier;
  now: () => Date;
  /** Structured log lines; secrets never reach it (notifiers redact, summaries hold none). */
  log?: (message: string, attributes?: Record<string, unknown>) => void;
}

export interface DeliveryOutcome {
  channel: string;
  dedupKey: string;
  action: Notification['action'];
  delivered: boolean;
  error?: string;
}

export interface MonitorRun {
  environment: string;
  results: RuleResult[];
  deliveries: DeliveryOutcome[];
  /** Deliveries still waiting for a retry after this run. */
  undelivered: number;
  durationMs: number;
  readMs: number;
}

/**
 * One monitor evaluation of an environment: read the cluster once for every rule, run the alert state
 * machine, send what changed, store the new state.
 *
 * Delivery is at-least-once: the new state is stored with every outgoing notification marked undelivered
 * *before* sending, then stored again with what went out. A crash between the two repeats a notification
 * rather than losing it; receivers deduplicate by `dedupKey` (PagerDuty does). A failed delivery is retried
 * on the next evaluations; a trigger that was never delivered and has since resolved is dropped together
 * with its resolve, so nobody is paged for an episode that is over.
 *
 * @example
 * const run = await runMonitorOnce({ store, reader, notifier, now: () => new Date() }, { environment: 'prod', rules });
 */
export async function runMonitorOnce(
  deps: MonitorDeps,
  input: { environment: string; rules: readonly MonitoredRule[] },
): Promise<MonitorRun> {
  const started = Date.now();
  const name = monitorStateName(input.environment);
  const stored = await deps.store.getValue<MonitorState>(name);
  const previous: MonitorState = stored?.version === 1 ? { ...EMPTY_MONITOR_STATE, ...stored } : EMPTY_MONITOR_STATE;
  const request = monitorRequestFor(input.rules);
  const readStarted = Date.now();
  const snapshot = await deps.reader.read(request);
  const readMs = Date.now() - readStarted;
  const evaluation = evaluateAlerts({
    environment: input.environment,
    rules: input.rules,
    snapshot,
    state: previous,
    now: deps.now(),
  });

  // Queue: earlier failures first, then this evaluation's notifications (one per channel).
  let queue: PendingDelivery[] = [...evaluation.state.undelivered];
  for (const out of evaluation.outgoing) {
    for (const channel of out.channels) {
      const trigger = queue.find(
        (q) =>
          q.channel === channel &&
          q.notification.dedupKey === out.notification.dedupKey &&
          q.notification.action === 'trigger',
      );
      if (out.notification.action === 'resolve' && trigger) {
        // Never announced, already over: drop both.
        queue = queue.filter((q) => q !== trigger);
        continue;
      }
      queue.push({ channel, notification: out.notification, attempts: 0, lastError: '' });
    }
  }
  await deps.store.putValue(name, { ...evaluation.state, undelivered: queue });

  const deliveries: DeliveryOutcome[] = [];
  const remaining: PendingDelivery[] = [];
  for (const item of queue) {
    const { notification } = item;
    try {
      await deps.notifier.send(item.channel, notification);
      deliveries.push({
        channel: item.channel,
        dedupKey: notification.dedupKey,
        action: notification.action,
        delivered: true,
      });
    } catch (error) {
      const message = messageOf(error);
      const attempts = item.attempts + 1;
      deliveries.push({
        channel: item.channel,
        dedupKey: notification.dedupKey,
        action: notification.action,
        delivered: false,
        error: message,
      });
      if (attempts < MAX_DELIVERY_ATTEMPTS) remaining.push({ ...item, attempts, lastError: message });
      else
        deps.log?.('giving up a notification after repeated failures', {
          channel: item.channel,
          dedupKey: notification.dedupKey,
          action: notification.action,
          attempts,
          error: message,
        });
    }
  }
  if (queue.length > 0) await deps.store.putValue(name, { ...evaluation.state, undelivered: remaining });
  for (const result of evaluation.results) {
    if (result.transition)
      deps.log?.('alert state changed', {
        environment: input.environment,
        rule: result.rule,
        from: result.transition.from,
        to: result.transition.to,
        summary: result.measurement.summary,
      });
  }
  return {
    environment: input.environment,
    results: evaluation.results,
    deliveries,
    undelivered: remaining.length,
    durationMs: Date.now() - started,
    readMs,
  };
}
