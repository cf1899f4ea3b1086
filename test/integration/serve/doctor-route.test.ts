import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../../lib/adapters/store/file-state-store.ts';
import type { DoctorReport } from '../../../lib/model/doctor.ts';
import { EnvironmentSpecSchema } from '../../../lib/model/environment.ts';
import { type RunningServer, startServer } from '../../../lib/serve/server.ts';
import { planEnvironmentValue } from '../../../lib/use-cases/plan-policy.ts';
import { kafkaTestEnv } from '../../../scripts/services/kafka-broker.ts';
import { registerTestSecret } from '../../support/scan/suite-secrets.ts';

/**
 * GET /api/environments/{env}/doctor through `landscape serve` (the api function's route on a local server),
 * against the shared broker and registry: the environment as the pipeline last planned it, checked from where
 * the server runs, behind the API's bearer token.
 */
const registryUrl = process.env.SCHEMA_REGISTRY_URL;
const API_TOKEN = registerTestSecret('DOCTOR_ROUTE_API_TOKEN', 'doctor-route-api-token-0123456789');
const WEBHOOK_SECRET = registerTestSecret('DOCTOR_ROUTE_WEBHOOK_SECRET', 'doctor-route-webhook-secret-0123');

describe.runIf(registryUrl)('GET /api/environments/{env}/doctor (landscape serve)', { timeout: 120_000 }, () => {
  let stateDir = '';
  let server: RunningServer;
  const outputs: string[] = [];

  /** An environment as a planned push stores it: its spec under the plan id, the applied pointer on the plan. */
  async function planned(environment: string, passwordVariable: string): Promise<void> {
    const store = new FileStateStore(stateDir);
    const planId = `20261203T180000Z-${environment}-doctor`;
    const spec = EnvironmentSpecSchema.parse({
      kafka: {
        bootstrapServers: [kafkaTestEnv.bootstrap],
        sasl: {
          mechanism: 'scram-sha-512',
          username: kafkaTestEnv.username,
          password: { secretRef: { provider: 'env', name: passwordVariable } },
        },
      },
      schemaRegistry: { url: registryUrl },
    });
    await store.putValue(planEnvironmentValue(planId), { name: environment, spec });
    await store.saveInventory(environment, {});
    await store.setApplied({ environment, planId, commit: 'a'.repeat(40), at: '2026-12-03T18:00:00.000Z' });
  }

  async function get(path: string, token = API_TOKEN): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const text = await response.text();
    outputs.push(text);
    return { status: response.status, body: JSON.parse(text) };
  }

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'landscape-doctor-route-'));
    await planned('healthy', 'KAFKA_PASSWORD');
    await planned('wrong', 'DOCTOR_ROUTE_MISSING_PASSWORD');
    server = await startServer({
      stateDir,
      webhookSecret: WEBHOOK_SECRET,
      apiToken: API_TOKEN,
      repositories: ['acme/doctor'],
      git: { baseUrl: 'http://127.0.0.1:1' },
      catchUpIntervalSeconds: 0,
      logLevel: 'SILENT',
    });
  });

  afterAll(async () => {
    await server?.close();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('answers the checks of a healthy environment', async () => {
    const { status, body } = await get('/api/environments/healthy/doctor');
    expect(status).toBe(200);
    const report = body as DoctorReport;
    expect(report).toMatchObject({ environment: 'healthy', ok: true });
    expect(report.checks.filter((c) => c.status === 'failed')).toEqual([]);
    expect(report.checks).toContainEqual({
      target: 'kafka',
      check: 'authentication',
      status: 'ok',
      detail: `authenticated with SASL/SCRAM-SHA-512 as "${kafkaTestEnv.username}"`,
    });
    expect(report.checks).toContainEqual(
      expect.objectContaining({ target: 'schema registry', check: 'list subjects', status: 'ok' }),
    );
    expect(report.checks).toContainEqual(expect.objectContaining({ target: 'github', status: 'skipped' }));
  });

  it('says what is wrong with an environment whose secret does not resolve (200, ok false)', async () => {
    const { status, body } = await get('/api/environments/wrong/doctor');
    expect(status).toBe(200);
    const report = body as DoctorReport;
    expect(report.ok).toBe(false);
    expect(report.checks).toContainEqual(
      expect.objectContaining({
        target: 'secrets',
        check: 'secret env/DOCTOR_ROUTE_MISSING_PASSWORD (spec.kafka.sasl.password)',
        status: 'failed',
      }),
    );
    expect(report.checks).toContainEqual(
      expect.objectContaining({ target: 'kafka', check: 'credentials', status: 'failed' }),
    );
  });

  it('refuses a caller without the token, and names an unknown environment', async () => {
    expect((await get('/api/environments/healthy/doctor', 'not-the-token-0123456789')).status).toBe(401);
    const unknown = await get('/api/environments/nowhere/doctor');
    expect(unknown.status).toBe(404);
    expect(JSON.stringify(unknown.body)).toContain('nothing has been planned for environment \\"nowhere\\" yet');
    expect((await get('/api/environments/bad%2Fname/doctor')).status).toBe(400);
  });

  it('puts no secret value in any answer', () => {
    for (const text of outputs) expect(text).not.toContain(kafkaTestEnv.password);
  });
});
