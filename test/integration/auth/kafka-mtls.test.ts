import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupPrefix } from '../../../scripts/services/kafka-broker.ts';
import { uniquePrefix } from '../../support/kafka.ts';
import {
  env,
  kafkaAuthUp,
  kafkaTopicsList,
  listedTopics,
  notUpReason,
  topicVisibleOnlyTo,
  Workdir,
} from './support.ts';

const TLS_REFUSED = /Failed to process post-handshake messages|SSL handshake failed|SslAuthenticationException/;

/**
 * The broker's MTLS listener (scripts/services/auth.sh, kafka.sh KAFKA_AUTH_LISTENERS=1): TLS with
 * ssl.client.auth=required and the principal mapped from the certificate subject. Proved with Kafka's own CLI.
 */
describe.skipIf(!kafkaAuthUp)(
  `Kafka mTLS listener${kafkaAuthUp ? '' : ` (${notUpReason})`}`,
  { timeout: 120_000 },
  () => {
    const prefix = uniquePrefix('it-auth-mtls');
    const topic = `${prefix}visible`;
    const work = new Workdir();
    const tls = (keystore?: string): Record<string, string> => ({
      'security.protocol': 'SSL',
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': env('AUTH_CA_FILE'),
      ...(keystore ? { 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': keystore } : {}),
    });

    beforeAll(async () => {
      await topicVisibleOnlyTo(topic, env('KAFKA_MTLS_PRINCIPAL'));
    });
    afterAll(async () => {
      work.dispose();
      await cleanupPrefix(prefix);
    });

    it('authenticates a client certificate from the trusted CA as the mapped principal User:CN=<cn>', async () => {
      const result = await kafkaTopicsList(work, env('KAFKA_MTLS_BOOTSTRAP'), tls(env('KAFKA_MTLS_KEYSTORE_PEM')));

      expect(result.code, result.output).toBe(0);
      // the ACL names only User:CN=landscape-client: seeing the topic proves that principal
      expect(listedTopics(result)).toContain(topic);
    });

    it('refuses a client that presents no certificate', async () => {
      const result = await kafkaTopicsList(work, env('KAFKA_MTLS_BOOTSTRAP'), tls());

      expect(result.code).not.toBe(0);
      // TLS 1.3: the broker's refusal reaches the client after its side of the handshake
      expect(result.output).toMatch(TLS_REFUSED);
    });

    it('refuses a certificate with the same subject signed by another CA', async () => {
      const result = await kafkaTopicsList(
        work,
        env('KAFKA_MTLS_BOOTSTRAP'),
        tls(env('KAFKA_MTLS_OTHER_CA_KEYSTORE_PEM')),
      );

      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(TLS_REFUSED);
    });
  },
);
