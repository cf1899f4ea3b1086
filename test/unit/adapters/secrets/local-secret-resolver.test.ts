import { describe, expect, it } from 'vitest';
import { LocalSecretResolver } from '../../../../lib/adapters/secrets/env-secret-resolver.ts';
import { ReconcilerError } from '../../../../lib/errors.ts';
import type { SecretRef } from '../../../../lib/model/common.ts';
import { configDir } from '../../../support/builders.ts';
import { SUITE_SECRETS } from '../../../support/scan/suite-secrets.ts';

const VALUE = SUITE_SECRETS.FILE_PROVIDER_SECRET as string;
const ref = (provider: 'env' | 'file' | 'aws-secretsmanager', name: string, key?: string): SecretRef => ({
  secretRef: { provider, name, ...(key ? { key } : {}) },
});

async function failure(promise: Promise<unknown>): Promise<ReconcilerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReconcilerError);
  return error as ReconcilerError;
}

describe('LocalSecretResolver (env and file providers)', () => {
  it('reads whole files, JSON keys and KEY=value lines relative to the config directory, and absolute paths', async () => {
    // Prepare: secret files live in secret-sources/, which the suite-wide secret scan does not read.
    const dir = await configDir({
      'secret-sources/plain.txt': `${VALUE}\n`,
      'secret-sources/db.json': JSON.stringify({ user: 'app', password: VALUE }),
      'secret-sources/db.env': `USER=app\nPASSWORD = ${VALUE}\n`,
    });
    const secrets = new LocalSecretResolver({ baseDir: dir, env: {} });

    // Act
    const values = await Promise.all([
      secrets.resolve(ref('file', 'secret-sources/plain.txt')),
      secrets.resolve(ref('file', 'secret-sources/db.json', 'password')),
      secrets.resolve(ref('file', 'secret-sources/db.env', 'PASSWORD')),
      secrets.resolve(ref('file', `${dir}/secret-sources/db.json`, 'user')),
    ]);

    // Assess
    expect(values).toEqual([VALUE, VALUE, VALUE, 'app']);
  });

  it('reads env references, and picks a key from a JSON value', async () => {
    const secrets = new LocalSecretResolver({ env: { DB: JSON.stringify({ password: VALUE }), PLAIN: VALUE } });
    expect(await secrets.resolve(ref('env', 'PLAIN'))).toBe(VALUE);
    expect(await secrets.resolve(ref('env', 'DB', 'password'))).toBe(VALUE);
  });

  it('names the reference, never the value, when a secret is missing, unreadable or has no such key', async () => {
    // Prepare
    const dir = await configDir({ 'secret-sources/db.json': JSON.stringify({ password: VALUE }) });
    const secrets = new LocalSecretResolver({ baseDir: dir, env: { DB: JSON.stringify({ password: VALUE }) } });

    // Act
    const errors = await Promise.all([
      failure(secrets.resolve(ref('env', 'NOT_SET'))),
      failure(secrets.resolve(ref('file', 'secret-sources/missing.txt'))),
      failure(secrets.resolve(ref('file', 'secret-sources/db.json', 'token'))),
      failure(secrets.resolve(ref('env', 'DB', 'token'))),
      failure(secrets.resolve(ref('aws-secretsmanager', 'landscape/prod/db'))),
    ]);

    // Assess
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      ['SecretUnavailable', 'secret "env/NOT_SET": environment variable "NOT_SET" is not set'],
      ['SecretUnavailable', 'secret "file/secret-sources/missing.txt": file cannot be read'],
      ['SecretUnavailable', 'secret "file/secret-sources/db.json#token" has no key "token"'],
      ['SecretUnavailable', 'secret "env/DB#token" has no key "token"'],
      [
        'SecretUnavailable',
        'secret "aws-secretsmanager/landscape/prod/db": provider "aws-secretsmanager" is not configured here',
      ],
    ]);
    expect(JSON.stringify(errors.map((e) => [e.message, String(e.cause ?? '')]))).not.toContain(VALUE);
  });

  it('delegates other providers to the fallback (Secrets Manager in the functions)', async () => {
    const seen: string[] = [];
    const secrets = new LocalSecretResolver({
      env: {},
      fallback: {
        resolve: async (r) => {
          seen.push(`${r.secretRef.provider}/${r.secretRef.name}`);
          return VALUE;
        },
      },
    });
    expect(await secrets.resolve(ref('aws-secretsmanager', 'landscape/prod/db'))).toBe(VALUE);
    expect(seen).toEqual(['aws-secretsmanager/landscape/prod/db']);
  });

  it('in the functions: env references only to LANDSCAPE_SECRET_*, Secrets Manager only under the platform prefix, no files', async () => {
    const asked: string[] = [];
    const secrets = new LocalSecretResolver({
      env: { LANDSCAPE_SECRET_DB: VALUE, AWS_SECRET_ACCESS_KEY: VALUE },
      envPrefix: 'LANDSCAPE_SECRET_',
      files: false,
      fallbackNamePrefix: 'landscape/',
      fallback: {
        resolve: async (r) => {
          asked.push(r.secretRef.name);
          return VALUE;
        },
      },
    });
    expect(await secrets.resolve(ref('env', 'LANDSCAPE_SECRET_DB'))).toBe(VALUE);
    expect(await secrets.resolve(ref('aws-secretsmanager', 'landscape/prod/kafka'))).toBe(VALUE);
    const refused = await Promise.all([
      failure(secrets.resolve(ref('env', 'AWS_SECRET_ACCESS_KEY'))),
      failure(secrets.resolve(ref('file', '/proc/self/environ'))),
      failure(secrets.resolve(ref('aws-secretsmanager', 'arn:aws:secretsmanager:eu-west-1:1:secret:GitHubToken'))),
    ]);
    expect(refused.map((e) => e.message)).toEqual([
      'secret "env/AWS_SECRET_ACCESS_KEY": here, env references may only name variables starting with "LANDSCAPE_SECRET_" (rename it, or use aws-secretsmanager)',
      'secret "file//proc/self/environ": file references are not read here (use aws-secretsmanager)',
      'secret "aws-secretsmanager/arn:aws:secretsmanager:eu-west-1:1:secret:GitHubToken": here, configs may only reference secrets named "landscape/…"',
    ]);
    expect(asked).toEqual(['landscape/prod/kafka']);
  });
});
