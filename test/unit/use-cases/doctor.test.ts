import { describe, expect, it } from 'vitest';
import { ReconcilerError } from '../../../lib/errors.ts';
import type { SecretRef } from '../../../lib/model/common.ts';
import { doctorNeeds, failed, ok, renderDoctorReport, skipped } from '../../../lib/model/doctor.ts';
import { EnvironmentSpecSchema } from '../../../lib/model/environment.ts';
import {
  type DoctorProbe,
  doctorOfStoredEnvironment,
  environmentSecretRefs,
  runDoctor,
} from '../../../lib/use-cases/doctor.ts';
import { InMemoryStateStore } from '../../support/fakes/in-memory-state-store.ts';

const SECRET_VALUE = 'doctor-unit-secret-value-0123';
const spec = EnvironmentSpecSchema.parse({
  kafka: {
    bootstrapServers: ['127.0.0.1:9092'],
    sasl: {
      mechanism: 'scram-sha-512',
      username: 'landscape',
      password: { secretRef: { provider: 'env', name: 'KAFKA_PW' } },
    },
  },
  schemaRegistry: {
    url: 'http://127.0.0.1:8081',
    username: 'u',
    password: { secretRef: { provider: 'env', name: 'MISSING' } },
  },
  prune: { Topic: true },
});
const secrets = {
  resolve: async (ref: SecretRef) => {
    if (ref.secretRef.name === 'KAFKA_PW') return SECRET_VALUE;
    throw new Error(`secret "env/${ref.secretRef.name}" is not set`);
  },
};
const now = () => new Date('2026-12-03T18:00:00Z');

describe('runDoctor', () => {
  it('resolves every secret reference without showing a value, and fails the report on one that does not', async () => {
    const report = await runDoctor(
      { secrets, probesFor: async () => [], now },
      { environment: 'prod', spec, needs: doctorNeeds([], spec), secretRefs: environmentSecretRefs(spec) },
    );
    expect(report.checks).toEqual([
      ok('secrets', 'secret env/KAFKA_PW (spec.kafka.sasl.password)', 'resolves'),
      failed(
        'secrets',
        'secret env/MISSING (spec.schemaRegistry.password)',
        'secret "env/MISSING" is not set',
        'create the secret env/MISSING, or let Landscape read it (set the variable where Landscape runs)',
      ),
    ]);
    expect(report.ok).toBe(false);
    expect(JSON.stringify(report)).not.toContain(SECRET_VALUE);
    expect(renderDoctorReport(report)).not.toContain(SECRET_VALUE);
  });

  it('bounds each probe: one that never answers fails alone within its budget and is told to stop', async () => {
    let aborted = false;
    const hanging: DoctorProbe = {
      target: 'kafka',
      run: (signal) =>
        new Promise(() => {
          signal.addEventListener('abort', () => {
            aborted = true;
          });
        }),
    };
    const healthy: DoctorProbe = { target: 'kubernetes', run: async () => [ok('kubernetes', 'reachable', 'answered')] };
    const report = await runDoctor(
      { secrets, probesFor: async () => [hanging, healthy], now },
      { environment: 'prod', spec, needs: doctorNeeds([], spec), secretRefs: [], timeoutMs: 10 },
    );
    expect(report.checks).toEqual([
      failed(
        'kafka',
        'answer',
        'no complete answer within 30 ms',
        'check that the address is right and that this network reaches it (a firewall that drops packets looks like this)',
      ),
      ok('kubernetes', 'reachable', 'answered'),
    ]);
    expect(aborted).toBe(true);
  });

  it('turns a probe that throws into a failed line, and counts skipped lines as passing', async () => {
    const report = await runDoctor(
      {
        secrets,
        probesFor: async () => [
          { target: 'github', run: async () => [skipped('github', 'token', 'no token')] },
          { target: 'connect "a"', run: async () => Promise.reject(new Error('boom')) },
        ],
        now,
      },
      { environment: 'prod', spec, needs: doctorNeeds([], spec), secretRefs: [] },
    );
    expect(report.checks.map((c) => [c.target, c.status])).toEqual([
      ['github', 'skipped'],
      ['connect "a"', 'failed'],
    ]);
    expect(renderDoctorReport(report)).toBe(
      [
        'landscape doctor: environment "prod"',
        '- github: token: no token',
        '✗ connect "a": probe: boom',
        '    fix: see the message: the check itself could not run',
        '1 check failed',
        '',
      ].join('\n'),
    );
  });
});

describe('doctorNeeds', () => {
  it('lists kinds, topic names, Kubernetes kinds per namespace and pruned kinds', () => {
    const needs = doctorNeeds(
      [
        { key: 'kafka/topic/orders', kind: 'Topic' },
        { key: 'kafka/acl/User:a/TOPIC/LITERAL/orders/READ/ALLOW/*', kind: 'Acl' },
        { key: 'k8s/apps/Deployment/payments/api', kind: 'KubernetesObject' },
        { key: 'k8s/core/Namespace/_/payments', kind: 'KubernetesObject' },
        { key: 'k8s/apps/Deployment/payments/worker', kind: 'KubernetesObject' },
      ],
      spec,
    );
    expect(needs).toEqual({
      kinds: ['Acl', 'KubernetesObject', 'Topic'],
      topics: ['orders'],
      kubernetes: [
        { group: 'apps', kind: 'Deployment', namespace: 'payments' },
        { group: 'core', kind: 'Namespace', namespace: undefined },
      ],
      prune: ['Topic'],
    });
  });
});

describe('doctorOfStoredEnvironment', () => {
  it('answers NotFound for an environment nothing planned', async () => {
    const store = new InMemoryStateStore(now);
    await expect(doctorOfStoredEnvironment({ store, secrets, probesFor: async () => [], now }, 'prod')).rejects.toThrow(
      ReconcilerError,
    );
    await expect(
      doctorOfStoredEnvironment({ store, secrets, probesFor: async () => [], now }, '../etc'),
    ).rejects.toMatchObject({ code: 'BadRequest' });
  });
});
