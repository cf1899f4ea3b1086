import { describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, verifySignature } from '../../../lib/adapters/common/webhook-signature.ts';
import { LocalSecretResolver } from '../../../lib/adapters/secrets/env-secret-resolver.ts';
import { type MonitorConfig, monitorConfigName } from '../../../lib/config/published-config.ts';
import type { AuditRecord } from '../../../lib/ports/state-store.ts';
import { undeliveredAuditName } from '../../../lib/report/audit-fanout.ts';
import { withPublishedAuditSinks } from '../../../lib/wiring/audit-sinks.ts';
import { InMemoryStateStore } from '../../support/fakes/in-memory-state-store.ts';

const SIGNING_SECRET = 'published-sink-secret-4d1f';

function snapshot(environment: string, sinks: MonitorConfig['auditSinks']): MonitorConfig {
  return {
    environment,
    publishedAt: '2026-11-26T00:00:00.000Z',
    connections: {
      kafka: { bootstrapServers: ['127.0.0.1:9092'], clientId: 'landscape' } as MonitorConfig['connections']['kafka'],
    },
    rules: [],
    channels: [],
    driftChannels: [],
    dataPolicies: [],
    ...(sinks ? { auditSinks: sinks } : {}),
  };
}

const record = (environment: string, id: string): AuditRecord => ({
  id,
  at: '2026-11-26T01:00:00.000Z',
  type: 'apply',
  environment,
  actor: 'ann@cli',
  outcome: 'Succeeded',
});

function recordingFetch(status = 200) {
  const calls: { url: string; headers: Record<string, string>; body: string }[] = [];
  const fetchFake = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), headers: init?.headers as Record<string, string>, body: String(init?.body) });
    return new Response('{}', { status });
  }) as typeof fetch;
  return { calls, fetch: fetchFake };
}

describe('withPublishedAuditSinks', () => {
  it("sends each record to the sinks its environment published, signed, and to no other environment's", async () => {
    // Prepare
    const inner = new InMemoryStateStore();
    await inner.putValue(
      monitorConfigName('prod'),
      snapshot('prod', [
        {
          name: 'siem',
          spec: {
            type: 'webhook',
            url: 'https://siem.example/audit',
            secret: { secretRef: { provider: 'env', name: 'SIGNING_SECRET' } },
          },
        },
      ]),
    );
    await inner.putValue(monitorConfigName('dev'), snapshot('dev', undefined));
    const http = recordingFetch();
    const store = withPublishedAuditSinks(inner, {
      secrets: new LocalSecretResolver({ env: { SIGNING_SECRET } }),
      fetch: http.fetch,
    });

    // Act
    await store.appendAudit(record('prod', 'r-prod'));
    await store.appendAudit(record('dev', 'r-dev'));
    await store.appendAudit(record('unpublished', 'r-new'));

    // Assess
    expect(http.calls.map((c) => c.url)).toEqual(['https://siem.example/audit']);
    const [call] = http.calls;
    expect(JSON.parse(call?.body ?? '{}')).toMatchObject({ id: 'r-prod', environment: 'prod' });
    expect(verifySignature(SIGNING_SECRET, call?.body ?? '', call?.headers[SIGNATURE_HEADER])).toBe(true);
    expect(JSON.stringify(http.calls)).not.toContain(SIGNING_SECRET);
    expect((await inner.listAudit('prod')).map((r) => r.id)).toEqual(['r-prod']);
    expect((await inner.listAudit('unpublished')).map((r) => r.id)).toEqual(['r-new']);
  });

  it('keeps the record and reports a failing sink without failing the audited operation', async () => {
    // Prepare
    const inner = new InMemoryStateStore();
    await inner.putValue(
      monitorConfigName('prod'),
      snapshot('prod', [{ name: 'down', spec: { type: 'webhook', url: 'https://down.example/audit' } }]),
    );
    const errors: string[] = [];
    const store = withPublishedAuditSinks(
      inner,
      { secrets: new LocalSecretResolver({ env: {} }), fetch: recordingFetch(503).fetch },
      { onError: (error, r) => errors.push(`${r.id}: ${error.message}`) },
    );

    // Act
    await store.appendAudit(record('prod', 'r-1'));

    // Assess
    expect((await inner.listAudit('prod')).map((r) => r.id)).toEqual(['r-1']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('r-1: delivering audit record "r-1": 1 of 1 sink(s) failed');
    expect(errors[0]).toContain('HTTP 503');
  });

  it('reads a sink URL from a secret reference and never repeats it in an error', async () => {
    // Prepare: the SIEM URL embeds its own token.
    const secretUrl = 'https://siem.example/ingest/tok-7f3a1c9e';
    const inner = new InMemoryStateStore();
    await inner.putValue(
      monitorConfigName('prod'),
      snapshot('prod', [
        { name: 'siem', spec: { type: 'webhook', url: { secretRef: { provider: 'env', name: 'SIEM_URL' } } } },
      ]),
    );
    const seen: string[] = [];
    const errors: string[] = [];
    const failing = (async (url: string | URL | Request) => {
      seen.push(String(url));
      throw new Error(`connect ECONNREFUSED while calling ${String(url)}`);
    }) as typeof fetch;
    const store = withPublishedAuditSinks(
      inner,
      { secrets: new LocalSecretResolver({ env: { SIEM_URL: secretUrl } }), fetch: failing },
      { onError: (error) => errors.push(error.message) },
    );

    // Act
    await store.appendAudit(record('prod', 'r-url'));

    // Assess
    expect(seen).toEqual([secretUrl]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('ECONNREFUSED');
    expect(errors[0]).not.toContain('tok-7f3a1c9e');
  });

  it('keeps what a sink refused and resends it, in order, before the next record; other sinks get each record once', async () => {
    // Prepare: "down" refuses while the flag is set; "up" always answers.
    const inner = new InMemoryStateStore();
    await inner.putValue(
      monitorConfigName('prod'),
      snapshot('prod', [
        { name: 'down', spec: { type: 'webhook', url: 'https://down.example/audit' } },
        { name: 'up', spec: { type: 'webhook', url: 'https://up.example/audit' } },
      ]),
    );
    let outage = true;
    const received: string[] = [];
    const flaky = (async (url: string | URL | Request, init?: RequestInit) => {
      const id = (JSON.parse(String(init?.body)) as AuditRecord).id;
      if (String(url).includes('down') && outage) return new Response('{}', { status: 503 });
      received.push(`${new URL(String(url)).hostname} ${id}`);
      return new Response('{}', { status: 200 });
    }) as typeof fetch;
    const errors: string[] = [];
    const store = withPublishedAuditSinks(
      inner,
      { secrets: new LocalSecretResolver({ env: {} }), fetch: flaky },
      { onError: (error) => errors.push(error.message) },
    );

    // Act
    await store.appendAudit(record('prod', 'r-1'));
    await store.appendAudit(record('prod', 'r-2'));
    const waiting = await inner.getValue<Record<string, AuditRecord[]>>(undeliveredAuditName('prod'));
    outage = false;
    await store.appendAudit(record('prod', 'r-3'));

    // Assess
    expect(waiting?.down?.map((r) => r.id)).toEqual(['r-1', 'r-2']);
    expect(errors[1]).toContain('kept for the next attempt: 2 waiting for "down"');
    expect(received.filter((r) => r.startsWith('down')).map((r) => r.split(' ')[1])).toEqual(['r-1', 'r-2', 'r-3']);
    expect(received.filter((r) => r.startsWith('up'))).toHaveLength(3);
    expect(await inner.getValue(undeliveredAuditName('prod'))).toEqual({});
    expect(errors).toHaveLength(2);
  });

  it('does not queue a record a sink refuses for good (a 4xx other than 429)', async () => {
    const inner = new InMemoryStateStore();
    await inner.putValue(
      monitorConfigName('prod'),
      snapshot('prod', [{ name: 'strict', spec: { type: 'webhook', url: 'https://strict.example/audit' } }]),
    );
    const errors: string[] = [];
    const store = withPublishedAuditSinks(
      inner,
      { secrets: new LocalSecretResolver({ env: {} }), fetch: recordingFetch(400).fetch },
      { onError: (error) => errors.push(error.message) },
    );
    await store.appendAudit(record('prod', 'r-bad'));
    expect(errors[0]).toContain('HTTP 400');
    expect(await inner.getValue(undeliveredAuditName('prod'))).toBeUndefined();
  });
});
