import { randomInt } from 'node:crypto';
import { type Admin, ClientQuotaMatchTypes } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawAdmin } from '../../../scripts/services/kafka-broker.ts';
import { writeFiles } from '../../support/builders.ts';
import { cliWorkspace } from '../../support/cli/landscape-cli.ts';
import { testEnvironmentYaml } from '../../support/kafka.ts';

// An address of the benchmarking range (RFC 2544), random per run: no client of the shared broker connects
// from it, so its quota throttles nobody.
const ip = `198.18.${randomInt(0, 256)}.${randomInt(1, 255)}`;
let admin: Admin;

const ipQuota = (rate: number) =>
  `apiVersion: landscape.dev/v1\nkind: IpQuota\nmetadata: { name: office }\nspec: { ip: "${ip}", connectionCreationRate: ${rate} }\n`;

/** The broker's connection_creation_rate for the IP, or undefined. */
async function liveRate(): Promise<number | undefined> {
  const quotas = await admin.describeClientQuotas({
    components: [{ entityType: 'ip', matchType: ClientQuotaMatchTypes.EXACT, match: ip }],
  });
  return quotas.flatMap((q) => q.values).find((v) => v.key === 'connection_creation_rate')?.value;
}

beforeAll(() => {
  admin = rawAdmin('it-ip-quota-cli');
});

afterAll(async () => {
  await admin.alterClientQuotas({
    entries: [
      { entities: [{ entityType: 'ip', entityName: ip }], ops: [{ key: 'connection_creation_rate', remove: true }] },
    ],
  });
  await admin.close();
});

describe('IpQuota with landscape apply', () => {
  it('sets connection_creation_rate on the broker, plans no changes, and prunes it when removed from git', async () => {
    // Prepare
    const { dir, cli } = await cliWorkspace('ip-quota');
    await writeFiles(dir, {
      'env.yaml': testEnvironmentYaml('it', { prune: ['IpQuota'], requireApprovalFor: 'none' }),
      'quotas.yaml': ipQuota(7),
    });

    // Act
    const applied = await cli('apply', '.', '--env', 'it', '--auto-approve');
    const replanned = await cli('plan', '.', '--env', 'it');

    // Assess
    expect(applied.code, applied.stderr).toBe(0);
    expect(await liveRate()).toBe(7);
    expect(replanned.stdout).toContain('No changes.');

    // Removed from git: the quota Landscape set is deleted.
    await writeFiles(dir, { 'quotas.yaml': '' });
    expect((await cli('apply', '.', '--env', 'it', '--auto-approve')).code).toBe(0);
    expect(await liveRate()).toBeUndefined();
  });
});
