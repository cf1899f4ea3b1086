import { describe, expect, it } from 'vitest';
import { buildAdminOptions } from '../../../lib/adapters/kafka/connection.ts';
import { createKafkaProvider } from '../../../lib/adapters/kafka/kafka-provider.ts';
import { AdapterError } from '../../../lib/errors.ts';
import { keys } from '../../../lib/model/keys.ts';
import { testKafkaConnection } from '../../../scripts/services/kafka-broker.ts';
import { createTopicChange } from '../../../scripts/services/kafka-changes.ts';
import { envSecretResolver, uniquePrefix } from '../../support/kafka.ts';

describe('buildAdminOptions', () => {
  it('resolves the sasl password and a tls ca from secret references', async () => {
    // Prepare
    const secrets = envSecretResolver({ IT_CA_PEM: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' });
    const connection = testKafkaConnection({
      tls: {
        enabled: true,
        ca: { secretRef: { provider: 'env', name: 'IT_CA_PEM' } },
        rejectUnauthorized: false,
        serverName: 'kafka.internal',
      },
    });

    // Act
    const options = await buildAdminOptions(connection, secrets);

    // Assess
    expect(options.sasl).toMatchObject({ mechanism: 'SCRAM-SHA-512', username: 'admin' });
    expect(typeof options.sasl?.password).toBe('string');
    expect(options.tls).toEqual({
      ca: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
      rejectUnauthorized: false,
      servername: 'kafka.internal',
    });
    expect(options.tlsServerName).toBe('kafka.internal');
  });

  it('leaves tls off when it is disabled and fails naming the reference when a secret is missing', async () => {
    // Prepare
    const secrets = envSecretResolver();
    const plain = testKafkaConnection({ tls: { enabled: false, rejectUnauthorized: true } });
    const broken = testKafkaConnection({
      sasl: {
        mechanism: 'scram-sha-256',
        username: 'svc',
        password: { secretRef: { provider: 'env', name: 'IT_MISSING_KAFKA_PASSWORD' } },
      },
    });

    // Act
    const options = await buildAdminOptions(plain, secrets);
    const failure = await buildAdminOptions(broken, secrets).catch((error: unknown) => error);

    // Assess
    expect(options.tls).toBeUndefined();
    expect(failure).toBeInstanceOf(AdapterError);
    expect((failure as Error).message).toBe(
      'resolving the kafka sasl password: secret "env/IT_MISSING_KAFKA_PASSWORD" is not set',
    );
  });
});

describe('KafkaProvider faults', () => {
  it('throws a retryable AdapterError when the broker is unreachable', async () => {
    // Prepare
    const kafka = await createKafkaProvider(
      testKafkaConnection({ bootstrapServers: ['127.0.0.1:1'], requestTimeoutMs: 2000 }),
      envSecretResolver(),
    );

    // Act
    const observeError = await kafka.observe([]).catch((error: unknown) => error);
    const applyError = await kafka
      .apply([createTopicChange(`${uniquePrefix()}never`, { partitions: 1, replicationFactor: 1 })], {
        secrets: envSecretResolver(),
      })
      .catch((error: unknown) => error);
    await kafka.close();

    // Assess
    for (const error of [observeError, applyError]) {
      expect(error).toBeInstanceOf(AdapterError);
      expect((error as AdapterError).retryable).toBe(true);
      expect((error as AdapterError).message).toMatch(/127\.0\.0\.1:1/);
      expect((error as AdapterError).cause).toBeDefined();
    }
  });

  it('throws a non-retryable AdapterError without the password when authentication fails', async () => {
    // Prepare
    const wrong = 'definitely-not-the-password';
    const kafkaWrong = await createKafkaProvider(
      testKafkaConnection({
        sasl: {
          mechanism: 'scram-sha-512',
          username: 'admin',
          password: { secretRef: { provider: 'env', name: 'IT_WRONG_PASSWORD' } },
        },
      }),
      envSecretResolver({ IT_WRONG_PASSWORD: wrong }),
    );

    // Act
    const error = await kafkaWrong.observeKeys([keys.topic('x')]).catch((e: unknown) => e);
    await kafkaWrong.close();

    // Assess
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).retryable).toBe(false);
    expect((error as AdapterError).message).not.toContain(wrong);
    // The bootstrap address the scripts chose (KAFKA_PORT can move it) and the mechanism, named first, then the reason.
    const bootstrap = process.env.KAFKA_BOOTSTRAP ?? '127.0.0.1:9092';
    expect((error as AdapterError).message).toMatch(
      new RegExp(
        `^connecting to kafka at "${bootstrap.replaceAll('.', '\\.')}" with SASL/SCRAM-SHA-512 as "admin": .*auth`,
        'i',
      ),
    );
  });
});
