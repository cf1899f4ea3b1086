import { alterUserScramCredentialsV0, ScramMechanisms } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaProvider } from '../../../lib/adapters/kafka/kafka-provider.ts';
import { computeScramCredential } from '../../../lib/adapters/kafka/scram.ts';
import { sha256Hex } from '../../../lib/engine/hash.ts';
import { keys } from '../../../lib/model/keys.ts';
import { desiredUserSpec, UserSpecSchema } from '../../../lib/model/kinds/user.ts';
import type { Plan } from '../../../lib/model/plan.ts';
import type { DesiredResource, Inventory } from '../../../lib/model/resource.ts';
import { computePlan } from '../../../lib/plan/compute-plan.ts';
import type { ResourceProvider } from '../../../lib/ports/resource-provider.ts';
import {
  cleanupPrefix,
  eventually,
  kafkaTestEnv,
  rawAdmin,
  testKafkaConnection,
} from '../../../scripts/services/kafka-broker.ts';
import { scramUserChange } from '../../../scripts/services/kafka-changes.ts';
import { testEnvironment } from '../../support/builders.ts';
import { canAuthenticate, envSecretResolver, newPassword, uniquePrefix } from '../../support/kafka.ts';

const prefix = uniquePrefix('it-scram');
const secrets = envSecretResolver();
const environment = testEnvironment({ kafka: testKafkaConnection(), prune: { User: true } }, 'it');
let kafka: ResourceProvider;

/** A User document's spec as the renderer turns it into a desired resource. */
function desiredUser(name: string, spec: unknown): DesiredResource {
  return { key: keys.user(name), kind: 'User', name, spec: desiredUserSpec(UserSpecSchema.parse(spec)) };
}

/** Plans the given users against the live broker, as `landscape plan` / `drift` would. */
async function planUsers(desired: DesiredResource[], inventory: Inventory): Promise<Plan> {
  const observed = await kafka.observe(desired);
  return computePlan({
    environment,
    desired,
    observed: observed.filter((r) => r.kind === 'User'),
    inventory,
    observedKinds: ['User'],
    source: {},
    toolVersion: 'it',
    hash: sha256Hex,
  });
}

/** Adds a credential behind Landscape's back, with the broker's own API, as an operator's tool would. */
async function addCredentialOutOfBand(user: string, mechanism: 'SCRAM-SHA-256', password: string): Promise<void> {
  const admin = rawAdmin('it-scram-out-of-band');
  try {
    const connection = [...(await admin.connectToBrokers()).values()][0];
    if (!connection) throw new Error('no broker');
    const credential = await computeScramCredential(mechanism, password, 4096);
    await alterUserScramCredentialsV0.api.async(
      connection,
      [],
      [{ name: user, mechanism: ScramMechanisms.SCRAM_SHA_256, ...credential }],
    );
    // The controller accepts the change before every broker's metadata has it: wait until a read shows it, as
    // a later observation by Landscape must (under load the first read can still be the old credentials).
    const visible = await eventually(async () => {
      const [observed] = await kafka.observeKeys([keys.user(user)]);
      return (
        (observed?.spec as { mechanisms?: Record<string, number> } | undefined)?.mechanisms?.[mechanism] !== undefined
      );
    }, 30_000);
    if (!visible) throw new Error(`the out-of-band ${mechanism} credential of ${user} never became visible`);
  } finally {
    await admin.close();
  }
}

beforeAll(async () => {
  // The test broker's super.users (scripts/services/kafka.sh): the admin, which the tests connect as, and
  // ANONYMOUS, which has no SCRAM credentials.
  kafka = await createKafkaProvider(testKafkaConnection({ superUsers: [kafkaTestEnv.username, 'ANONYMOUS'] }), secrets);
});

afterAll(async () => {
  await kafka?.close();
  await cleanupPrefix(prefix);
});

describe('SCRAM users: exactly the declared credentials', () => {
  it('reports a mechanism added out of band as drift, and a remediating apply deletes it', async () => {
    // Prepare: a managed user with one SCRAM-SHA-512 credential, then a SCRAM-SHA-256 one added by hand.
    const user = `${prefix}managed`;
    const password = newPassword(secrets, 'IT_SCRAM_MANAGED');
    const desired = [desiredUser(user, { password: { secretRef: { provider: 'env', name: 'IT_SCRAM_MANAGED' } } })];
    const created = await planUsers(desired, {});
    await kafka.apply(created.changes, { secrets });
    const inventory: Inventory = Object.fromEntries(created.inventory.map((e) => [e.key, e]));
    await addCredentialOutOfBand(user, 'SCRAM-SHA-256', 'a-backdoor-password');

    // Act
    const drift = await planUsers(desired, inventory);
    const results = await kafka.apply(drift.changes, { secrets });
    const after = await kafka.observeKeys([keys.user(user)]);
    const again = await planUsers(desired, inventory);

    // Assess
    expect(drift.changes.map((c) => [c.action, c.fields.map((f) => [f.path, f.before, f.after])])).toEqual([
      ['Update', [['credentials.SCRAM-SHA-256.iterations', 4096, undefined]]],
    ]);
    expect(results.map((r) => [r.outcome, r.message])).toEqual([['Succeeded', 'removed SCRAM-SHA-256 (not declared)']]);
    expect(after[0]?.spec).toEqual({ mechanisms: { 'SCRAM-SHA-512': 8192 } });
    expect(again.changes).toEqual([]);
    // Only the undeclared credential was touched: the declared password still works.
    expect(await canAuthenticate(user, password)).toBe(true);
  });

  it('creates a user with two mechanisms and rotates one password without touching the other credential', async () => {
    // Prepare
    const user = `${prefix}both`;
    const password512 = newPassword(secrets, 'IT_SCRAM_BOTH_512');
    newPassword(secrets, 'IT_SCRAM_BOTH_256');
    const spec = (ref256: string) => ({
      scram: [
        { mechanism: 'SCRAM-SHA-256', password: { secretRef: { provider: 'env', name: ref256 } }, iterations: 4096 },
        { mechanism: 'SCRAM-SHA-512', password: { secretRef: { provider: 'env', name: 'IT_SCRAM_BOTH_512' } } },
      ],
    });
    const created = await planUsers([desiredUser(user, spec('IT_SCRAM_BOTH_256'))], {});
    const createResults = await kafka.apply(created.changes, { secrets });
    const inventory: Inventory = Object.fromEntries(created.inventory.map((e) => [e.key, e]));
    newPassword(secrets, 'IT_SCRAM_BOTH_256_V2');

    // Act
    const rotation = await planUsers([desiredUser(user, spec('IT_SCRAM_BOTH_256_V2'))], inventory);
    const rotateResults = await kafka.apply(rotation.changes, { secrets });
    const [live] = await kafka.observeKeys([keys.user(user)]);

    // Assess
    expect(createResults.map((r) => [r.outcome, r.message])).toEqual([
      ['Succeeded', 'created credentials SCRAM-SHA-256 (4096 iterations), SCRAM-SHA-512 (8192 iterations)'],
    ]);
    expect(rotation.changes[0]?.fields.map((f) => f.path)).toEqual(['credentials.SCRAM-SHA-256.password']);
    expect(rotateResults.map((r) => [r.outcome, r.message])).toEqual([
      ['Succeeded', 'set SCRAM-SHA-256 credentials (4096 iterations)'],
    ]);
    expect(live?.spec).toEqual({ mechanisms: { 'SCRAM-SHA-256': 4096, 'SCRAM-SHA-512': 8192 } });
    expect(await canAuthenticate(user, password512)).toBe(true);
  });
});

describe('SCRAM users the cluster reserves', () => {
  it('observes the super-users and its own principal as protected, refuses to plan them and never alters them', async () => {
    // Prepare: a change to the admin user, as a plan stored by an older version could hold. Its password
    // reference is the admin's own, so even a broken guard could not lock the shared broker's admin out.
    const declared = desiredUser(kafkaTestEnv.username, {
      password: { secretRef: { provider: 'env', name: 'KAFKA_PASSWORD' } },
    });
    const stored = scramUserChange('Update', kafkaTestEnv.username, [
      { mechanism: 'SCRAM-SHA-512', passwordEnvName: 'KAFKA_PASSWORD', iterations: 4096 },
    ]);
    const before = await kafka.observeKeys([keys.user(kafkaTestEnv.username)]);

    // Act
    const observed = await kafka.observe([declared]);
    const plan = await planUsers([declared], {});
    const [result] = await kafka.apply([stored], { secrets });
    const after = await kafka.observeKeys([keys.user(kafkaTestEnv.username)]);

    // Assess
    const reserved = observed.filter((r) => r.protectedBy !== undefined).map((r) => [r.name, r.protectedBy]);
    expect(reserved).toEqual(
      expect.arrayContaining([
        [kafkaTestEnv.username, 'the principal Landscape connects as and a broker super-user (spec.kafka.superUsers)'],
        ['ANONYMOUS', 'a broker super-user (spec.kafka.superUsers)'],
      ]),
    );
    expect(plan.changes).toEqual([]);
    expect(plan.refused.map((r) => [r.reason, r.name])).toEqual([['ProtectedName', kafkaTestEnv.username]]);
    expect(result).toMatchObject({ outcome: 'Skipped' });
    expect(result?.message).toContain('is the principal Landscape connects as');
    expect(after).toEqual(before);
  });
});
