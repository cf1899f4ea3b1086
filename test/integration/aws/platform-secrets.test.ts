import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlatformSecrets } from '../../../functions/shared/platform-secrets.ts';
import type { SecretRef } from '../../../lib/model/common.ts';
import { clients, ensureAwsServices, MOTO_ENDPOINT } from '../../support/aws.ts';
import { freePort } from '../../support/net.ts';
import { registerTestSecret } from '../../support/scan/suite-secrets.ts';
import { uniqueName } from '../../support/unique-name.ts';

/**
 * Issue 14, contract 2, against moto: with SECRETS_READER_ROLE_ARN set, an environment's secrets are read with
 * credentials from assuming that role with the session tag `landscape-environment=<environment>`. A recording
 * proxy in front of moto sees every request: the AssumeRole with the tag, then the GetSecretValue signed with
 * the access key AssumeRole returned (not the function's own).
 */
const ROLE_ARN = 'arn:aws:iam::123456789012:role/landscape-SecretsReader';
const environment = uniqueName('staging');
const secretName = `landscape/${environment}/kafka-admin`;
const password = registerTestSecret('PLATFORM_SECRETS_MOTO_PASSWORD', `pw-${randomBytes(12).toString('hex')}`);

interface Seen {
  target: string;
  body: string;
  authorization: string;
  response: string;
}
const seen: Seen[] = [];
let proxy: Server;
let proxyEndpoint: string;

beforeAll(async () => {
  await ensureAwsServices();
  await clients
    .secrets()
    .send(new CreateSecretCommand({ Name: secretName, SecretString: JSON.stringify({ password }) }));
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const headers = Object.fromEntries(
        Object.entries(req.headers).flatMap(([k, v]) => (typeof v === 'string' && k !== 'host' ? [[k, v]] : [])),
      );
      const upstream = await fetch(`${MOTO_ENDPOINT}${req.url}`, {
        method: req.method ?? 'POST',
        headers,
        ...(body.length > 0 ? { body } : {}),
      });
      const text = await upstream.text();
      seen.push({
        target: String(req.headers['x-amz-target'] ?? new URLSearchParams(body.toString()).get('Action') ?? ''),
        body: body.toString(),
        authorization: String(req.headers.authorization ?? ''),
        response: text,
      });
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'text/plain' });
      res.end(text);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
  proxyEndpoint = `http://127.0.0.1:${port}`;
});

afterAll(() => proxy?.close());

const ref = (name: string): SecretRef => ({ secretRef: { provider: 'aws-secretsmanager', name, key: 'password' } });

describe('PlatformSecrets through the SecretsReader role (moto)', () => {
  it('assumes the role tagged with the environment, and reads the secret with those credentials', async () => {
    // Prepare: the function's own credentials are "test"; both clients go through the proxy.
    const config = {
      region: 'us-east-1',
      endpoint: proxyEndpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
    const secrets = new PlatformSecrets({
      prefix: 'landscape/',
      roleArn: ROLE_ARN,
      clients: { clientConfig: config, stsClientConfig: config },
    });

    // Act: two reads of the environment (the role is assumed once; credentials are cached by the SDK).
    const scoped = secrets.forEnvironment(environment);
    const value = await scoped.resolve(ref(secretName));
    await secrets.forEnvironment(environment).resolve(ref(secretName));

    // Assess: the secret resolves; AssumeRole carried the role and the session tag.
    expect(value).toBe(password);
    const assume = seen.filter((s) => s.target === 'AssumeRole');
    expect(assume).toHaveLength(1);
    const params = new URLSearchParams(assume[0]?.body);
    expect(params.get('RoleArn')).toBe(ROLE_ARN);
    expect(params.get('Tags.member.1.Key')).toBe('landscape-environment');
    expect(params.get('Tags.member.1.Value')).toBe(environment);
    expect(params.get('RoleSessionName')).toBe(`landscape-${environment}`);
    // The reads are signed with the temporary key AssumeRole handed out, never with the function's own.
    const temporaryKey = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(assume[0]?.response ?? '')?.[1];
    expect(temporaryKey).toMatch(/^ASIA/);
    const reads = seen.filter((s) => s.target === 'secretsmanager.GetSecretValue');
    expect(reads.length).toBeGreaterThanOrEqual(1);
    for (const read of reads) expect(read.authorization).toContain(`Credential=${temporaryKey}/`);
  });

  it('without a role, reads with the function credentials, still only under the environment prefix', async () => {
    const secrets = new PlatformSecrets({
      prefix: 'landscape/',
      clients: {
        clientConfig: {
          region: 'us-east-1',
          endpoint: MOTO_ENDPOINT,
          credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        },
      },
    });
    expect(await secrets.forEnvironment(environment).resolve(ref(secretName))).toBe(password);
    await expect(secrets.forEnvironment('other').resolve(ref(secretName))).rejects.toMatchObject({
      code: 'SecretUnavailable',
    });
  });
});
