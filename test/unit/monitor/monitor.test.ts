import { describe, expect, it } from 'vitest';
import type { MonitoredRule } from '../../../lib/model/alert-rule.ts';
import { AlertRuleSpecSchema } from '../../../lib/model/alert-rule.ts';
import { evaluateAlerts, monitorRequestFor } from '../../../lib/monitor/evaluate.ts';
import { runMonitorOnce } from '../../../lib/monitor/run-monitor.ts';
import { EMPTY_MONITOR_STATE, type MonitorState, monitorStateName } from '../../../lib/monitor/types.ts';
import type { MonitorReader, MonitorSnapshot } from '../../../lib/ports/monitor-reader.ts';
import type { Notification } from '../../../lib/ports/notifier.ts';
import { InMemoryStateStore } from '../../support/fakes/in-memory-state-store.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
/** A snapshot in which topic `orders` has `sum` records in total, `seconds` after T0. */
const ordersSnapshot = (seconds: number, sum: number): MonitorSnapshot => ({
  at: T0 + seconds * 1000,
  groups: {},
  endOffsets: { orders: sum },
  replication: {},
});

function rule(name: string, spec: unknown): MonitoredRule {
  return { name, spec: AlertRuleSpecSchema.parse(spec) };
}

function lagSnapshot(seconds: number, lag: number, extra: Partial<MonitorSnapshot> = {}): MonitorSnapshot {
  return {
    at: T0 + seconds * 1000,
    groups: {
      billing: {
        group: 'billing',
        partitions: [
          { topic: 'orders', partition: 0, committed: 100, end: 100 + lag, lag, firstUnconsumedAt: T0 - 60_000 },
          { topic: 'orders', partition: 1, committed: 50, end: 50, lag: 0 },
        ],
      },
    },
    endOffsets: {},
    replication: {},
    ...extra,
  };
}

const LAG = rule('billing-lag', {
  condition: { type: 'consumer-lag', group: 'billing', maxMessages: 10 },
  for: '2m',
  severity: 'critical',
  channels: ['oncall'],
});

describe('evaluateAlerts', () => {
  it('goes pending, fires once after `for`, stays quiet while firing and resolves when the lag clears', () => {
    // Prepare
    const steps: [number, number][] = [
      [0, 50],
      [60, 50],
      [120, 60],
      [180, 70],
      [240, 0],
    ];
    let state: MonitorState = EMPTY_MONITOR_STATE;
    const log: string[] = [];

    // Act
    for (const [seconds, lag] of steps) {
      const result = evaluateAlerts({
        environment: 'prod',
        rules: [LAG],
        snapshot: lagSnapshot(seconds, lag),
        state,
        now: at(seconds),
      });
      state = result.state;
      log.push(
        `${seconds}s ${result.results[0]?.status} ${result.outgoing.map((o) => `${o.notification.action}->${o.channels.join(',')}`).join(' ')}`.trim(),
      );
      if (seconds === 120) {
        expect(result.outgoing[0]?.notification).toMatchObject({
          dedupKey: 'landscape/prod/alert/billing-lag',
          severity: 'critical',
          summary: 'consumer group "billing" is 60 messages behind (limit 10)',
          details: { lagMessages: 60, partitions: [{ topic: 'orders', partition: 0, lag: 60 }] },
        });
      }
    }

    // Assess
    expect(log).toEqual([
      '0s pending',
      '60s pending',
      '120s firing trigger->oncall',
      '180s firing',
      '240s ok resolve->oncall',
    ]);
  });

  it('drops a pending alert silently when the condition clears before `for` passes', () => {
    const first = evaluateAlerts({
      environment: 'e',
      rules: [LAG],
      snapshot: lagSnapshot(0, 50),
      state: EMPTY_MONITOR_STATE,
      now: at(0),
    });
    const second = evaluateAlerts({
      environment: 'e',
      rules: [LAG],
      snapshot: lagSnapshot(60, 0),
      state: first.state,
      now: at(60),
    });
    expect(second.results[0]).toMatchObject({ status: 'ok', transition: { from: 'pending', to: 'ok' } });
    expect(second.outgoing).toEqual([]);
  });

  it('fires on lag in time from the first unconsumed record', () => {
    const timeRule = rule('old', {
      condition: { type: 'consumer-lag', group: 'billing', maxTime: '30s' },
      channels: ['c'],
    });
    const result = evaluateAlerts({
      environment: 'e',
      rules: [timeRule],
      snapshot: lagSnapshot(0, 5),
      state: EMPTY_MONITOR_STATE,
      now: at(0),
    });
    expect(result.results[0]?.status).toBe('firing');
    expect(result.outgoing[0]?.notification.summary).toBe(
      'consumer group "billing" is 5 messages behind, oldest unconsumed record 60s old (limit 30s)',
    );
    expect(monitorRequestFor([timeRule, LAG]).groups).toEqual([{ group: 'billing', withTime: true }]);
  });

  it('measures throughput from end-offset deltas between evaluations', () => {
    // Prepare
    const slow = rule('slow', { condition: { type: 'throughput', topic: 'orders', below: 10 }, channels: ['c'] });

    // Act
    const first = evaluateAlerts({
      environment: 'e',
      rules: [slow],
      snapshot: ordersSnapshot(0, 1000),
      state: EMPTY_MONITOR_STATE,
      now: at(0),
    });
    const second = evaluateAlerts({
      environment: 'e',
      rules: [slow],
      snapshot: ordersSnapshot(60, 1300),
      state: first.state,
      now: at(60),
    });
    const third = evaluateAlerts({
      environment: 'e',
      rules: [slow],
      snapshot: ordersSnapshot(120, 2000),
      state: second.state,
      now: at(120),
    });

    // Assess
    expect(first.results[0]?.measurement.breached).toBeUndefined();
    expect(second.results[0]?.measurement).toMatchObject({ breached: true, value: 5 });
    expect(second.outgoing[0]?.notification.summary).toBe(
      'topic "orders" receives 5.00 messages/s over the last 60s (below 10)',
    );
    expect(third.results[0]?.measurement.value).toBeCloseTo(11.67, 2);
    expect(third.outgoing.map((o) => o.notification.action)).toEqual(['resolve']);
  });

  it('fires when throughput rises above a rate, and resolves when it falls back', () => {
    // Prepare: a runaway producer.
    const flood = rule('flood', { condition: { type: 'throughput', topic: 'orders', above: 100 }, channels: ['c'] });
    const step = (state: Parameters<typeof evaluateAlerts>[0]['state'], seconds: number, sum: number) =>
      evaluateAlerts({
        environment: 'e',
        rules: [flood],
        snapshot: ordersSnapshot(seconds, sum),
        state,
        now: at(seconds),
      });

    // Act
    const first = step(EMPTY_MONITOR_STATE, 0, 0);
    const second = step(first.state, 10, 5000);
    const third = step(second.state, 20, 5500);

    // Assess
    expect(second.results[0]?.measurement).toMatchObject({ breached: true, value: 500 });
    expect(second.outgoing.map((o) => o.notification.action)).toEqual(['trigger']);
    expect(second.outgoing[0]?.notification.summary).toContain('(above 100)');
    expect(third.results[0]?.measurement).toMatchObject({ breached: false, value: 50 });
    expect(third.outgoing.map((o) => o.notification.action)).toEqual(['resolve']);
  });

  it('counts under-replicated partitions per topic or across the cluster', () => {
    const urp = rule('urp', { condition: { type: 'under-replicated' }, channels: ['c'] });
    const snapshot: MonitorSnapshot = {
      at: T0,
      groups: {},
      endOffsets: {},
      replication: { a: { partitions: 3, underReplicated: [1, 2] }, b: { partitions: 1, underReplicated: [] } },
    };
    const result = evaluateAlerts({ environment: 'e', rules: [urp], snapshot, state: EMPTY_MONITOR_STATE, now: at(0) });
    expect(result.results[0]?.measurement).toMatchObject({
      breached: true,
      value: 2,
      summary: '2 under-replicated partitions in "a"',
    });
    expect(monitorRequestFor([urp]).replicationTopics).toBe('all');
  });

  it('resolves a firing alert whose rule was removed or changed', () => {
    const fired = evaluateAlerts({
      environment: 'e',
      rules: [LAG],
      snapshot: lagSnapshot(0, 50),
      state: EMPTY_MONITOR_STATE,
      now: at(0),
    });
    const firing = evaluateAlerts({
      environment: 'e',
      rules: [LAG],
      snapshot: lagSnapshot(200, 50),
      state: fired.state,
      now: at(200),
    });
    expect(firing.results[0]?.status).toBe('firing');

    const removed = evaluateAlerts({
      environment: 'e',
      rules: [],
      snapshot: lagSnapshot(260, 50),
      state: firing.state,
      now: at(260),
    });
    expect(removed.outgoing.map((o) => [o.notification.action, o.notification.summary, o.channels])).toEqual([
      ['resolve', 'resolved: rule "billing-lag" was removed', ['oncall']],
    ]);

    const changed = rule('billing-lag', {
      ...LAG.spec,
      condition: { type: 'consumer-lag', group: 'billing', maxMessages: 1000 },
    });
    const after = evaluateAlerts({
      environment: 'e',
      rules: [changed],
      snapshot: lagSnapshot(260, 50),
      state: firing.state,
      now: at(260),
    });
    expect(after.outgoing.map((o) => o.notification.summary)).toEqual(['resolved: rule "billing-lag" was changed']);
    expect(after.results[0]?.status).toBe('ok');
  });
});

class FakeReader implements MonitorReader {
  snapshots: MonitorSnapshot[] = [];
  async read(): Promise<MonitorSnapshot> {
    const next = this.snapshots.shift();
    if (!next) throw new Error('no snapshot');
    return next;
  }
  async close() {}
}

describe('runMonitorOnce', () => {
  it('stores state, retries a failed delivery on the next run and never repeats a delivered one', async () => {
    // Prepare
    const store = new InMemoryStateStore();
    const reader = new FakeReader();
    const sent: string[] = [];
    let failing = true;
    const notifier = {
      async send(channel: string, n: Notification) {
        if (failing) throw new Error('HTTP 503');
        sent.push(`${channel}:${n.action}`);
      },
    };
    const rules = [{ ...LAG, spec: { ...LAG.spec, for: '0s' } }];
    reader.snapshots.push(lagSnapshot(0, 50), lagSnapshot(60, 50), lagSnapshot(120, 50));
    let clock = 0;
    const deps = { store, reader, notifier, now: () => at(clock) };

    // Act
    const first = await runMonitorOnce(deps, { environment: 'e', rules });
    failing = false;
    clock = 60;
    const second = await runMonitorOnce(deps, { environment: 'e', rules });
    clock = 120;
    const third = await runMonitorOnce(deps, { environment: 'e', rules });

    // Assess
    expect(first.deliveries).toMatchObject([
      { channel: 'oncall', action: 'trigger', delivered: false, error: 'HTTP 503' },
    ]);
    expect(first.undelivered).toBe(1);
    expect(second.deliveries).toMatchObject([{ action: 'trigger', delivered: true }]);
    expect(third.deliveries).toEqual([]);
    expect(sent).toEqual(['oncall:trigger']);
    const stored = await store.getValue<MonitorState>(monitorStateName('e'));
    expect(stored?.rules['billing-lag']?.status).toBe('firing');
    expect(stored?.undelivered).toEqual([]);
  });

  it('drops a never-delivered trigger together with its resolve', async () => {
    const store = new InMemoryStateStore();
    const reader = new FakeReader();
    reader.snapshots.push(lagSnapshot(0, 50), lagSnapshot(60, 0));
    const attempts: string[] = [];
    let failing = true;
    const notifier = {
      async send(_c: string, n: Notification) {
        attempts.push(n.action);
        if (failing) throw new Error('down');
      },
    };
    const rules = [{ ...LAG, spec: { ...LAG.spec, for: '0s' } }];
    let clock = 0;
    await runMonitorOnce({ store, reader, notifier, now: () => at(clock) }, { environment: 'e', rules });
    failing = false;
    clock = 60;
    const second = await runMonitorOnce({ store, reader, notifier, now: () => at(clock) }, { environment: 'e', rules });
    expect(attempts).toEqual(['trigger']);
    expect(second.deliveries).toEqual([]);
  });
});
