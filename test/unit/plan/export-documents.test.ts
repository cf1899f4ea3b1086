import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfig } from '../../../lib/config/load-config.ts';
import { sha256Hex } from '../../../lib/engine/hash.ts';
import { renderAndCheck } from '../../../lib/engine/plan-environment.ts';
import { EnvironmentSpecSchema } from '../../../lib/model/environment.ts';
import { keys } from '../../../lib/model/keys.ts';
import type { Inventory, ObservedResource } from '../../../lib/model/resource.ts';
import { canonicalJson } from '../../../lib/plan/canonical-json.ts';
import { computePlan } from '../../../lib/plan/compute-plan.ts';
import { exportDocuments } from '../../../lib/plan/export-documents.ts';
import { configDir, ENVIRONMENT_YAML } from '../../support/builders.ts';

const environment = EnvironmentSpecSchema.parse({
  kafka: { bootstrapServers: ['127.0.0.1:9092'] },
  prune: { Topic: true, Acl: true, Quota: true, User: true },
  requireApprovalFor: 'none',
});

function quota(entity: { user?: string; clientId?: string }, values: Record<string, number>): ObservedResource {
  const key = keys.quota(entity);
  return { key, kind: 'Quota', name: key.slice('kafka/quota/'.length), spec: { entity, values } };
}
function user(name: string, mechanisms: Record<string, number>, protectedBy?: string): ObservedResource {
  return {
    key: keys.user(name),
    kind: 'User',
    name,
    spec: { mechanisms },
    ...(protectedBy ? { protectedBy } : {}),
  };
}

const observed: ObservedResource[] = [
  {
    key: keys.topic('orders'),
    kind: 'Topic',
    name: 'orders',
    spec: { partitions: 3, replicationFactor: 1, config: { 'retention.ms': '3600000' }, defaults: {} },
  },
  quota({ user: 'Alice' }, { producer_byte_rate: 1024 }),
  quota({ user: 'alice' }, { producer_byte_rate: 2048 }),
  quota({ user: 'alice', clientId: 'a b' }, { consumer_byte_rate: 4096 }),
  quota({ user: 'alice', clientId: 'a_b' }, { consumer_byte_rate: 8192 }),
  quota({ clientId: '<default>' }, { request_percentage: 50 }),
  user('app', { 'SCRAM-SHA-256': 4096, 'SCRAM-SHA-512': 8192 }),
  user('ops', { 'SCRAM-SHA-512': 8192 }),
  user('admin', { 'SCRAM-SHA-512': 8192 }, 'a broker super-user (super.users)'),
];

/** What a state directory holds after Landscape applied user "app" from references of its own. */
const inventory: Inventory = {
  [keys.user('app')]: {
    key: keys.user('app'),
    kind: 'User',
    secretDigest: canonicalJson({
      'SCRAM-SHA-256': { secretRef: { provider: 'env', name: 'APP_256' } },
      'SCRAM-SHA-512': { secretRef: { provider: 'env', name: 'APP_512' } },
    }),
  },
  [keys.user('ops')]: {
    key: keys.user('ops'),
    kind: 'User',
    // What versions before several mechanisms per user recorded: the one reference.
    secretDigest: canonicalJson({ secretRef: { provider: 'file', name: 'OPS_PASSWORD_V3' } }),
  },
};

function names(files: Map<string, { metadata: { name: string } }[]>, file: string): string[] {
  return (files.get(file) ?? []).map((d) => d.metadata.name);
}

describe('exportDocuments', () => {
  it('gives quotas that differ only in case or in dropped characters unique names, whatever the order', () => {
    // Act
    const files = exportDocuments(observed, environment, inventory);
    const reversed = exportDocuments([...observed].reverse(), environment, inventory);

    // Assess
    const quotaNames = names(files, 'quotas.yaml');
    expect(new Set(quotaNames).size).toBe(quotaNames.length);
    expect(quotaNames).toContain('client-id-default');
    expect(quotaNames.filter((n) => n.startsWith('user-alice-client-id-a-b-'))).toHaveLength(2);
    expect(names(reversed, 'quotas.yaml').sort()).toEqual([...quotaNames].sort());
  });

  it('leaves out users the platform reserves and exports every mechanism of the others', () => {
    // Act
    const files = exportDocuments(observed, environment, inventory);

    // Assess
    expect(names(files, 'users.yaml')).toEqual(['app', 'ops']);
    expect(files.get('users.yaml')?.[0]?.spec).toEqual({
      scram: [
        { mechanism: 'SCRAM-SHA-256', password: { secretRef: { provider: 'env', name: 'APP_256' } }, iterations: 4096 },
        { mechanism: 'SCRAM-SHA-512', password: { secretRef: { provider: 'env', name: 'APP_512' } }, iterations: 8192 },
      ],
    });
  });

  it('writes documents that load and plan to no changes against the same live state and state directory', async () => {
    // Prepare
    const files = exportDocuments(observed, environment, inventory);
    const dir = await configDir({
      'environment.yaml': ENVIRONMENT_YAML,
      ...Object.fromEntries([...files].map(([file, docs]) => [file, docs.map((d) => stringify(d)).join('---\n')])),
    });

    // Act
    const config = await loadConfig(dir, 'test');
    const { desired, problems } = renderAndCheck(config);
    const plan = computePlan({
      environment: { name: 'test', spec: config.environment.spec },
      desired,
      observed,
      inventory,
      observedKinds: ['Topic', 'Acl', 'Quota', 'User'],
      source: {},
      toolVersion: 'test',
      hash: sha256Hex,
    });

    // Assess
    expect(problems).toEqual([]);
    expect(plan.changes).toEqual([]);
    expect(plan.refused).toEqual([]);
    expect(plan.noop).toHaveLength(observed.length - 1);
  });
});
