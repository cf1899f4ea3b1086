import { describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, verifySignature } from '../../../../lib/adapters/common/webhook-signature.ts';
import { ChannelNotifier } from '../../../../lib/adapters/notify/index.ts';
import { LocalSecretResolver } from '../../../../lib/adapters/secrets/env-secret-resolver.ts';
import { monitorConfigName } from '../../../../lib/config/published-config.ts';
import { ChannelSpecSchema } from '../../../../lib/model/channel.ts';
import type { Notification } from '../../../../lib/ports/notifier.ts';
import { ChannelDriftNotifier } from '../../../../lib/report/drift-notifier.ts';
import { InMemoryStateStore } from '../../../support/fakes/in-memory-state-store.ts';

const SLACK_URL = 'https://hooks.slack.example/services/T1/B2/very-secret-token';
const secrets = new LocalSecretResolver({
  env: { SLACK_URL, PD_KEY: 'pd-routing-key-secret', HMAC: 'hmac-secret-value' },
});
const channels = [
  {
    name: 'slack',
    spec: ChannelSpecSchema.parse({ type: 'slack', webhookUrl: { secretRef: { provider: 'env', name: 'SLACK_URL' } } }),
  },
  {
    name: 'pd',
    spec: ChannelSpecSchema.parse({
      type: 'pagerduty',
      routingKey: { secretRef: { provider: 'env', name: 'PD_KEY' } },
    }),
  },
  {
    name: 'hook',
    spec: ChannelSpecSchema.parse({
      type: 'webhook',
      url: 'https://hooks.example/landscape',
      secret: { secretRef: { provider: 'env', name: 'HMAC' } },
    }),
  },
];
const alert: Notification = {
  source: 'alert',
  action: 'trigger',
  environment: 'prod',
  name: 'lag',
  severity: 'critical',
  summary: 'consumer group "g" is 50 messages behind (limit 10)',
  dedupKey: 'landscape/prod/alert/lag',
  at: '2026-01-01T00:00:00.000Z',
  details: { group: 'g', lagMessages: 50 },
};

function recordingFetch(status = 202) {
  const calls: { url: string; headers: Record<string, string>; body: string }[] = [];
  const fetchFn = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), headers: init?.headers as Record<string, string>, body: String(init?.body) });
    return new Response('{"status":"error","message":"bad"}', { status });
  }) as typeof fetch;
  return { calls, fetchFn };
}

describe('ChannelNotifier', () => {
  it('shapes Slack, PagerDuty Events v2 and signed webhook requests', async () => {
    // Prepare
    const { calls, fetchFn } = recordingFetch();
    const notifier = new ChannelNotifier({
      channels,
      secrets,
      fetch: fetchFn,
      newId: () => 'delivery-1',
      now: () => new Date(0),
    });

    // Act
    for (const c of ['slack', 'pd', 'hook']) await notifier.send(c, alert);
    await notifier.send('pd', { ...alert, action: 'resolve' });

    // Assess
    expect(calls.map((c) => c.url)).toEqual([
      SLACK_URL,
      'https://events.pagerduty.com/v2/enqueue',
      'https://hooks.example/landscape',
      'https://events.pagerduty.com/v2/enqueue',
    ]);
    expect(JSON.parse(calls[0]?.body ?? '').text).toBe(
      ':rotating_light: [critical] alert "lag" in prod: consumer group "g" is 50 messages behind (limit 10)',
    );
    expect(JSON.parse(calls[1]?.body ?? '')).toEqual({
      routing_key: 'pd-routing-key-secret',
      event_action: 'trigger',
      dedup_key: 'landscape/prod/alert/lag',
      client: 'Landscape',
      payload: {
        summary: '[critical] alert "lag" in prod: consumer group "g" is 50 messages behind (limit 10)',
        source: 'landscape/prod',
        severity: 'critical',
        timestamp: '2026-01-01T00:00:00.000Z',
        group: 'prod',
        class: 'alert',
        component: 'g',
        custom_details: { name: 'lag', group: 'g', lagMessages: 50 },
      },
    });
    const hook = calls[2];
    expect(JSON.parse(hook?.body ?? '')).toMatchObject({
      type: 'landscape.alert',
      deliveryId: 'delivery-1',
      name: 'lag',
    });
    expect(hook?.headers['x-landscape-delivery']).toBe('delivery-1');
    expect(verifySignature('hmac-secret-value', hook?.body ?? '', hook?.headers[SIGNATURE_HEADER])).toBe(true);
    expect(JSON.parse(calls[3]?.body ?? '')).toEqual({
      routing_key: 'pd-routing-key-secret',
      event_action: 'resolve',
      dedup_key: 'landscape/prod/alert/lag',
    });
  });

  it('never puts a secret URL or routing key in an error', async () => {
    // Prepare
    const leaky = (async (url: string | URL | Request) => {
      throw new TypeError(`fetch failed for ${String(url)}`, {
        cause: new Error(`connect ECONNREFUSED ${String(url)}`),
      });
    }) as typeof fetch;
    const echo = (async (_url: string | URL | Request, init?: RequestInit) =>
      new Response(`invalid routing key in ${String(init?.body)}`, { status: 400 })) as typeof fetch;

    // Act
    const slackError = await new ChannelNotifier({ channels, secrets, fetch: leaky })
      .send('slack', alert)
      .catch((e: Error) => e);
    const pdError = await new ChannelNotifier({ channels, secrets, fetch: echo })
      .send('pd', alert)
      .catch((e: Error) => e);

    // Assess
    expect(slackError).toBeInstanceOf(Error);
    const texts = [slackError, pdError].map(
      (e) => `${(e as Error).message} ${((e as Error).cause as Error | undefined)?.message ?? ''}`,
    );
    expect(texts[0]).toContain(
      'sending trigger of "landscape/prod/alert/lag" to Channel "slack" (slack): fetch failed for [redacted]',
    );
    expect(texts[1]).toContain('HTTP 400');
    for (const text of texts) {
      expect(text).not.toContain('very-secret-token');
      expect(text).not.toContain('pd-routing-key-secret');
    }
    expect((pdError as { retryable?: boolean }).retryable).toBe(false);
  });
});

describe('ChannelDriftNotifier', () => {
  it('sends drift and its resolution to the Environment drift channels of the published config', async () => {
    // Prepare
    const store = new InMemoryStateStore();
    await store.putValue(monitorConfigName('prod'), {
      environment: 'prod',
      channels,
      driftChannels: ['pd'],
      rules: [],
      dataPolicies: [],
    });
    const { calls, fetchFn } = recordingFetch();
    const notifier = new ChannelDriftNotifier({
      store,
      notifierFor: (published) => new ChannelNotifier({ channels: published, secrets, fetch: fetchFn }),
    });
    const report = {
      environment: 'prod',
      commit: 'c'.repeat(40),
      checkedAt: '2026-01-01T00:00:00.000Z',
      status: 'drifted' as const,
      resources: [
        {
          key: 'kafka/topic/orders',
          action: 'Update' as const,
          fields: [{ path: 'config.retention.ms', expected: '1', actual: '2' }],
        },
      ],
      digest: 'd1',
    };

    // Act
    await notifier.notify(report);
    await notifier.notify({ ...report, status: 'resolved', resources: [] });
    await notifier.notify({ ...report, environment: 'unpublished' });

    // Assess
    expect(calls.map((c) => JSON.parse(c.body))).toMatchObject([
      {
        event_action: 'trigger',
        dedup_key: 'landscape/prod/drift',
        payload: {
          summary: '[warning] drift in prod: 1 resource differs from applied commit cccccccccccc',
          custom_details: {
            resources: [{ key: 'kafka/topic/orders', action: 'Update', fields: ['config.retention.ms'] }],
          },
        },
      },
      { event_action: 'resolve', dedup_key: 'landscape/prod/drift' },
    ]);
  });
});
