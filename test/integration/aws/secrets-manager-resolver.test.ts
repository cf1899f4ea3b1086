import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { beforeAll, describe, expect, it } from 'vitest';
import { SecretsManagerResolver } from '../../../lib/adapters/aws/index.ts';
import type { SecretRef } from '../../../lib/model/common.ts';
import { clients, ensureAwsServices } from '../../support/aws.ts';
import { uniqueName } from '../../support/unique-name.ts';

const sm = clients.secrets();
const jsonName = uniqueName('landscape/kafka-admin');
const plainName = uniqueName('landscape/slack-webhook');
const brokenName = uniqueName('landscape/not-json');
const ref = (name: string, key?: string): SecretRef => ({
  secretRef: { provider: 'aws-secretsmanager', name, ...(key ? { key } : {}) },
});

beforeAll(async () => {
  await ensureAwsServices();
  await sm.send(
    new CreateSecretCommand({
      Name: jsonName,
      SecretString: JSON.stringify({ username: 'admin', password: 's3cr3t' }),
    }),
  );
  await sm.send(new CreateSecretCommand({ Name: plainName, SecretString: 'https://hooks.example/T0/B0/xyz' }));
  await sm.send(new CreateSecretCommand({ Name: brokenName, SecretString: 'hunter2-not-json' }));
});

describe('SecretsManagerResolver', () => {
  it('reads a key of a JSON secret and a plain string secret', async () => {
    const resolver = new SecretsManagerResolver({ client: sm });
    expect(await resolver.resolve(ref(jsonName, 'password'))).toBe('s3cr3t');
    expect(await resolver.resolve(ref(jsonName, 'username'))).toBe('admin');
    expect(await resolver.resolve(ref(plainName))).toBe('https://hooks.example/T0/B0/xyz');
  });

  it('caches per secret until cleared, so a rotation is seen by the next invocation', async () => {
    const name = uniqueName('landscape/rotating');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: '{"password":"one"}' }));
    const resolver = new SecretsManagerResolver({ client: sm });
    expect(await resolver.resolve(ref(name, 'password'))).toBe('one');
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: '{"password":"two"}' }));
    expect(await resolver.resolve(ref(name, 'password'))).toBe('one');
    resolver.clear();
    expect(await resolver.resolve(ref(name, 'password'))).toBe('two');
  });

  it('names the reference, never the value, when a key is missing or the secret is not JSON', async () => {
    const resolver = new SecretsManagerResolver({ client: sm });
    const missingKey = resolver.resolve(ref(jsonName, 'token'));
    await expect(missingKey).rejects.toMatchObject({ name: 'ReconcilerError', code: 'SecretUnavailable' });
    await expect(missingKey).rejects.toThrow(
      `secret "aws-secretsmanager/${jsonName}#token": secret has no key "token"`,
    );

    const notJson = (await resolver.resolve(ref(brokenName, 'password')).catch((e: unknown) => e)) as Error;
    expect(notJson).toMatchObject({ code: 'SecretUnavailable' });
    const everything = JSON.stringify(notJson, Object.getOwnPropertyNames(notJson)) + String(notJson.cause ?? '');
    expect(everything).not.toContain('hunter2');
    expect((await resolver.resolve(ref(jsonName, 'nope')).catch((e: Error) => e.message)) ?? '').not.toContain(
      's3cr3t',
    );
  });

  it('reports a missing secret as a user failure naming the reference', async () => {
    const resolver = new SecretsManagerResolver({ client: sm });
    await expect(resolver.resolve(ref('landscape/does-not-exist', 'password'))).rejects.toMatchObject({
      code: 'SecretUnavailable',
      message: 'secret "aws-secretsmanager/landscape/does-not-exist#password": no such secret',
    });
  });

  it('refuses references of other providers', async () => {
    const resolver = new SecretsManagerResolver({ client: sm });
    await expect(resolver.resolve({ secretRef: { provider: 'env', name: 'X' } })).rejects.toMatchObject({
      code: 'SecretUnavailable',
    });
  });

  it('raises a retryable AdapterError when Secrets Manager is unreachable, and does not cache it', async () => {
    const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    const resolver = new SecretsManagerResolver({
      client: new SecretsManagerClient({
        region: 'us-east-1',
        endpoint: 'http://127.0.0.1:9',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      }),
    });
    await expect(resolver.resolve(ref(jsonName, 'password'))).rejects.toMatchObject({
      name: 'AdapterError',
      retryable: true,
    });
  });
});
