/**
 * Measures one monitor evaluation for N consumer groups against the real broker, next to the raw batched
 * admin calls it is built on (OffsetFetch for every group + ListOffsets), in the same run.
 *
 *   node test/integration/governance/bench-monitor.ts [N ...]      (default: 10 100 1000)
 *
 * Each group commits offsets on every partition of one 12-partition topic (100 records each); a quarter of
 * the groups lag, each at a different position (the worst case for lag in time).
 * Everything it creates is deleted at the end.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openKafkaMonitorReader } from '../../../lib/adapters/kafka/monitoring.ts';
import { FileStateStore } from '../../../lib/adapters/store/file-state-store.ts';
import { AlertRuleSpecSchema } from '../../../lib/model/alert-rule.ts';
import { runMonitorOnce } from '../../../lib/monitor/run-monitor.ts';
import { cleanupPrefix, rawAdmin, testKafkaConnection, testProducer } from '../../../scripts/services/kafka-broker.ts';
import { envSecretResolver, uniquePrefix } from '../../support/kafka.ts';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const counts = sizes.length > 0 ? sizes : [10, 100, 1000];
const PARTITIONS = 12;
const prefix = uniquePrefix('bench-mon');
const topic = `${prefix}events`;
const admin = rawAdmin('landscape-bench-monitor');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function time(fn: () => Promise<unknown>, runs = 5): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

try {
  await admin.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: 1 });
  const producer = testProducer('bench');
  await producer.send({
    messages: Array.from({ length: PARTITIONS * 100 }, (_, i) => ({
      topic,
      partition: i % PARTITIONS,
      value: Buffer.from(`{"n":${i}}`),
    })),
  });
  await producer.close();
  const reader = await openKafkaMonitorReader(testKafkaConnection(), envSecretResolver());
  let created = 0;
  const rows: string[] = [];
  for (const n of counts) {
    const groups = Array.from({ length: n }, (_, i) => `${prefix}g${i}`);
    for (; created < n; created++) {
      const lagging = created % 4 === 0;
      await admin.alterConsumerGroupOffsets({
        groupId: groups[created] as string,
        topics: [
          {
            name: topic,
            partitionOffsets: Array.from({ length: PARTITIONS }, (_, p) => ({
              partition: p,
              offset: lagging ? BigInt(created % 100) : 100n,
            })),
          },
        ],
      });
    }
    const raw = await time(async () => {
      await admin.listConsumerGroupOffsets({ groups });
      await admin.listOffsets({
        topics: [
          {
            name: topic,
            partitions: Array.from({ length: PARTITIONS }, (_, partitionIndex) => ({ partitionIndex, timestamp: -1n })),
          },
        ],
      });
    });
    const request = {
      groups: groups.map((group) => ({ group, withTime: false })),
      endOffsetTopics: [],
      replicationTopics: [],
    };
    const read = await time(() => reader.read(request));
    const readTimed = await time(() =>
      reader.read({ ...request, groups: groups.map((group) => ({ group, withTime: true })) }),
    );
    const rules = groups.map((group) => ({
      name: `lag-${group}`,
      spec: AlertRuleSpecSchema.parse({
        condition: { type: 'consumer-lag', group, maxMessages: 100, maxTime: '1h' },
        channels: ['c'],
      }),
    }));
    const store = new FileStateStore(await mkdtemp(join(tmpdir(), 'bench-monitor-')));
    const notifier = { send: async () => {} };
    const full = await time(() =>
      runMonitorOnce({ store, reader, notifier, now: () => new Date() }, { environment: 'bench', rules }),
    );
    rows.push(`| ${n} | ${raw.toFixed(0)} | ${read.toFixed(0)} | ${readTimed.toFixed(0)} | ${full.toFixed(0)} |`);
  }
  await reader.close();
  console.log(`monitor evaluation, ${PARTITIONS}-partition topic, 1 in 4 groups lagging, median of 5 (ms)\n`);
  console.log(
    '| groups | raw OffsetFetch + ListOffsets | reader.read (lag) | reader.read (lag + time) | runMonitorOnce (N rules, file state) |',
  );
  console.log('|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  await admin
    .deleteGroups({ groups: Array.from({ length: created }, (_, i) => `${prefix}g${i}`) })
    .catch(() => undefined);
} finally {
  await admin.close();
  await cleanupPrefix(prefix);
}
