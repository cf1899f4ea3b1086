import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaProvider } from '../../../lib/adapters/kafka/kafka-provider.ts';
import { ipQuotaKey } from '../../../lib/model/kinds/ip-quota.ts';
import type { PlannedChange } from '../../../lib/model/plan.ts';
import type { ResourceProvider } from '../../../lib/ports/resource-provider.ts';
import { testKafkaConnection } from '../../../scripts/services/kafka-broker.ts';
import { deleteChange } from '../../../scripts/services/kafka-changes.ts';
import { envSecretResolver } from '../../support/kafka.ts';

// Addresses of the benchmarking range (RFC 2544), random per run: no client of the shared broker connects
// from them, so their quotas throttle nobody. The default IP entity is never touched here (it would).
const block = `198.18.${randomInt(0, 256)}`;
const ips = [`${block}.11`, `${block}.12`, `${block}.13`];
const secrets = envSecretResolver();
let kafka: ResourceProvider;

function ipQuotaChange(action: 'Create' | 'Update', ip: string, rate: number, before?: number): PlannedChange {
  return {
    key: ipQuotaKey(ip),
    kind: 'IpQuota',
    name: ip,
    action,
    wave: 2,
    fields: [{ path: 'connectionCreationRate', ...(before !== undefined ? { before } : {}), after: rate }],
    desired: { ip, connectionCreationRate: rate },
    destructive: false,
  };
}

beforeAll(async () => {
  kafka = await createKafkaProvider(testKafkaConnection(), secrets);
});

afterAll(async () => {
  await kafka?.apply(
    ips.map((ip) => deleteChange('IpQuota', ipQuotaKey(ip), ip)),
    { secrets },
  );
  await kafka?.close();
});

describe('KafkaProvider IP quotas (connection_creation_rate)', () => {
  it('creates IP quotas in one request and observes them as rendered', async () => {
    // Act
    const results = await kafka.apply(
      [ipQuotaChange('Create', ips[0] as string, 5), ipQuotaChange('Create', ips[1] as string, 50)],
      {
        secrets,
      },
    );
    const observed = await kafka.observeKeys(ips.map(ipQuotaKey));
    const all = await kafka.observe([]);

    // Assess
    expect(results.map((r) => [r.outcome, r.message])).toEqual([
      ['Succeeded', 'set connection_creation_rate=5'],
      ['Succeeded', 'set connection_creation_rate=50'],
    ]);
    expect(observed.map((r) => [r.key, r.kind, r.name, r.spec]).sort()).toEqual([
      [ipQuotaKey(ips[0] as string), 'IpQuota', ips[0], { ip: ips[0], connectionCreationRate: 5 }],
      [ipQuotaKey(ips[1] as string), 'IpQuota', ips[1], { ip: ips[1], connectionCreationRate: 50 }],
    ]);
    expect(all.filter((r) => r.kind === 'IpQuota' && ips.includes(r.name))).toHaveLength(2);
    // An IP quota is not a client quota: the Quota kind does not list it.
    expect(all.filter((r) => r.kind === 'Quota' && r.name.includes(block))).toEqual([]);
  });

  it('updates a rate, deletes a quota, and treats deleting a missing one as done', async () => {
    // Prepare
    const [ip, gone, never] = ips as [string, string, string];
    await kafka.apply([ipQuotaChange('Create', ip, 5), ipQuotaChange('Create', gone, 7)], { secrets });

    // Act
    const results = await kafka.apply(
      [
        ipQuotaChange('Update', ip, 2, 5),
        deleteChange('IpQuota', ipQuotaKey(gone), gone),
        deleteChange('IpQuota', ipQuotaKey(never), never),
      ],
      { secrets },
    );
    const observed = await kafka.observeKeys(ips.map(ipQuotaKey));

    // Assess
    expect(results.map((r) => [r.outcome, r.message])).toEqual([
      ['Succeeded', 'set connection_creation_rate=2'],
      ['Succeeded', 'removed connection_creation_rate'],
      ['Succeeded', 'removed connection_creation_rate'],
    ]);
    expect(observed.map((r) => r.spec)).toEqual([{ ip, connectionCreationRate: 2 }]);
  });
});
