import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlatformSecrets } from '../../../functions/shared/platform-secrets.ts';
import { ReconcilerError } from '../../../lib/errors.ts';
import type { SecretRef } from '../../../lib/model/common.ts';
import { makePlan } from '../../../lib/use-cases/plan.ts';
import { loadEnvironmentConfig } from '../../../lib/use-cases/plan-commit.ts';
import { createProviders } from '../../../lib/wiring/providers.ts';
import { topicDocument } from '../../support/builders.ts';
import { freePort } from '../../support/net.ts';
import { registerTestSecret } from '../../support/scan/suite-secrets.ts';
import { makeDeps, REPO } from '../use-cases/support.ts';

/**
 * Issue 14, contract 2: an environment's config may reference only `<prefix><environment>/…` in Secrets
 * Manager. The refusal comes before any AWS call: STS and Secrets Manager point at a server that records
 * every request it gets, and it must get none.
 */
const requests: string[] = [];
let aws: Server;
let endpoint: string;

beforeAll(async () => {
  aws = createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${String(req.headers['x-amz-target'] ?? '')}`);
    res.writeHead(500).end();
  });
  const port = await freePort();
  await new Promise<void>((resolve) => aws.listen(port, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${port}`;
});

afterAll(() => aws?.close());

const VARIABLE_VALUE = registerTestSecret('PLATFORM_SECRETS_ENV_VALUE', `env-value-${process.pid}-7c1d`);
const OWN_KEY = registerTestSecret('PLATFORM_SECRETS_OWN_KEY', `own-key-${process.pid}-52ab`);

function platformSecrets(): PlatformSecrets {
  const config = { region: 'us-east-1', endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  return new PlatformSecrets({
    prefix: 'landscape/',
    roleArn: 'arn:aws:iam::123456789012:role/landscape-SecretsReader',
    clients: { clientConfig: { ...config, maxAttempts: 1 }, stsClientConfig: { ...config, maxAttempts: 1 } },
    env: { LANDSCAPE_SECRET_SLACK: VARIABLE_VALUE, AWS_SECRET_ACCESS_KEY: OWN_KEY },
  });
}

const sm = (name: string): SecretRef => ({ secretRef: { provider: 'aws-secretsmanager', name, key: 'password' } });

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReconcilerError);
  expect(error).toMatchObject({ code: 'SecretUnavailable' });
  return (error as Error).message;
}

describe('PlatformSecrets: platform secrets per environment', () => {
  it("refuses another environment's secret, naming the reference, the environment and the allowed prefix", async () => {
    requests.length = 0;
    const staging = platformSecrets().forEnvironment('staging');

    const message = await refusal(staging.resolve(sm('landscape/prod/kafka-admin')));

    expect(message).toBe(
      'secret "aws-secretsmanager/landscape/prod/kafka-admin#password": the config of environment "staging" may only reference secrets named "landscape/staging/…"',
    );
    expect(requests).toEqual([]);
  });

  it('refuses names outside the prefix, and look-alikes of the environment prefix', async () => {
    requests.length = 0;
    const prod = platformSecrets().forEnvironment('prod');
    for (const name of ['github/token', 'landscape/production/x', 'landscape/prod', 'landscape/prod-eu/x']) {
      expect(await refusal(prod.resolve(sm(name)))).toContain('may only reference secrets named "landscape/prod/…"');
    }
    expect(requests).toEqual([]);
  });

  it('reads no platform secret outside an environment, and keeps env and file references limited', async () => {
    requests.length = 0;
    const secrets = platformSecrets();
    expect(await refusal(secrets.resolve(sm('landscape/prod/kafka-admin')))).toContain('names no environment');
    const env = (name: string): SecretRef => ({ secretRef: { provider: 'env', name } });
    expect(await secrets.forEnvironment('prod').resolve(env('LANDSCAPE_SECRET_SLACK'))).toBe(VARIABLE_VALUE);
    expect(await refusal(secrets.forEnvironment('prod').resolve(env('AWS_SECRET_ACCESS_KEY')))).toContain(
      'LANDSCAPE_SECRET_',
    );
    const file: SecretRef = { secretRef: { provider: 'file', name: '/proc/self/environ' } };
    expect(await refusal(secrets.forEnvironment('prod').resolve(file))).toContain('file references are not read');
    expect(requests).toEqual([]);
  });

  it('gives each environment one resolver for the life of the function', () => {
    const secrets = platformSecrets();
    expect(secrets.forEnvironment('prod')).toBe(secrets.forEnvironment('prod'));
    expect(secrets.forEnvironment('prod')).not.toBe(secrets.forEnvironment('staging'));
  });

  it('refuses a connection secret of another environment at plan time, before any connection or AWS call', async () => {
    // Prepare: staging's Kafka connection names production's admin password.
    requests.length = 0;
    const spec = {
      kafka: {
        bootstrapServers: ['127.0.0.1:1'],
        sasl: { mechanism: 'scram-sha-512', username: 'admin', password: sm('landscape/prod/kafka-admin') },
      },
    };

    // Act: the providers are built for a plan of staging.
    const error = await createProviders('staging', spec as never, platformSecrets()).catch((e: unknown) => e);

    // Assess
    expect(String((error as Error).message)).toContain(
      'the config of environment "staging" may only reference secrets named "landscape/staging/…"',
    );
    expect(requests).toEqual([]);
  });

  it("refuses a plan whose config names another environment's secret, before any provider is opened", async () => {
    // Prepare: staging's config names production's password; providers would not even read it.
    requests.length = 0;
    let opened = 0;
    const fixture = makeDeps({
      secrets: platformSecrets(),
      createProviders: async () => {
        opened++;
        return [];
      },
    });
    const sha = fixture.git.commit({
      'env.yaml': [
        'apiVersion: landscape.dev/v1',
        'kind: Environment',
        'metadata: { name: staging }',
        'spec:',
        '  branch: main',
        '  kafka:',
        '    bootstrapServers: ["127.0.0.1:9092"]',
        '    sasl: { mechanism: scram-sha-512, username: admin, password: { secretRef: { provider: aws-secretsmanager, name: landscape/prod/kafka-admin, key: password } } }',
        '',
      ].join('\n'),
      'topics.yaml': topicDocument('t.one'),
    });
    const loaded = await loadEnvironmentConfig(fixture.deps, await fixture.deps.git.checkout(REPO, sha), 'staging');
    if (!loaded.config) throw new Error('config did not load');

    // Act
    const plan = makePlan(fixture.deps, {
      environment: 'staging',
      config: loaded.config,
      source: { repo: REPO, commit: sha },
    });

    // Assess
    expect(await refusal(plan)).toContain('the config of environment "staging" may only reference secrets named');
    expect(opened).toBe(0);
    expect(requests).toEqual([]);
  });
});
