import { describe, expect, it } from 'vitest';
import { markProtectedUsers, protectedUsers } from '../../../lib/adapters/kafka/protected-users.ts';
import { sha256Hex } from '../../../lib/engine/hash.ts';
import { EnvironmentSpecSchema, KafkaConnectionSchema } from '../../../lib/model/environment.ts';
import { keys } from '../../../lib/model/keys.ts';
import type { DesiredResource, ObservedResource } from '../../../lib/model/resource.ts';
import { computePlan } from '../../../lib/plan/compute-plan.ts';

const environment = {
  name: 'test',
  spec: EnvironmentSpecSchema.parse({
    kafka: { bootstrapServers: ['127.0.0.1:9092'] },
    prune: { User: true },
  }),
};
const REASON = 'a broker super-user (spec.kafka.superUsers)';

function liveUser(name: string, protectedBy?: string): ObservedResource {
  return {
    key: keys.user(name),
    kind: 'User',
    name,
    spec: { mechanisms: { 'SCRAM-SHA-512': 8192 } },
    ...(protectedBy ? { protectedBy } : {}),
  };
}
function desiredUser(name: string): DesiredResource {
  return {
    key: keys.user(name),
    kind: 'User',
    name,
    spec: {
      credentials: { 'SCRAM-SHA-512': { iterations: 4096, password: { secretRef: { provider: 'env', name: 'X' } } } },
    },
    source: { file: 'users.yaml', line: 3, column: 1 },
  };
}
function plan(desired: DesiredResource[], observed: ObservedResource[], inventoryKeys: string[] = []) {
  return computePlan({
    environment,
    desired,
    observed,
    inventory: Object.fromEntries(inventoryKeys.map((key) => [key, { key, kind: 'User' as const }])),
    observedKinds: ['User'],
    source: {},
    toolVersion: 'test',
    hash: sha256Hex,
  });
}

describe('computePlan: users the platform reserves', () => {
  it('refuses any change to a super-user with the reason, at the line that asks for it', () => {
    // Act
    const result = plan([desiredUser('admin')], [liveUser('admin', REASON)]);

    // Assess
    expect(result.changes).toEqual([]);
    expect(result.refused).toEqual([
      {
        key: keys.user('admin'),
        kind: 'User',
        name: 'admin',
        reason: 'ProtectedName',
        message: `User "admin" is ${REASON}: Landscape never changes it (manage it outside Landscape, and remove it from git)`,
        source: { file: 'users.yaml', line: 3, column: 1 },
      },
    ]);
    expect(result.inventory).toEqual([]);
  });

  it('never prunes a reserved user, even one an older version adopted into the inventory', () => {
    // Act
    const result = plan([], [liveUser('admin', REASON), liveUser('old')], [keys.user('admin'), keys.user('old')]);

    // Assess
    expect(result.changes.map((c) => [c.action, c.key])).toEqual([['Delete', keys.user('old')]]);
    expect(result.unmanaged).toEqual([]);
  });
});

describe('reserved users in the Kafka adapter', () => {
  it('protects the user it connects as and the super-users the Environment names', () => {
    // Act
    const reserved = protectedUsers(
      KafkaConnectionSchema.parse({
        bootstrapServers: ['127.0.0.1:9092'],
        sasl: {
          mechanism: 'scram-sha-512',
          username: 'landscape',
          password: { secretRef: { provider: 'env', name: 'P' } },
        },
        superUsers: ['admin', 'landscape'],
      }),
    );

    // Assess
    expect([...reserved]).toEqual([
      ['landscape', 'the principal Landscape connects as and a broker super-user (spec.kafka.superUsers)'],
      ['admin', 'a broker super-user (spec.kafka.superUsers)'],
    ]);
  });

  it('marks reserved users and adds those without SCRAM credentials, so declaring one is refused, not created', () => {
    // Act
    const marked = markProtectedUsers(
      [liveUser('admin'), liveUser('app')],
      new Map([
        ['admin', REASON],
        ['ANONYMOUS', REASON],
      ]),
    );

    // Assess
    expect(marked.map((u) => [u.name, u.protectedBy, u.spec])).toEqual([
      ['admin', REASON, { mechanisms: { 'SCRAM-SHA-512': 8192 } }],
      ['app', undefined, { mechanisms: { 'SCRAM-SHA-512': 8192 } }],
      ['ANONYMOUS', REASON, { mechanisms: {} }],
    ]);
    expect(plan([desiredUser('ANONYMOUS')], marked).refused.map((r) => r.reason)).toEqual(['ProtectedName']);
  });
});
