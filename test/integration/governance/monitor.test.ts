import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Consumer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, verifySignature } from '../../../lib/adapters/common/webhook-signature.ts';
import { type KafkaMonitorReader, openKafkaMonitorReader } from '../../../lib/adapters/kafka/monitoring.ts';
import { ChannelNotifier } from '../../../lib/adapters/notify/index.ts';
import { LocalSecretResolver } from '../../../lib/adapters/secrets/env-secret-resolver.ts';
import { FileStateStore } from '../../../lib/adapters/store/file-state-store.ts';
import type { MonitoredRule } from '../../../lib/model/alert-rule.ts';
import { AlertRuleSpecSchema } from '../../../lib/model/alert-rule.ts';
import { ChannelSpecSchema } from '../../../lib/model/channel.ts';
import { runMonitorOnce } from '../../../lib/monitor/run-monitor.ts';
import {
  cleanupPrefix,
  kafkaTestEnv,
  rawAdmin,
  testKafkaConnection,
  testProducer,
} from '../../../scripts/services/kafka-broker.ts';
import { startReceiver } from '../../support/http-receiver.ts';
import { createTopicsAndWait, envSecretResolver, uniquePrefix } from '../../support/kafka.ts';
import { loseNextProduceAck } from '../../support/lost-ack.ts';

const prefix = uniquePrefix('it-gov-mon');
const topic = `${prefix}orders`;
const group = `${prefix}billing`;
const SECRETS = {
  SLACK_TOKEN_URL: '', // set once the receiver has a port
  PD_ROUTING_KEY: 'R0UT1NGKEY-it-monitor-7f3a9c',
  HOOK_SECRET: 'hmac-it-monitor-secret-41d8',
};
const sasl = { mechanism: 'SCRAM-SHA-512' as const, username: kafkaTestEnv.username, password: kafkaTestEnv.password };
const brokers = kafkaTestEnv.bootstrap.split(',');

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let ackLost = false;
let reader: KafkaMonitorReader;

/**
 * Produces `count` records. The first batch of the run loses its acknowledgement on purpose (what a loaded
 * machine does to a produce that times out): the client sends it again, and the counts below hold only
 * because the test producer is idempotent.
 */
async function produce(count: number, from: number): Promise<void> {
  const producer = testProducer<string, string, string, string>(`${prefix}producer`, {
    serializers: stringSerializers,
  });
  const fault = ackLost ? undefined : loseNextProduceAck();
  try {
    await producer.send({
      messages: Array.from({ length: count }, (_, i) => ({
        topic,
        key: `k${from + i}`,
        value: JSON.stringify({ n: from + i }),
        partition: (from + i) % 3,
      })),
    });
  } finally {
    fault?.restore();
    if (fault) ackLost = fault.lost > 0;
    await producer.close();
  }
}

/** Runs the billing consumer until it has read `expected` more records, committing each, then stops it. */
async function consume(expected: number): Promise<void> {
  const consumer = new Consumer({
    clientId: `${prefix}consumer`,
    groupId: group,
    bootstrapBrokers: brokers,
    sasl,
    deserializers: stringDeserializers,
    autocommit: false,
  });
  try {
    const stream = await consumer.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest' });
    let seen = 0;
    for await (const message of stream) {
      await message.commit();
      if (++seen >= expected) break;
    }
    await stream.close();
  } finally {
    await consumer.close();
  }
}

beforeAll(async () => {
  receiver = await startReceiver();
  SECRETS.SLACK_TOKEN_URL = `${receiver.url}/slack/T000/B000/XOXB-it-secret-slack-path`;
  await createTopicsAndWait([topic], 3);
  reader = await openKafkaMonitorReader(testKafkaConnection(), envSecretResolver());
});

afterAll(async () => {
  await reader?.close();
  await receiver?.close();
  await cleanupPrefix(prefix);
});

describe('monitor against a real broker', () => {
  it('fires a lag alert once after `for`, does not repeat it, resolves it when the consumer catches up, and fires on low throughput', async () => {
    // Prepare: the group consumes 30 records and stops; 40 more arrive while it is gone.
    await produce(30, 0);
    expect(ackLost).toBe(true); // the first batch was sent twice: the counts below must not see it twice
    await consume(30);
    await produce(40, 30);
    const channels = [
      {
        name: 'team-slack',
        spec: ChannelSpecSchema.parse({
          type: 'slack',
          webhookUrl: { secretRef: { provider: 'env', name: 'SLACK_TOKEN_URL' } },
        }),
      },
      {
        name: 'oncall',
        spec: ChannelSpecSchema.parse({
          type: 'pagerduty',
          routingKey: { secretRef: { provider: 'env', name: 'PD_ROUTING_KEY' } },
          url: `${receiver.url}/pagerduty/v2/enqueue`,
        }),
      },
      {
        name: 'audit-hook',
        spec: ChannelSpecSchema.parse({
          type: 'webhook',
          url: `${receiver.url}/hook`,
          secret: { secretRef: { provider: 'env', name: 'HOOK_SECRET' } },
        }),
      },
    ];
    const rules: MonitoredRule[] = [
      {
        name: 'billing-lag',
        spec: AlertRuleSpecSchema.parse({
          condition: { type: 'consumer-lag', group, maxMessages: 10, maxTime: '10m' },
          for: '30s',
          severity: 'critical',
          channels: ['team-slack', 'oncall', 'audit-hook'],
        }),
      },
      {
        name: 'orders-quiet',
        spec: AlertRuleSpecSchema.parse({
          condition: { type: 'throughput', topic, below: 1000 },
          channels: ['audit-hook'],
        }),
      },
      {
        name: 'orders-replicas',
        spec: AlertRuleSpecSchema.parse({ condition: { type: 'under-replicated', topic }, channels: ['oncall'] }),
      },
    ];
    const store = new FileStateStore(await mkdtemp(join(tmpdir(), 'landscape-monitor-')));
    const secrets = new LocalSecretResolver({ env: SECRETS });
    const notifier = new ChannelNotifier({ channels, secrets });
    const t0 = Date.now();
    let clock = t0;
    const run = () =>
      runMonitorOnce({ store, reader, notifier, now: () => new Date(clock) }, { environment: 'it', rules });
    const status = (r: Awaited<ReturnType<typeof run>>) => Object.fromEntries(r.results.map((x) => [x.rule, x.status]));

    // Act + Assess: pending first.
    const first = await run();
    expect(status(first)).toEqual({ 'billing-lag': 'pending', 'orders-quiet': 'ok', 'orders-replicas': 'ok' });
    expect(first.results.find((r) => r.rule === 'billing-lag')?.measurement.details).toMatchObject({ lagMessages: 40 });
    expect(first.results.find((r) => r.rule === 'orders-replicas')?.measurement).toMatchObject({
      breached: false,
      value: 0,
    });
    expect(receiver.received).toEqual([]);

    // After `for`: fires once on every channel; throughput over the window is 0/s, below 1000.
    clock = t0 + 31_000;
    const second = await run();
    expect(status(second)).toEqual({ 'billing-lag': 'firing', 'orders-quiet': 'firing', 'orders-replicas': 'ok' });
    expect(second.deliveries.every((d) => d.delivered)).toBe(true);
    const slack = receiver.take('/slack/');
    const pd = receiver.take('/pagerduty/');
    const hooks = receiver.take('/hook');
    expect(slack).toHaveLength(1);
    expect(JSON.parse(slack[0]?.body ?? '{}').text).toContain(
      `consumer group "${group}" is 40 messages behind (limit 10)`,
    );
    expect(pd).toHaveLength(1);
    const trigger = JSON.parse(pd[0]?.body ?? '{}');
    expect(trigger).toMatchObject({
      routing_key: SECRETS.PD_ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'landscape/it/alert/billing-lag',
      payload: { severity: 'critical', source: 'landscape/it', component: group },
    });
    expect(hooks.map((h) => JSON.parse(h.body).name).sort()).toEqual(['billing-lag', 'orders-quiet']);
    for (const hook of hooks) {
      expect(hook.headers[SIGNATURE_HEADER]).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(verifySignature(SECRETS.HOOK_SECRET, hook.body, hook.headers[SIGNATURE_HEADER] as string)).toBe(true);
      expect(verifySignature('wrong-secret', hook.body, hook.headers[SIGNATURE_HEADER] as string)).toBe(false);
    }
    const quiet = JSON.parse(hooks.find((h) => JSON.parse(h.body).name === 'orders-quiet')?.body ?? '{}');
    expect(quiet).toMatchObject({ type: 'landscape.alert', action: 'trigger', details: { messagesPerSecond: 0 } });

    // Still lagging: nothing is sent again.
    clock = t0 + 60_000;
    const third = await run();
    expect(status(third)['billing-lag']).toBe('firing');
    expect(third.deliveries).toEqual([]);
    expect(receiver.received).toEqual([]);

    // The consumer catches up: resolved on every channel, PagerDuty with the same dedup key.
    await consume(40);
    clock = t0 + 90_000;
    const fourth = await run();
    expect(status(fourth)['billing-lag']).toBe('ok');
    const resolves = receiver.take('/');
    expect(resolves.map((r) => r.path.split('/')[1]).sort()).toEqual(['hook', 'pagerduty', 'slack']);
    expect(JSON.parse(resolves.find((r) => r.path.startsWith('/pagerduty'))?.body ?? '{}')).toEqual({
      routing_key: SECRETS.PD_ROUTING_KEY,
      event_action: 'resolve',
      dedup_key: trigger.dedup_key,
    });
  });

  it('measures lag in time from the first unconsumed record', async () => {
    // Prepare: reuse the topic; a second group commits nothing past offset 0 of partition 0.
    const admin = rawAdmin();
    const lagging = `${prefix}old-reader`;
    try {
      await admin.alterConsumerGroupOffsets({
        groupId: lagging,
        topics: [{ name: topic, partitionOffsets: [{ partition: 0, offset: 0n }] }],
      });
    } finally {
      await admin.close();
    }

    // Act
    const snapshot = await reader.read({
      groups: [{ group: lagging, withTime: true }],
      endOffsetTopics: [topic],
      replicationTopics: [topic],
    });

    // Assess
    const partition = snapshot.groups[lagging]?.partitions[0];
    expect(partition).toMatchObject({ topic, partition: 0, committed: 0 });
    expect(partition?.lag).toBeGreaterThan(0);
    expect(partition?.firstUnconsumedAt).toBeGreaterThan(snapshot.at - 5 * 60_000);
    expect(partition?.firstUnconsumedAt).toBeLessThanOrEqual(snapshot.at);
    expect(snapshot.endOffsets[topic]).toBe(70);
    expect(snapshot.replication[topic]).toEqual({ partitions: 3, underReplicated: [] });
  });
});
