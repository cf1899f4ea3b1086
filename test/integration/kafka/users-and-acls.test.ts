import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coveringFilters } from '../../../lib/adapters/kafka/apply-acls.ts';
import { createKafkaProvider } from '../../../lib/adapters/kafka/kafka-provider.ts';
import { toClientAcl } from '../../../lib/adapters/kafka/normalize.ts';
import { AdapterError } from '../../../lib/errors.ts';
import { keys } from '../../../lib/model/keys.ts';
import type { AclBinding } from '../../../lib/model/kinds/acl.ts';
import type { ResourceProvider } from '../../../lib/ports/resource-provider.ts';
import {
  adminAs,
  cleanupPrefix,
  eventually,
  producerAs,
  testKafkaConnection,
} from '../../../scripts/services/kafka-broker.ts';
import {
  createAclChange,
  createTopicChange,
  deleteChange,
  userChange,
} from '../../../scripts/services/kafka-changes.ts';
import { canAuthenticate, envSecretResolver, newPassword, uniquePrefix } from '../../support/kafka.ts';

const prefix = uniquePrefix('it-kafka');
const secrets = envSecretResolver();
let kafka: ResourceProvider;

/** Whether `username` can authenticate and read metadata of `topic` (DESCRIBE on the topic). */
async function canDescribe(username: string, password: string, topic: string): Promise<boolean> {
  const admin = adminAs(username, password);
  try {
    const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
    return metadata.topics.has(topic);
  } catch {
    return false;
  } finally {
    await admin.close().catch(() => undefined);
  }
}

async function canProduce(username: string, password: string, topic: string): Promise<boolean> {
  const producer = producerAs(username, password);
  try {
    await producer.send({ messages: [{ topic, key: Buffer.from('k'), value: Buffer.from('v') }] });
    return true;
  } catch {
    return false;
  } finally {
    await producer.close().catch(() => undefined);
  }
}

function binding(principal: string, topic: string, operation: AclBinding['operation']): AclBinding {
  return {
    principal,
    host: '*',
    resourceType: 'topic',
    resourceName: topic,
    patternType: 'literal',
    operation,
    permission: 'allow',
  };
}

beforeAll(async () => {
  kafka = await createKafkaProvider(testKafkaConnection(), secrets);
});

afterAll(async () => {
  await kafka?.close();
  await cleanupPrefix(prefix);
});

describe('KafkaProvider SCRAM users', () => {
  it('creates a user whose password works for a second client and a wrong one does not', async () => {
    // Prepare
    const user = `${prefix}alice`;
    const password = newPassword(secrets, 'IT_ALICE_PASSWORD');

    // Act
    const [result] = await kafka.apply([userChange('Create', user, 'IT_ALICE_PASSWORD', 'SCRAM-SHA-512', 4096)], {
      secrets,
    });

    // Assess
    expect(result).toMatchObject({
      outcome: 'Succeeded',
      message: 'created SCRAM-SHA-512 credentials (4096 iterations)',
    });
    expect(result?.message).not.toContain(password);
    expect(await canAuthenticate(user, password)).toBe(true);
    expect(await canAuthenticate(user, `${password}-wrong`)).toBe(false);
    const [observed] = await kafka.observeKeys([keys.user(user)]);
    expect(observed?.spec).toEqual({ mechanisms: { 'SCRAM-SHA-512': 4096 } });
  });

  it('rotates the password so that only the new one works', async () => {
    // Prepare
    const user = `${prefix}rotate`;
    const oldPassword = newPassword(secrets, 'IT_ROTATE_OLD');
    await kafka.apply([userChange('Create', user, 'IT_ROTATE_OLD')], { secrets });
    const newOne = newPassword(secrets, 'IT_ROTATE_NEW');

    // Act
    const [result] = await kafka.apply([userChange('Update', user, 'IT_ROTATE_NEW', 'SCRAM-SHA-512', 8192)], {
      secrets,
    });

    // Assess
    expect(result).toMatchObject({ outcome: 'Succeeded', message: 'set SCRAM-SHA-512 credentials (8192 iterations)' });
    expect(await canAuthenticate(user, newOne)).toBe(true);
    expect(await canAuthenticate(user, oldPassword)).toBe(false);
  });

  it('switches mechanism by removing the credential of the old one in the same request', async () => {
    // Prepare
    const user = `${prefix}switch`;
    newPassword(secrets, 'IT_SWITCH_PASSWORD');
    await kafka.apply([userChange('Create', user, 'IT_SWITCH_PASSWORD', 'SCRAM-SHA-256', 4096)], { secrets });
    const [before] = await kafka.observeKeys([keys.user(user)]);

    // Act
    const [result] = await kafka.apply([userChange('Update', user, 'IT_SWITCH_PASSWORD', 'SCRAM-SHA-512', 4096)], {
      secrets,
    });

    // Assess
    expect(before?.spec).toEqual({ mechanisms: { 'SCRAM-SHA-256': 4096 } });
    expect(result).toMatchObject({
      outcome: 'Succeeded',
      message: 'set SCRAM-SHA-512 credentials (4096 iterations); removed SCRAM-SHA-256',
    });
    const [after] = await kafka.observeKeys([keys.user(user)]);
    expect(after?.spec).toEqual({ mechanisms: { 'SCRAM-SHA-512': 4096 } });
  });

  it('fails only the user whose password secret can not be resolved, naming the reference', async () => {
    // Prepare
    const ok = `${prefix}resolvable`;
    newPassword(secrets, 'IT_RESOLVABLE');
    const missing = `${prefix}unresolvable`;

    // Act
    const results = await kafka.apply(
      [userChange('Create', ok, 'IT_RESOLVABLE'), userChange('Create', missing, 'IT_NOT_SET_ANYWHERE')],
      { secrets },
    );

    // Assess
    expect(results.map((r) => r.outcome)).toEqual(['Succeeded', 'Failed']);
    expect(results[1]?.message).toBe(
      `resolving the password of user "${missing}": secret "env/IT_NOT_SET_ANYWHERE" is not set`,
    );
  });

  it('deletes every credential of a user and treats an unknown user as already absent', async () => {
    // Prepare
    const user = `${prefix}gone`;
    const password = newPassword(secrets, 'IT_GONE_PASSWORD');
    await kafka.apply([userChange('Create', user, 'IT_GONE_PASSWORD')], { secrets });

    // Act
    const results = await kafka.apply(
      [
        deleteChange('User', keys.user(user), user),
        deleteChange('User', keys.user(`${prefix}nobody`), `${prefix}nobody`),
      ],
      { secrets },
    );

    // Assess
    expect(results.map((r) => [r.outcome, r.message])).toEqual([
      ['Succeeded', 'deleted credentials (SCRAM-SHA-512)'],
      ['Succeeded', 'already absent'],
    ]);
    expect(await kafka.observeKeys([keys.user(user)])).toEqual([]);
    expect(await canAuthenticate(user, password)).toBe(false);
  });
});

describe('KafkaProvider as a principal with limited rights', () => {
  it('observes the topics it may see and skips ACLs, quotas and users it may not list unless they are declared', async () => {
    // Prepare
    const user = `${prefix}limited`;
    const password = newPassword(secrets, 'IT_LIMITED_PASSWORD');
    const visible = `${prefix}lim-visible`;
    await kafka.apply(
      [
        createTopicChange(visible, { partitions: 1, replicationFactor: 1 }),
        createTopicChange(`${prefix}hidden`, { partitions: 1, replicationFactor: 1 }),
      ],
      { secrets },
    );
    await kafka.apply([userChange('Create', user, 'IT_LIMITED_PASSWORD')], { secrets });
    const grants = (['describe', 'describeConfigs'] as const).map((op) => ({
      ...binding(`User:${user}`, `${prefix}lim-`, op),
      patternType: 'prefixed' as const,
    }));
    await kafka.apply(grants.map(createAclChange), { secrets });
    const limited = await createKafkaProvider(
      testKafkaConnection({
        sasl: { mechanism: 'scram-sha-512', username: user, password: { secretRef: { provider: 'env', name: 'P' } } },
      }),
      envSecretResolver({ P: password }),
    );

    // Act
    const observed = await limited.observe([]);
    const declaringAcls = await limited
      .observe(grants.map((g) => ({ key: keys.acl(g), kind: 'Acl' as const, name: 'grant', spec: { ...g } })))
      .catch((error: unknown) => error);
    await limited.close();

    // Assess
    expect(observed.map((r) => r.key)).toEqual([keys.topic(visible)]);
    expect(declaringAcls).toBeInstanceOf(AdapterError);
    expect((declaringAcls as Error).message).toMatch(/^describing acls: cluster authorization failed/);
  });
});

describe('KafkaProvider ACLs', () => {
  it('creates and deletes bindings in batches and observes them with the model names', async () => {
    // Prepare
    const principal = `User:${prefix}acl-owner`;
    const bindings: AclBinding[] = [
      binding(principal, `${prefix}orders`, 'read'),
      binding(principal, `${prefix}orders`, 'describe'),
      { ...binding(principal, `${prefix}payments.`, 'write'), patternType: 'prefixed' },
      { ...binding(principal, `${prefix}group`, 'read'), resourceType: 'group' },
      { ...binding(principal, 'kafka-cluster', 'idempotentWrite'), resourceType: 'cluster' },
      { ...binding(principal, `${prefix}tx`, 'write'), resourceType: 'transactionalId', permission: 'deny' },
    ];

    // Act
    const created = await kafka.apply(bindings.map(createAclChange), { secrets });
    const observed = await kafka.observeKeys(bindings.map((b) => keys.acl(b)));
    const deleted = await kafka.apply(
      bindings.slice(0, 2).map((b) => deleteChange('Acl', keys.acl(b), 'acl')),
      { secrets },
    );
    const remaining = await kafka.observeKeys(bindings.map((b) => keys.acl(b)));

    // Assess
    expect(created.map((r) => r.outcome)).toEqual(bindings.map(() => 'Succeeded'));
    expect(
      observed.map((r) => r.spec).sort((a, b) => keys.acl(a as never).localeCompare(keys.acl(b as never))),
    ).toEqual([...bindings].sort((a, b) => keys.acl(a).localeCompare(keys.acl(b))));
    expect(observed.find((r) => r.key === keys.acl(bindings[2] as AclBinding))?.name).toBe(
      `${principal} write topic:${prefix}payments.*`,
    );
    expect(deleted.map((r) => [r.outcome, r.message])).toEqual([
      ['Succeeded', 'deleted'],
      ['Succeeded', 'deleted'],
    ]);
    expect(remaining.map((r) => r.key).sort()).toEqual(
      bindings
        .slice(2)
        .map((b) => keys.acl(b))
        .sort(),
    );
  });

  it('deletes whole principals and resources with broad filters but never a binding outside the plan', async () => {
    // Prepare
    const leaving = `User:${prefix}leaving`;
    const staying = `User:${prefix}staying`;
    const shared = `${prefix}shared`;
    const bindings: AclBinding[] = [
      binding(leaving, shared, 'read'),
      binding(leaving, shared, 'write'),
      binding(leaving, `${prefix}other`, 'read'),
      binding(staying, shared, 'read'),
      binding(staying, shared, 'write'),
      binding(staying, `${prefix}kept`, 'describe'),
    ];
    await kafka.apply(bindings.map(createAclChange), { secrets });
    // All of "leaving" goes (principal filter); of "staying" only its two bindings on "shared" (resource filter).
    const doomed = bindings.slice(0, 5);

    // Act
    const results = await kafka.apply(
      doomed.map((b) => deleteChange('Acl', keys.acl(b), 'acl')),
      { secrets },
    );
    const remaining = await kafka.observeKeys(bindings.map((b) => keys.acl(b)));

    // Assess
    expect(results.map((r) => r.outcome)).toEqual(doomed.map(() => 'Succeeded'));
    expect(remaining.map((r) => r.key)).toEqual([keys.acl(bindings[5] as AclBinding)]);
  });

  it('lets a user describe and produce only after its topic ACLs are created, and not after they are deleted', async () => {
    // Prepare
    const user = `${prefix}producer`;
    const topic = `${prefix}enforced`;
    const password = newPassword(secrets, 'IT_PRODUCER_PASSWORD');
    await kafka.apply([createTopicChange(topic, { partitions: 1, replicationFactor: 1 })], { secrets });
    await kafka.apply([userChange('Create', user, 'IT_PRODUCER_PASSWORD')], { secrets });
    const bindings = (['describe', 'write', 'read'] as const).map((op) => binding(`User:${user}`, topic, op));
    const deniedDescribe = await canDescribe(user, password, topic);
    const deniedProduce = await canProduce(user, password, topic);

    // Act
    const created = await kafka.apply(bindings.map(createAclChange), { secrets });
    const allowedDescribe = await canDescribe(user, password, topic);
    const allowedProduce = await canProduce(user, password, topic);
    await kafka.apply(
      bindings.map((b) => deleteChange('Acl', keys.acl(b), 'acl')),
      { secrets },
    );

    // Assess
    expect(deniedDescribe).toBe(false);
    expect(deniedProduce).toBe(false);
    expect(created.map((r) => r.outcome)).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
    expect(allowedDescribe).toBe(true);
    expect(allowedProduce).toBe(true);
    expect(await eventually(async () => !(await canProduce(user, password, topic)))).toBe(true);
  });

  it('fails an invalid binding without hiding the valid ones in the same batch', async () => {
    // Prepare
    const good = binding(`User:${prefix}valid`, `${prefix}t`, 'read');
    // Kafka rejects ACLs on the cluster resource under any name other than "kafka-cluster".
    const bad: AclBinding = {
      ...binding(`User:${prefix}invalid`, 'not-the-cluster', 'alter'),
      resourceType: 'cluster',
    };

    // Act
    const results = await kafka.apply([createAclChange(bad), createAclChange(good)], { secrets });

    // Assess
    expect(results.map((r) => r.outcome)).toEqual(['Failed', 'Succeeded']);
    expect(results[0]?.message).toMatch(/^creating acl: /);
  });

  it('skips an update of a binding: a binding is its own key', async () => {
    // Prepare
    const change = {
      ...createAclChange(binding(`User:${prefix}same`, `${prefix}t`, 'read')),
      action: 'Update' as const,
    };

    // Act
    const [result] = await kafka.apply([change], { secrets });

    // Assess
    expect(result?.outcome).toBe('Skipped');
  });
});

describe('coveringFilters', () => {
  it('uses one filter per fully deleted principal, one per fully deleted resource, exact filters otherwise', () => {
    // Prepare
    const a = [binding('User:a', 't1', 'read'), binding('User:a', 't2', 'read')];
    const b = [binding('User:b', 't1', 'read'), binding('User:b', 't1', 'write')];
    const c = [binding('User:c', 't1', 'read'), binding('User:c', 't1', 'write')];
    const live = [...a, ...b, ...c, binding('User:b', 't2', 'read')].map(toClientAcl);
    const doomed = [...a, ...b, c[0] as AclBinding].map((x) => ({ change: createAclChange(x), binding: x }));

    // Act
    const filters = coveringFilters(doomed, live);

    // Assess
    expect(filters.map((f) => [f.filter.principal, f.filter.resourceName, f.filter.operation, f.items.length])).toEqual(
      [
        ['User:a', null, 1, 2],
        ['User:b', 't1', 1, 2],
        ['User:c', 't1', 3, 1],
      ],
    );
  });
});
