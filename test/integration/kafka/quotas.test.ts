import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaProvider } from '../../../lib/adapters/kafka/kafka-provider.ts';
import { keys } from '../../../lib/model/keys.ts';
import type { ResourceProvider } from '../../../lib/ports/resource-provider.ts';
import { cleanupPrefix, testKafkaConnection } from '../../../scripts/services/kafka-broker.ts';
import { deleteChange, quotaChange } from '../../../scripts/services/kafka-changes.ts';
import { envSecretResolver, uniquePrefix } from '../../support/kafka.ts';

const prefix = uniquePrefix('it-kafka');
const secrets = envSecretResolver();
let kafka: ResourceProvider;

beforeAll(async () => {
  kafka = await createKafkaProvider(testKafkaConnection(), secrets);
});

afterAll(async () => {
  await kafka?.close();
  await cleanupPrefix(prefix);
});

describe('KafkaProvider quotas', () => {
  it('creates user, client-id and combined quotas in one request and observes them as rendered', async () => {
    // Prepare
    const user = { user: `${prefix}alice` };
    const client = { clientId: `${prefix}app` };
    const both = { user: `${prefix}alice`, clientId: `${prefix}app` };

    // Act
    const results = await kafka.apply(
      [
        quotaChange('Create', user, { producer_byte_rate: 1_048_576, consumer_byte_rate: 2_097_152 }),
        quotaChange('Create', client, { request_percentage: 25 }),
        quotaChange('Create', both, { controller_mutation_rate: 10 }),
      ],
      { secrets },
    );
    const observed = await kafka.observeKeys([keys.quota(user), keys.quota(client), keys.quota(both)]);

    // Assess
    expect(results.map((r) => r.outcome)).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
    expect(results[0]?.message).toBe('set producer_byte_rate=1048576, consumer_byte_rate=2097152');
    const byKey = new Map(observed.map((r) => [r.key, r]));
    expect(byKey.get(keys.quota(user))?.spec).toEqual({
      entity: user,
      values: { producer_byte_rate: 1_048_576, consumer_byte_rate: 2_097_152 },
    });
    expect(byKey.get(keys.quota(client))?.spec).toEqual({ entity: client, values: { request_percentage: 25 } });
    expect(byKey.get(keys.quota(both))?.spec).toEqual({ entity: both, values: { controller_mutation_rate: 10 } });
    expect(byKey.get(keys.quota(both))?.name).toBe(`user=${prefix}alice,client-id=${prefix}app`);
  });

  it('updates a value and removes the value the plan drops', async () => {
    // Prepare
    const entity = { user: `${prefix}bob` };
    await kafka.apply([quotaChange('Create', entity, { producer_byte_rate: 1000, consumer_byte_rate: 2000 })], {
      secrets,
    });

    // Act
    const [result] = await kafka.apply(
      [
        quotaChange('Update', entity, { producer_byte_rate: 5000 }, [
          { path: 'values.consumer_byte_rate', before: 2000, note: 'removed from git: quota value removed' },
          { path: 'values.producer_byte_rate', before: 1000, after: 5000 },
        ]),
      ],
      { secrets },
    );
    const [live] = await kafka.observeKeys([keys.quota(entity)]);

    // Assess
    expect(result).toMatchObject({
      outcome: 'Succeeded',
      message: 'set producer_byte_rate=5000; removed consumer_byte_rate',
    });
    expect(live?.spec).toEqual({ entity, values: { producer_byte_rate: 5000 } });
  });

  it('deletes a quota by removing all of its values and treats a missing one as already absent', async () => {
    // Prepare
    const entity = { clientId: `${prefix}doomed` };
    await kafka.apply([quotaChange('Create', entity, { producer_byte_rate: 1000, request_percentage: 50 })], {
      secrets,
    });
    const missing = { user: `${prefix}never` };

    // Act
    const results = await kafka.apply(
      [deleteChange('Quota', keys.quota(entity), 'doomed'), deleteChange('Quota', keys.quota(missing), 'never')],
      { secrets },
    );

    // Assess
    expect(results.map((r) => [r.outcome, r.message])).toEqual([
      ['Succeeded', 'removed producer_byte_rate, request_percentage'],
      ['Succeeded', 'already absent'],
    ]);
    expect(await kafka.observeKeys([keys.quota(entity)])).toEqual([]);
  });

  it('maps the <default> entity to the broker default entity and back', async () => {
    // Prepare: a default client-id quota under our unique user, so no other test or engineer is affected.
    const entity = { user: `${prefix}carol`, clientId: '<default>' };

    // Act
    const [created] = await kafka.apply([quotaChange('Create', entity, { request_percentage: 30 })], { secrets });
    const observed = await kafka.observeKeys([keys.quota(entity)]);
    await kafka.apply([deleteChange('Quota', keys.quota(entity), 'carol default')], { secrets });

    // Assess
    expect(created?.outcome).toBe('Succeeded');
    expect(observed.map((r) => r.spec)).toEqual([{ entity, values: { request_percentage: 30 } }]);
  });
});
