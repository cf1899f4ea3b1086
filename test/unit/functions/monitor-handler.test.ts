import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { createMonitorHandler } from '../../../functions/monitor/app.ts';
import { LocalSecretResolver } from '../../../lib/adapters/secrets/env-secret-resolver.ts';
import { type MonitorConfig, monitorConfigName } from '../../../lib/config/published-config.ts';
import { AlertRuleSpecSchema } from '../../../lib/model/alert-rule.ts';
import { KafkaConnectionSchema } from '../../../lib/model/environment.ts';
import type { MonitorSnapshot } from '../../../lib/ports/monitor-reader.ts';
import type { Notification } from '../../../lib/ports/notifier.ts';
import { localContext } from '../../../lib/serve/lambda-bridge.ts';
import { ENVIRONMENT_INDEX } from '../../../lib/use-cases/plan-policy.ts';
import { InMemoryStateStore } from '../../support/fakes/in-memory-state-store.ts';

const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });

describe('monitor function', () => {
  it('evaluates every known environment from its published monitor config and skips the others', async () => {
    // Prepare
    const store = new InMemoryStateStore();
    await store.putValue(ENVIRONMENT_INDEX, ['dev', 'prod']);
    const config: MonitorConfig = {
      environment: 'prod',
      publishedAt: '2026-01-01T00:00:00Z',
      connections: { kafka: KafkaConnectionSchema.parse({ bootstrapServers: ['kafka:9092'] }) },
      rules: [
        {
          name: 'lag',
          spec: AlertRuleSpecSchema.parse({
            condition: { type: 'consumer-lag', group: 'g', maxMessages: 1 },
            channels: ['c'],
          }),
        },
      ],
      channels: [{ name: 'c', spec: { type: 'webhook', url: 'http://127.0.0.1:1/x' } }],
      driftChannels: [],
      dataPolicies: [],
    };
    await store.putValue(monitorConfigName('prod'), config);
    const snapshot: MonitorSnapshot = {
      at: Date.parse('2026-01-01T00:01:00Z'),
      groups: { g: { group: 'g', partitions: [{ topic: 't', partition: 0, committed: 0, end: 5, lag: 5 }] } },
      endOffsets: {},
      replication: {},
    };
    const sent: Notification[] = [];
    let closed = 0;
    const handler = createMonitorHandler(
      {
        store,
        secrets: new LocalSecretResolver({ env: {} }),
        openReader: async () => ({
          read: async () => snapshot,
          close: async () => {
            closed++;
          },
        }),
        notifierFor: () => ({ send: async (_c, n) => void sent.push(n) }),
        now: () => new Date('2026-01-01T00:01:00Z'),
      },
      logger,
    );

    // Act
    const result = await handler({ source: 'landscape.schedule', job: 'monitor' }, localContext('monitor'));

    // Assess
    expect(result.outcomes).toEqual([
      { environment: 'dev', status: 'skipped', reason: 'no monitor config published (nothing applied yet)' },
      {
        environment: 'prod',
        status: 'evaluated',
        firing: ['lag'],
        pending: [],
        delivered: 1,
        undelivered: 0,
        durationMs: expect.any(Number),
      },
    ]);
    expect(sent.map((n) => [n.action, n.dedupKey])).toEqual([['trigger', 'landscape/prod/alert/lag']]);
    expect(closed).toBe(1);
  });
});
