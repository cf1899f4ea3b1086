import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupPrefix } from '../../../scripts/services/kafka-broker.ts';
import { uniquePrefix } from '../../support/kafka.ts';
import {
  env,
  type KafkaCliOptions,
  kafkaAuthUp,
  kafkaTopicsList,
  listedTopics,
  notUpReason,
  topicVisibleOnlyTo,
  Workdir,
} from './support.ts';

/**
 * The broker's IAM listener: SASL_SSL with mechanism AWS_MSK_IAM, whose server side (scripts/services/auth/msk-iam)
 * recomputes the SigV4 signature of the client's payload. Proved with AWS's own aws-msk-iam-auth library in
 * Kafka's CLI, credentials from the environment as in a real deployment.
 */
describe.skipIf(!kafkaAuthUp)(
  `Kafka MSK IAM listener${kafkaAuthUp ? '' : ` (${notUpReason})`}`,
  { timeout: 120_000 },
  () => {
    const prefix = uniquePrefix('it-auth-iam');
    const topic = `${prefix}visible`;
    const sessionTopic = `${prefix}session`;
    const work = new Workdir();
    const iamClient = {
      'security.protocol': 'SASL_SSL',
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': env('AUTH_CA_FILE'),
      'sasl.mechanism': 'AWS_MSK_IAM',
      'sasl.jaas.config': 'software.amazon.msk.auth.iam.IAMLoginModule required;',
      'sasl.client.callback.handler.class': 'software.amazon.msk.auth.iam.IAMClientCallbackHandler',
    };
    const listWith = (credentials: Record<string, string>, options: KafkaCliOptions = {}) =>
      kafkaTopicsList(work, env('KAFKA_IAM_BOOTSTRAP'), iamClient, {
        classpath: [env('MSK_IAM_CLIENT_LIB_DIR')],
        vars: { AWS_REGION: env('MSK_IAM_REGION'), ...credentials },
        ...options,
      });
    /** The same client, but one field of its signed payload replaced before sending (auth/msk-iam-tamper). */
    const listTampered = (field: string, value: string) =>
      kafkaTopicsList(
        work,
        env('KAFKA_IAM_BOOTSTRAP'),
        {
          ...iamClient,
          'sasl.jaas.config': `landscape.testinfra.mskiamtamper.TamperingIamLoginModule required field="${field}" value="${value}";`,
        },
        {
          classpath: [env('MSK_IAM_CLIENT_LIB_DIR'), env('MSK_IAM_TAMPER_JAR')],
          vars: { AWS_REGION: env('MSK_IAM_REGION'), ...ci() },
        },
      );
    const ci = () => ({
      AWS_ACCESS_KEY_ID: env('AUTH_AWS_ACCESS_KEY_ID'),
      AWS_SECRET_ACCESS_KEY: env('AUTH_AWS_SECRET_ACCESS_KEY'),
    });

    beforeAll(async () => {
      await topicVisibleOnlyTo(topic, `User:${env('AUTH_AWS_ARN')}`);
      await topicVisibleOnlyTo(sessionTopic, `User:${env('AUTH_AWS_SESSION_ARN')}`);
    });
    afterAll(async () => {
      work.dispose();
      await cleanupPrefix(prefix);
    });

    it('authenticates an IAM user as the principal User:<arn>', async () => {
      const result = await listWith(ci());

      expect(result.code, result.output).toBe(0);
      expect(listedTopics(result)).toContain(topic);
      expect(listedTopics(result)).not.toContain(sessionTopic);
    });

    it('authenticates temporary credentials (session token) as the assumed-role ARN', async () => {
      const result = await listWith({
        AWS_ACCESS_KEY_ID: env('AUTH_AWS_SESSION_ACCESS_KEY_ID'),
        AWS_SECRET_ACCESS_KEY: env('AUTH_AWS_SESSION_SECRET_ACCESS_KEY'),
        AWS_SESSION_TOKEN: env('AUTH_AWS_SESSION_TOKEN'),
      });

      expect(result.code, result.output).toBe(0);
      // Of this file's topics, only its own: other files grant the same session principal their topics while
      // they run (files run three at a time), so the whole listing is not this file's to pin.
      expect(listedTopics(result).filter((name) => name.startsWith(prefix))).toEqual([sessionTopic]);
    });

    it('refuses a payload signed with the wrong secret', async () => {
      const result = await listWith({ ...ci(), AWS_SECRET_ACCESS_KEY: `${env('AUTH_AWS_SECRET_ACCESS_KEY')}x` });

      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(/AWS_MSK_IAM authentication refused: signature does not match/);
    });

    it('refuses a payload signed for another region', async () => {
      const result = await listWith({ ...ci(), AWS_REGION: 'us-west-2' });

      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(/AWS_MSK_IAM authentication refused: signed for region us-west-2/);
    });

    it('refuses temporary credentials without their session token', async () => {
      const result = await listWith({
        AWS_ACCESS_KEY_ID: env('AUTH_AWS_SESSION_ACCESS_KEY_ID'),
        AWS_SECRET_ACCESS_KEY: env('AUTH_AWS_SESSION_SECRET_ACCESS_KEY'),
      });

      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(/AWS_MSK_IAM authentication refused: session token missing or wrong/);
    });

    it('refuses a payload whose signed validity was stretched after signing', async () => {
      const result = await listTampered('x-amz-expires', '899');

      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(/AWS_MSK_IAM authentication refused: signature does not match/);
    });

    it('refuses a payload re-labelled with another access key', async () => {
      const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');
      const scope = `${env('AUTH_AWS_READONLY_ACCESS_KEY_ID')}/${today}/${env('MSK_IAM_REGION')}/kafka-cluster/aws4_request`;
      const result = await listTampered('x-amz-credential', scope);

      expect(result.code).not.toBe(0);
      // (across midnight UTC the scope date no longer matches x-amz-date: refused for that instead)
      expect(result.output).toMatch(
        /AWS_MSK_IAM authentication refused: (signature does not match|credential scope date)/,
      );
    });

    it('accepts the payload when only the unsigned user-agent changed (the tampering client itself works)', async () => {
      const result = await listTampered('user-agent', 'landscape-tamper-check');

      expect(result.code, result.output).toBe(0);
      expect(listedTopics(result)).toContain(topic);
    });

    it('refuses an expired payload (signed 20 minutes ago, valid for 15) and accepts one signed 10 minutes ago', async () => {
      const expired = await listWith(ci(), { clockOffset: '-20m' });
      const recent = await listWith(ci(), { clockOffset: '-10m' });

      expect(expired.code).not.toBe(0);
      expect(expired.output).toMatch(/AWS_MSK_IAM authentication refused: token expired/);
      expect(recent.code, recent.output).toBe(0);
      expect(listedTopics(recent)).toContain(topic);
    });
  },
);
