import { assertNever } from '../errors.ts';
import type { AlertRuleSpec, MonitoredRule } from '../model/alert-rule.ts';
import { durationToMs } from '../model/common.ts';
import type { MonitorRequest, MonitorSnapshot } from '../ports/monitor-reader.ts';
import type { Notification } from '../ports/notifier.ts';
import type { AlertStatus, MonitorState, RuleState } from './types.ts';

/** What one rule measured. `breached` is undefined when there was nothing to measure (no data yet). */
export interface Measurement {
  breached: boolean | undefined;
  value?: number;
  summary: string;
  details: Record<string, unknown>;
}

export interface RuleResult {
  rule: string;
  status: AlertStatus;
  measurement: Measurement;
  /** Set when this evaluation changed the rule's status. */
  transition?: { from: AlertStatus; to: AlertStatus };
}

/** A notification and the channels it goes to. */
export interface Outgoing {
  channels: string[];
  notification: Notification;
}

export interface EvaluationResult {
  state: MonitorState;
  results: RuleResult[];
  outgoing: Outgoing[];
}

/** Everything the rules need read, merged so one evaluation makes one batch of cluster calls. */
export function monitorRequestFor(rules: readonly MonitoredRule[]): MonitorRequest {
  const groups = new Map<string, boolean>();
  const endOffsetTopics = new Set<string>();
  let replication: Set<string> | 'all' = new Set();
  for (const { spec } of rules) {
    const c = spec.condition;
    switch (c.type) {
      case 'consumer-lag':
        groups.set(c.group, (groups.get(c.group) ?? false) || c.maxTime !== undefined);
        break;
      case 'throughput':
        endOffsetTopics.add(c.topic);
        break;
      case 'under-replicated':
        if (c.topic === undefined) replication = 'all';
        else if (replication !== 'all') replication.add(c.topic);
        break;
      default:
        assertNever(c, 'alert condition');
    }
  }
  return {
    groups: [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([group, withTime]) => ({ group, withTime })),
    endOffsetTopics: [...endOffsetTopics].sort(),
    replicationTopics: replication === 'all' ? 'all' : [...replication].sort(),
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const fmtRate = (n: number) => (n >= 100 ? fmt(n) : n.toFixed(n >= 10 ? 1 : 2));

/** `420000` -> `7m`, for summaries people read on their phone. */
export function humanDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.round(m / 60);
  return h < 48 ? `${h}h` : `${Math.round(h / 24)}d`;
}

function measureLag(
  c: Extract<AlertRuleSpec['condition'], { type: 'consumer-lag' }>,
  snapshot: MonitorSnapshot,
): Measurement {
  const group = snapshot.groups[c.group];
  const partitions = (group?.partitions ?? []).filter((p) => c.topic === undefined || p.topic === c.topic);
  const on = c.topic ? ` on "${c.topic}"` : '';
  if (partitions.length === 0) {
    return {
      breached: undefined,
      summary: `consumer group "${c.group}" has no committed offsets${on}`,
      details: { group: c.group, ...(c.topic ? { topic: c.topic } : {}) },
    };
  }
  const messages = partitions.reduce((sum, p) => sum + p.lag, 0);
  const oldest = partitions
    .filter((p) => p.lag > 0 && p.firstUnconsumedAt !== undefined)
    .reduce<number | undefined>(
      (min, p) => (min === undefined ? p.firstUnconsumedAt : Math.min(min, p.firstUnconsumedAt as number)),
      undefined,
    );
  const lagMs = oldest === undefined ? 0 : Math.max(0, snapshot.at - oldest);
  const maxTimeMs = c.maxTime === undefined ? undefined : durationToMs(c.maxTime);
  const overMessages = c.maxMessages !== undefined && messages > c.maxMessages;
  const overTime = maxTimeMs !== undefined && lagMs > maxTimeMs;
  const parts = [
    `${fmt(messages)} message${messages === 1 ? '' : 's'} behind${c.maxMessages !== undefined ? ` (limit ${fmt(c.maxMessages)})` : ''}`,
  ];
  if (maxTimeMs !== undefined) parts.push(`oldest unconsumed record ${humanDuration(lagMs)} old (limit ${c.maxTime})`);
  const worst = [...partitions]
    .sort((a, b) => b.lag - a.lag)
    .filter((p) => p.lag > 0)
    .slice(0, 10);
  return {
    breached: overMessages || overTime,
    value: overTime && !overMessages ? lagMs : messages,
    summary: `consumer group "${c.group}"${on} is ${parts.join(', ')}`,
    details: {
      group: c.group,
      ...(c.topic ? { topic: c.topic } : {}),
      lagMessages: messages,
      ...(maxTimeMs !== undefined ? { lagMs } : {}),
      ...(c.maxMessages !== undefined ? { maxMessages: c.maxMessages } : {}),
      ...(c.maxTime !== undefined ? { maxTime: c.maxTime } : {}),
      partitions: worst.map((p) => ({ topic: p.topic, partition: p.partition, lag: p.lag })),
    },
  };
}

function measureThroughput(
  c: Extract<AlertRuleSpec['condition'], { type: 'throughput' }>,
  snapshot: MonitorSnapshot,
  previous: MonitorState['offsets'][string] | undefined,
): Measurement {
  const sum = snapshot.endOffsets[c.topic];
  const details = {
    topic: c.topic,
    ...(c.below !== undefined ? { below: c.below } : {}),
    ...(c.above !== undefined ? { above: c.above } : {}),
  };
  if (sum === undefined) return { breached: undefined, summary: `topic "${c.topic}" was not found`, details };
  if (previous === undefined || snapshot.at <= previous.at || sum < previous.sum) {
    // First evaluation, or the topic was recreated: there is no rate until the next one.
    return {
      breached: undefined,
      summary: `throughput of "${c.topic}" is measured from the next evaluation on`,
      details,
    };
  }
  const seconds = (snapshot.at - previous.at) / 1000;
  const rate = (sum - previous.sum) / seconds;
  const low = c.below !== undefined && rate < c.below;
  const high = c.above !== undefined && rate > c.above;
  const limit = low
    ? `below ${c.below}`
    : high
      ? `above ${c.above}`
      : [c.below !== undefined ? `min ${c.below}` : '', c.above !== undefined ? `max ${c.above}` : '']
          .filter(Boolean)
          .join(', ');
  return {
    breached: low || high,
    value: rate,
    summary: `topic "${c.topic}" receives ${fmtRate(rate)} messages/s over the last ${humanDuration(seconds * 1000)}${limit ? ` (${limit})` : ''}`,
    details: { ...details, messagesPerSecond: Number(rate.toFixed(3)), windowSeconds: Math.round(seconds) },
  };
}

function measureReplication(
  c: Extract<AlertRuleSpec['condition'], { type: 'under-replicated' }>,
  snapshot: MonitorSnapshot,
): Measurement {
  const topics = c.topic === undefined ? Object.keys(snapshot.replication).sort() : [c.topic];
  if (c.topic !== undefined && snapshot.replication[c.topic] === undefined) {
    return { breached: undefined, summary: `topic "${c.topic}" was not found`, details: { topic: c.topic } };
  }
  const affected = topics
    .map((t) => ({ topic: t, partitions: snapshot.replication[t]?.underReplicated ?? [] }))
    .filter((t) => t.partitions.length > 0);
  const count = affected.reduce((n, t) => n + t.partitions.length, 0);
  const scope = c.topic ? `topic "${c.topic}"` : `${topics.length} topic${topics.length === 1 ? '' : 's'}`;
  return {
    breached: count > 0,
    value: count,
    summary:
      count === 0
        ? `every partition of ${scope} is fully replicated`
        : `${count} under-replicated partition${count === 1 ? '' : 's'} in ${affected
            .map((t) => `"${t.topic}"`)
            .slice(0, 5)
            .join(', ')}${affected.length > 5 ? ` and ${affected.length - 5} more topics` : ''}`,
    details: { underReplicated: affected.slice(0, 20), ...(c.topic ? { topic: c.topic } : {}) },
  };
}

export function measureRule(rule: MonitoredRule, snapshot: MonitorSnapshot, state: MonitorState): Measurement {
  const c = rule.spec.condition;
  switch (c.type) {
    case 'consumer-lag':
      return measureLag(c, snapshot);
    case 'throughput':
      return measureThroughput(c, snapshot, state.offsets[c.topic]);
    case 'under-replicated':
      return measureReplication(c, snapshot);
    default:
      return assertNever(c, 'alert condition');
  }
}

/** FNV-1a over the spec's JSON: enough to notice that a rule changed (not a security boundary). */
function digest(value: unknown): string {
  const text = JSON.stringify(value);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

export const alertDedupKey = (environment: string, rule: string): string => `landscape/${environment}/alert/${rule}`;

function notification(
  environment: string,
  rule: string,
  action: Notification['action'],
  severity: Notification['severity'],
  summary: string,
  at: string,
  details: Record<string, unknown>,
): Notification {
  return {
    source: 'alert',
    action,
    environment,
    name: rule,
    severity,
    summary,
    dedupKey: alertDedupKey(environment, rule),
    at,
    details,
  };
}

/**
 * One evaluation of every AlertRule against a snapshot: the state machine ok -> pending -> firing -> ok.
 *
 * - The condition must hold for the rule's `for` duration (pending) before it fires; `for: 0s` fires at once.
 * - A firing alert is announced once: later evaluations that still breach send nothing.
 * - When the condition clears, a firing alert resolves (announced, same dedup key) and a pending one is
 *   dropped silently.
 * - No data (first throughput sample, group without commits) changes nothing.
 * - A firing rule that was removed or changed is resolved on the channels it fired on.
 *
 * Pure: the clock, the snapshot and the previous state are inputs; the caller stores `state` and sends
 * `outgoing`.
 *
 * @example
 * const { state, outgoing } = evaluateAlerts({ environment: 'prod', rules, snapshot, state: previous, now });
 */
export function evaluateAlerts(input: {
  environment: string;
  rules: readonly MonitoredRule[];
  snapshot: MonitorSnapshot;
  state: MonitorState;
  now: Date;
}): EvaluationResult {
  const { environment, snapshot, now } = input;
  const at = now.toISOString();
  const previous = input.state;
  const next: MonitorState = {
    version: 1,
    evaluatedAt: at,
    rules: {},
    offsets: { ...previous.offsets },
    undelivered: [...previous.undelivered],
  };
  const results: RuleResult[] = [];
  const outgoing: Outgoing[] = [];
  const current = new Set(input.rules.map((r) => r.name));

  for (const rule of [...input.rules].sort((a, b) => a.name.localeCompare(b.name))) {
    const specDigest = digest(rule.spec);
    let before: RuleState = previous.rules[rule.name] ?? { status: 'ok' };
    if (before.specDigest !== undefined && before.specDigest !== specDigest && before.status !== 'ok') {
      if (before.status === 'firing') {
        outgoing.push({
          channels: before.channels ?? rule.spec.channels,
          notification: notification(
            environment,
            rule.name,
            'resolve',
            before.severity ?? rule.spec.severity,
            `resolved: rule "${rule.name}" was changed`,
            at,
            {},
          ),
        });
      }
      before = { status: 'ok' };
    }
    const measurement = measureRule(rule, snapshot, previous);
    const forMs = durationToMs(rule.spec.for);
    let after: RuleState = { ...before, specDigest, summary: measurement.summary };
    if (measurement.value !== undefined) after.value = measurement.value;
    if (measurement.breached === true) {
      if (before.status === 'ok') after = { ...after, status: 'pending', since: at };
      const pendingSince = after.status === 'pending' ? Date.parse(after.since ?? at) : undefined;
      if (pendingSince !== undefined && now.getTime() - pendingSince >= forMs) {
        after = {
          ...after,
          status: 'firing',
          since: at,
          severity: rule.spec.severity,
          channels: [...rule.spec.channels],
        };
        outgoing.push({
          channels: [...rule.spec.channels],
          notification: notification(environment, rule.name, 'trigger', rule.spec.severity, measurement.summary, at, {
            ...measurement.details,
            ...(measurement.value !== undefined ? { value: measurement.value } : {}),
            for: rule.spec.for,
            pendingSince: new Date(pendingSince).toISOString(),
          }),
        });
      }
    } else if (measurement.breached === false) {
      if (before.status === 'firing') {
        outgoing.push({
          channels: before.channels ?? rule.spec.channels,
          notification: notification(
            environment,
            rule.name,
            'resolve',
            before.severity ?? rule.spec.severity,
            `resolved: ${measurement.summary}`,
            at,
            {
              ...measurement.details,
              firedAt: before.since,
            },
          ),
        });
      }
      after = {
        status: 'ok',
        specDigest,
        summary: measurement.summary,
        ...(measurement.value !== undefined ? { value: measurement.value } : {}),
      };
    }
    next.rules[rule.name] = after;
    results.push({
      rule: rule.name,
      status: after.status,
      measurement,
      ...(after.status !== before.status ? { transition: { from: before.status, to: after.status } } : {}),
    });
  }

  for (const [name, old] of Object.entries(previous.rules)) {
    if (current.has(name) || old.status !== 'firing') continue;
    outgoing.push({
      channels: old.channels ?? [],
      notification: notification(
        environment,
        name,
        'resolve',
        old.severity ?? 'warning',
        `resolved: rule "${name}" was removed`,
        at,
        {},
      ),
    });
  }

  // Throughput baselines move forward on every evaluation (rates are per evaluation interval).
  for (const [topic, sum] of Object.entries(snapshot.endOffsets)) next.offsets[topic] = { sum, at: snapshot.at };
  const wanted = new Set(
    input.rules.flatMap((r) => (r.spec.condition.type === 'throughput' ? [r.spec.condition.topic] : [])),
  );
  for (const topic of Object.keys(next.offsets)) if (!wanted.has(topic)) delete next.offsets[topic];
  return { state: next, results, outgoing };
}
