import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MskIamTokenSource, mskIamRegion } from '../../../../lib/adapters/kafka/auth/msk-iam.ts';
import { buildAdminOptions, describeKafkaAuth } from '../../../../lib/adapters/kafka/connection.ts';
import { AdapterError } from '../../../../lib/errors.ts';
import { type KafkaConnection, KafkaConnectionSchema } from '../../../../lib/model/connections/kafka.ts';
import { envSecretResolver } from '../../../support/kafka.ts';

const connection = (extra: Record<string, unknown>): KafkaConnection =>
  KafkaConnectionSchema.parse({ bootstrapServers: ['127.0.0.1:9094'], ...extra });
const ref = (name: string) => ({ secretRef: { provider: 'env', name } });

describe('describeKafkaAuth', () => {
  it('names the mechanism (and never a secret)', () => {
    expect(describeKafkaAuth(connection({}))).toBe('no authentication');
    expect(
      describeKafkaAuth(connection({ sasl: { mechanism: 'scram-sha-512', username: 'admin', password: ref('P') } })),
    ).toBe('SASL/SCRAM-SHA-512 as "admin"');
    expect(
      describeKafkaAuth(
        connection({
          sasl: {
            mechanism: 'oauthbearer',
            tokenEndpoint: 'https://idp.example/token',
            clientId: 'c',
            clientSecret: ref('S'),
          },
        }),
      ),
    ).toBe('SASL/OAUTHBEARER (token endpoint https://idp.example/token)');
    expect(describeKafkaAuth(connection({ sasl: { mechanism: 'aws-msk-iam' } }))).toBe(
      'AWS MSK IAM (SASL/OAUTHBEARER)',
    );
    expect(describeKafkaAuth(connection({ tls: { clientCertificate: ref('C'), clientKey: ref('K') } }))).toBe(
      'mutual TLS',
    );
  });
});

describe('buildAdminOptions', () => {
  it('hands OAUTHBEARER a token provider and the SASL extensions; the client secret stays out of the options', async () => {
    const options = await buildAdminOptions(
      connection({
        sasl: {
          mechanism: 'oauthbearer',
          tokenEndpoint: 'http://127.0.0.1:1/token',
          clientId: 'c',
          clientSecret: ref('UNIT_OAUTH_SECRET'),
          extensions: { logicalCluster: 'lkc-1' },
        },
      }),
      envSecretResolver({ UNIT_OAUTH_SECRET: 'unit-oauth-secret-4f1a' }),
    );

    expect(options.sasl?.mechanism).toBe('OAUTHBEARER');
    expect(typeof options.sasl?.token).toBe('function');
    expect(options.sasl?.oauthBearerExtensions).toEqual({ logicalCluster: 'lkc-1' });
    expect(JSON.stringify(options)).not.toContain('unit-oauth-secret-4f1a');
  });

  it('treats an RFC 7628 error status in the first answer as a refusal', async () => {
    const options = await buildAdminOptions(
      connection({ sasl: { mechanism: 'aws-msk-iam', region: 'eu-west-1' } }),
      envSecretResolver(),
    );
    const validate = options.sasl?.authBytesValidator;
    const outcome = (bytes: string) =>
      new Promise<string>((resolve) =>
        validate?.(Buffer.from(bytes), (error) => resolve(error ? error.message : 'accepted')),
      );

    expect(await outcome('{"status":"invalid_token"}')).toBe(
      'the broker refused the OAUTHBEARER token (invalid_token)',
    );
    expect(await outcome('')).toBe('accepted');
  });

  it('refuses aws-msk-iam without any region before connecting', async () => {
    const saved = { r: process.env.AWS_REGION, d: process.env.AWS_DEFAULT_REGION };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      await expect(
        buildAdminOptions(connection({ sasl: { mechanism: 'aws-msk-iam' } }), envSecretResolver()),
      ).rejects.toThrow(/no AWS region: set spec\.kafka\.sasl\.region/);
    } finally {
      if (saved.r !== undefined) process.env.AWS_REGION = saved.r;
      if (saved.d !== undefined) process.env.AWS_DEFAULT_REGION = saved.d;
    }
  });
});

describe('mskIamRegion', () => {
  const sasl = { mechanism: 'aws-msk-iam' as const };
  const msk = ['b-1.orders.abc123.c2.kafka.eu-central-1.amazonaws.com:9098'];

  it('prefers the Environment, then AWS_REGION / AWS_DEFAULT_REGION, then the MSK broker host name', () => {
    expect(mskIamRegion({ ...sasl, region: 'eu-west-1' }, msk, { AWS_REGION: 'us-east-1' })).toBe('eu-west-1');
    expect(mskIamRegion(sasl, msk, { AWS_REGION: 'us-east-1' })).toBe('us-east-1');
    expect(mskIamRegion(sasl, msk, { AWS_DEFAULT_REGION: 'us-east-2' })).toBe('us-east-2');
    expect(mskIamRegion(sasl, msk, {})).toBe('eu-central-1');
    expect(mskIamRegion(sasl, ['boot-abcd.c2.kafka-serverless.ap-southeast-2.amazonaws.com:9098'], {})).toBe(
      'ap-southeast-2',
    );
    expect(mskIamRegion(sasl, ['127.0.0.1:9098'], {})).toBeUndefined();
  });
});

describe('MskIamTokenSource', () => {
  const credentials = async () => ({
    accessKeyId: 'AKIAUNITTEST00000000',
    secretAccessKey: 'unit-aws-secret-key-7c2d',
  });

  it("signs the signer library's token for kafka.<region>.amazonaws.com and reuses it until 80% of its life", async () => {
    let now = Date.now();
    let signings = 0;
    const counted = () => {
      signings++;
      return credentials();
    };
    const source = new MskIamTokenSource({ region: 'eu-west-1', credentials: counted, now: () => now });

    const first = await source.token();
    now += 700_000;
    const cached = await source.token();
    now += 30_000;
    const renewed = await source.token();

    const url = new URL(Buffer.from(first, 'base64url').toString('utf8'));
    expect(url.host).toBe('kafka.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('kafka-cluster:Connect');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(
      /^AKIAUNITTEST00000000\/\d{8}\/eu-west-1\/kafka-cluster\/aws4_request$/,
    );
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(first).not.toContain('unit-aws-secret-key-7c2d');
    expect(cached).toBe(first);
    expect(renewed).toBeTruthy();
    // first, then none while cached, then one more once 80% of the 900 s had passed
    expect(signings).toBe(2);
  });

  it('names the region, not a key, when credentials cannot be had', async () => {
    const source = new MskIamTokenSource({
      region: 'eu-west-1',
      credentials: async () => {
        throw new Error('Could not load credentials from any providers');
      },
    });

    const error = await source.token().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AdapterError);
    expect((error as Error).message).toBe(
      'signing an MSK IAM token for region eu-west-1: Could not load credentials from any providers',
    );
  });
});

describe('mutual TLS options', () => {
  let dir: string;
  const pem = (name: string) => readFileSync(join(dir, name), 'utf8');

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'landscape-mtls-unit-'));
    for (const name of ['a', 'b']) {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-days',
          '2',
          '-subj',
          `/CN=${name}`,
          '-keyout',
          join(dir, `${name}.key`),
          '-out',
          join(dir, `${name}.crt`),
        ],
        { stdio: 'ignore' },
      );
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const mtls = (extra: Record<string, unknown> = {}) =>
    connection({ tls: { clientCertificate: ref('U_CERT'), clientKey: ref('U_KEY'), ...extra } });

  it('passes certificate and key to the client', async () => {
    const options = await buildAdminOptions(mtls(), envSecretResolver({ U_CERT: pem('a.crt'), U_KEY: pem('a.key') }));

    expect(options.tls?.cert).toBe(pem('a.crt'));
    expect(options.tls?.key).toBe(pem('a.key'));
  });

  it('refuses a key of another certificate, a malformed certificate and an encrypted key without passphrase, naming field and secret', async () => {
    const wrongKey = buildAdminOptions(mtls(), envSecretResolver({ U_CERT: pem('a.crt'), U_KEY: pem('b.key') }));
    const badCert = buildAdminOptions(
      mtls(),
      envSecretResolver({
        U_CERT: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
        U_KEY: pem('a.key'),
      }),
    );
    const encrypted = execFileSync('openssl', [
      'pkey',
      '-in',
      join(dir, 'a.key'),
      '-aes256',
      '-passout',
      'pass:unit-pass-91e3',
    ]).toString('utf8');
    const noPassphrase = buildAdminOptions(mtls(), envSecretResolver({ U_CERT: pem('a.crt'), U_KEY: encrypted }));
    const withPassphrase = buildAdminOptions(
      mtls({ clientKeyPassphrase: ref('U_PASS') }),
      envSecretResolver({ U_CERT: pem('a.crt'), U_KEY: encrypted, U_PASS: 'unit-pass-91e3' }),
    );

    await expect(wrongKey).rejects.toThrow(
      'kafka mutual TLS: the key in spec.kafka.tls.clientKey (secret env/U_KEY) does not belong to the certificate in spec.kafka.tls.clientCertificate (secret env/U_CERT) (subject CN=a)',
    );
    await expect(badCert).rejects.toThrow(
      /^spec\.kafka\.tls\.clientCertificate \(secret env\/U_CERT\) is not a valid PEM certificate/,
    );
    await expect(noPassphrase).rejects.toThrow(
      'spec.kafka.tls.clientKey (secret env/U_KEY) is encrypted: set spec.kafka.tls.clientKeyPassphrase',
    );
    expect((await withPassphrase).tls?.passphrase).toBe('unit-pass-91e3');
  });
});
