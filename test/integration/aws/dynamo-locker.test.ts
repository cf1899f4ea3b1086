import { hostname } from 'node:os';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoLocker } from '../../../lib/adapters/aws/index.ts';
import { clients, createStateTable, deleteStateTable, ensureAwsServices } from '../../support/aws.ts';
import { uniqueName } from '../../support/unique-name.ts';

const dynamo = clients.dynamo();
const table = uniqueName('locks');
let clock = new Date('2026-11-25T10:00:00Z');
const locker = new DynamoLocker({ table, dynamo, now: () => clock });

beforeAll(async () => {
  await ensureAwsServices();
  await createStateTable(dynamo, table);
});

afterAll(async () => {
  await deleteStateTable(dynamo, table);
});

describe('DynamoLocker', () => {
  it('grants the first caller and answers contention with the current holder', async () => {
    // Prepare
    const env = uniqueName('env');
    // Act
    const first = await locker.tryLock(env, 'apply:1', 60);
    const second = await locker.tryLock(env, 'apply:2', 60);
    // Assess
    expect(first).toMatchObject({ acquired: true, lease: { environment: env, holder: 'apply:1', token: 1 } });
    expect(first.acquired && first.lease.expiresAt).toBe('2026-11-25T10:01:00.000Z');
    expect(second).toEqual({ acquired: false, holder: first.acquired ? first.lease : undefined });
  });

  it('lets another holder in after expiry, with a higher fencing token', async () => {
    const env = uniqueName('env');
    clock = new Date('2026-11-25T10:00:00Z');
    const first = await locker.tryLock(env, 'apply:1', 30);
    clock = new Date('2026-11-25T10:00:31Z');
    const second = await locker.tryLock(env, 'apply:2', 30);
    expect(second.acquired).toBe(true);
    expect(second.acquired && first.acquired && second.lease.token > first.lease.token).toBe(true);
    // The stale holder's release must not free the new holder's lease.
    if (first.acquired) await locker.release(first.lease);
    expect(await locker.tryLock(env, 'apply:3', 30)).toMatchObject({ acquired: false, holder: { holder: 'apply:2' } });
  });

  it('keeps tokens increasing across release and break', async () => {
    const env = uniqueName('env');
    const tokens: number[] = [];
    for (let i = 0; i < 3; i++) {
      const attempt = await locker.tryLock(env, `apply:${i}`, 60);
      if (!attempt.acquired) throw new Error('expected the lock');
      tokens.push(attempt.lease.token);
      if (i === 1) expect(await locker.breakLock(env)).toBe(true);
      else await locker.release(attempt.lease);
    }
    expect(tokens).toEqual([1, 2, 3]);
  });

  it('grants exactly one of many concurrent callers', async () => {
    const env = uniqueName('env');
    const attempts = await Promise.all(Array.from({ length: 8 }, (_, i) => locker.tryLock(env, `apply:${i}`, 60)));
    const winners = attempts.filter((a) => a.acquired);
    expect(winners).toHaveLength(1);
    const winner = winners[0]?.acquired ? winners[0].lease : undefined;
    for (const a of attempts.filter((x) => !x.acquired)) expect(a).toEqual({ acquired: false, holder: winner });
  });

  it('breaks a lock whoever holds it, and says when there was none', async () => {
    const env = uniqueName('env');
    expect(await locker.breakLock(env)).toBe(false);
    await locker.tryLock(env, 'apply:stuck', 900);
    expect(await locker.breakLock(env)).toBe(true);
    expect(await locker.breakLock(env)).toBe(false);
    expect(await locker.tryLock(env, 'apply:next', 60)).toMatchObject({ acquired: true, lease: { token: 2 } });
  });

  it('holds: true until someone else takes the environment (the fencing check before an apply writes)', async () => {
    const env = uniqueName('env');
    clock = new Date('2026-11-25T10:00:00Z');
    const first = await locker.tryLock(env, 'apply:1', 30);
    if (!first.acquired) throw new Error('expected the lock');
    expect(await locker.holds(first.lease)).toBe(true);
    expect(await locker.breakLock(env)).toBe(true);
    expect(await locker.holds(first.lease)).toBe(false);
    const second = await locker.tryLock(env, 'apply:2', 30);
    if (!second.acquired) throw new Error('expected the lock after the break');
    expect(await locker.holds(second.lease)).toBe(true);
    clock = new Date('2026-11-25T10:00:31Z');
    expect(await locker.holds(second.lease)).toBe(true);
    const third = await locker.tryLock(env, 'apply:3', 30);
    expect(third.acquired).toBe(true);
    expect(await locker.holds(second.lease)).toBe(false);
  });

  it('lists live leases only', async () => {
    clock = new Date('2026-11-25T10:00:00Z');
    const [a, b, c] = [uniqueName('env'), uniqueName('env'), uniqueName('env')];
    await locker.tryLock(a, 'apply:a', 60);
    await locker.tryLock(b, 'apply:b', 5);
    const cLease = await locker.tryLock(c, 'apply:c', 60);
    if (cLease.acquired) await locker.release(cLease.lease);
    clock = new Date('2026-11-25T10:00:10Z');
    const listed = (await locker.list()).filter((l) => [a, b, c].includes(l.environment));
    expect(listed.map((l) => [l.environment, l.holder])).toEqual([[a, 'apply:a']]);
  });
});

describe('DynamoLocker holders and broken leases', () => {
  it('names the holder: actor, host, pid and since when', async () => {
    const env = uniqueName('env');
    clock = new Date('2026-11-25T10:00:00Z');
    await locker.tryLock(env, 'alice@cli', 60);
    const busy = await locker.tryLock(env, 'bob@cli', 60);
    expect(busy).toMatchObject({
      acquired: false,
      holder: { holder: 'alice@cli', host: hostname(), pid: process.pid, since: '2026-11-25T10:00:00.000Z' },
    });
  });

  it('treats a lease with an absurd expiry as broken, and clamps the leases it hands out', async () => {
    // Prepare: a lease item whose expiry lies ten years ahead (a clock gone wrong, an edited item).
    const env = uniqueName('env');
    clock = new Date('2026-11-25T10:00:00Z');
    const first = await locker.tryLock(env, 'apply:far-future', 10 * 365 * 24 * 3600);
    if (!first.acquired) throw new Error('expected the lock');
    expect(first.lease.expiresAt).toBe('2026-11-26T10:00:00.000Z'); // clamped to MAX_LEASE_SECONDS
    await dynamo.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { pk: { S: `LOCK#${env}` }, sk: { S: 'LOCK' } },
        UpdateExpression: 'SET leaseExpiresAt = :far',
        ExpressionAttributeValues: { ':far': { N: String(Date.parse('2036-11-25T10:00:00Z')) } },
      }),
    );

    // Act
    const next = await locker.tryLock(env, 'apply:next', 60);

    // Assess
    expect(next).toMatchObject({ acquired: true, lease: { holder: 'apply:next', token: first.lease.token + 1 } });
  });
});
