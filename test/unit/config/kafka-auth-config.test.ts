import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../lib/config/load-config.ts';
import { formatProblem } from '../../../lib/errors.ts';
import { configDir } from '../../support/builders.ts';

async function problemsOf(kafka: string): Promise<string[]> {
  const dir = await configDir({
    'env.yaml': [
      'apiVersion: landscape.dev/v1',
      'kind: Environment',
      'metadata: { name: test }',
      'spec:',
      '  kafka:',
      '    bootstrapServers: ["127.0.0.1:9094"]',
      ...kafka.split('\n').map((l) => `    ${l}`),
      '  requireApprovalFor: none',
      '',
    ].join('\n'),
  });
  return (await validateConfig(dir)).map((p) => formatProblem(p).replaceAll(`${dir}/`, ''));
}

const KEY = 'clientKey: { secretRef: { provider: env, name: KAFKA_KEY } }';
const CERT = 'clientCertificate: { secretRef: { provider: env, name: KAFKA_CERT } }';

describe('Kafka authentication settings in an Environment', () => {
  it('accepts a client certificate and key as secret references', async () => {
    expect(await problemsOf(`tls:\n  ${CERT}\n  ${KEY}`)).toEqual([]);
  });

  it('refuses a client certificate without a key, naming file, line and field', async () => {
    const problems = await problemsOf(`tls:\n  ${CERT}`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^env\.yaml:8:\d+: .*spec\.kafka\.tls\.clientCertificate: a client certificate needs `clientKey`/,
    );
  });

  it('refuses a key (or passphrase) without a certificate', async () => {
    const problems = await problemsOf(
      `tls:\n  ${KEY}\n  clientKeyPassphrase: { secretRef: { provider: env, name: P } }`,
    );
    expect(problems).toEqual([
      expect.stringMatching(/^env\.yaml:8:\d+: .*spec\.kafka\.tls\.clientKey: a client key needs/),
    ]);
  });

  it('refuses malformed inline PEM, naming the line of the field', async () => {
    const problems = await problemsOf(
      `tls:\n  ca: "-----BEGIN CERTIFICATE-----\\nnot*base64\\n-----END CERTIFICATE-----"\n  clientCertificate: "MIIB..."\n  ${KEY}`,
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^env\.yaml:8:\d+: .*spec\.kafka\.tls\.ca: malformed PEM: the certificate body is not base64/,
      ),
      expect.stringMatching(
        /^env\.yaml:9:\d+: .*spec\.kafka\.tls\.clientCertificate: not PEM: no "-----BEGIN CERTIFICATE-----" block/,
      ),
    ]);
  });

  it('refuses a private key pasted where the certificate goes', async () => {
    const problems = await problemsOf(
      `tls:\n  clientCertificate: "-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----"\n  ${KEY}`,
    );
    expect(problems).toEqual([expect.stringContaining('a private key belongs in `clientKey`')]);
  });

  it('refuses an unknown SASL mechanism and an OAuth setting without a token endpoint', async () => {
    const problems = await problemsOf(
      'sasl: { mechanism: kerberos, username: u, password: { secretRef: { provider: env, name: P } } }',
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^env\.yaml:7:\d+: .*spec\.kafka\.sasl\.mechanism/);
    const oauth = await problemsOf(
      'sasl: { mechanism: oauthbearer, clientId: c, clientSecret: { secretRef: { provider: env, name: S } } }',
    );
    expect(oauth).toEqual([expect.stringMatching(/^env\.yaml:7:\d+: .*spec\.kafka\.sasl\.tokenEndpoint/)]);
  });
});
