import { createPublicKey, verify } from 'node:crypto';
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

/** Claims of a token straight from the issuer's token endpoint (client-credentials grant, HTTP Basic). */
async function tokenFor(
  clientId: string,
  clientSecret: string,
): Promise<{ jwt: string; claims: Record<string, unknown> }> {
  const response = await fetch(env('OAUTH_TOKEN_URL'), {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  expect(response.status).toBe(200);
  const jwt = ((await response.json()) as { access_token: string }).access_token;
  return { jwt, claims: JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) };
}

/**
 * The broker's OAUTH listener: SASL/OAUTHBEARER validated by Kafka's own OAuthBearerValidatorCallbackHandler against
 * the JWKS, issuer and audience of scripts/services/auth/token-issuer.mjs. Proved with Kafka's own client-side
 * OAuthBearerLoginCallbackHandler fetching tokens from the issuer's token endpoint.
 */
describe.skipIf(!kafkaAuthUp)(
  `Kafka OAuth/OIDC listener${kafkaAuthUp ? '' : ` (${notUpReason})`}`,
  { timeout: 120_000 },
  () => {
    const prefix = uniquePrefix('it-auth-oauth');
    const topic = `${prefix}visible`;
    const work = new Workdir();
    const oauthClient = (clientId: string, clientSecret: string): Record<string, string> => ({
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.mechanism': 'OAUTHBEARER',
      'sasl.login.callback.handler.class':
        'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler',
      'sasl.oauthbearer.token.endpoint.url': env('OAUTH_TOKEN_URL'),
      'sasl.oauthbearer.client.credentials.client.id': clientId,
      'sasl.oauthbearer.client.credentials.client.secret': clientSecret,
      'sasl.jaas.config': 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;',
    });
    // Kafka 4 refuses to call any OAuth URL that is not allowed explicitly.
    const allowTokenUrl = {
      systemProperties: { 'org.apache.kafka.sasl.oauthbearer.allowed.urls': env('OAUTH_TOKEN_URL') },
    };
    const listAs = (clientId: string, clientSecret: string) =>
      kafkaTopicsList(work, env('KAFKA_OAUTH_BOOTSTRAP'), oauthClient(clientId, clientSecret), allowTokenUrl);

    beforeAll(async () => {
      await topicVisibleOnlyTo(topic, env('OAUTH_PRINCIPAL'));
    });
    afterAll(async () => {
      work.dispose();
      await cleanupPrefix(prefix);
    });

    it('issues RS256 tokens with issuer, audience, subject and expiry, signed by the key its JWKS publishes', async () => {
      const { jwt, claims } = await tokenFor(env('OAUTH_CLIENT_ID'), env('OAUTH_CLIENT_SECRET'));
      const [header, payload, signature] = jwt.split('.') as [string, string, string];
      const { kid, alg } = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
      const jwks = (await (await fetch(env('OAUTH_JWKS_URL'))).json()) as { keys: Array<{ kid: string }> };
      const jwk = jwks.keys.find((k) => k.kid === kid);

      expect(alg).toBe('RS256');
      expect(jwk).toBeDefined();
      expect(
        verify(
          'RSA-SHA256',
          Buffer.from(`${header}.${payload}`),
          createPublicKey({ key: jwk as never, format: 'jwk' }),
          Buffer.from(signature, 'base64url'),
        ),
      ).toBe(true);
      expect(claims).toMatchObject({
        iss: env('OAUTH_ISSUER_URL'),
        aud: env('OAUTH_AUDIENCE'),
        sub: 'svc-landscape-ci',
      });
      expect(claims.exp as number).toBeGreaterThan(Date.now() / 1000);
    });

    it('authenticates a client-credentials token as the principal User:<sub>', async () => {
      const result = await listAs(env('OAUTH_CLIENT_ID'), env('OAUTH_CLIENT_SECRET'));

      expect(result.code, result.output).toBe(0);
      expect(listedTopics(result)).toContain(topic);
    });

    it('refuses an expired token (otherwise valid: same issuer, audience and signing key)', async () => {
      const { claims } = await tokenFor(env('OAUTH_EXPIRED_CLIENT_ID'), env('OAUTH_EXPIRED_CLIENT_SECRET'));
      expect(claims).toMatchObject({ iss: env('OAUTH_ISSUER_URL'), aud: env('OAUTH_AUDIENCE') });
      expect(claims.exp as number).toBeLessThan(Date.now() / 1000 - 300);

      const result = await listAs(env('OAUTH_EXPIRED_CLIENT_ID'), env('OAUTH_EXPIRED_CLIENT_SECRET'));

      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(/invalid_token/);
    });

    it('refuses a token issued for another audience', async () => {
      const { claims } = await tokenFor(
        env('OAUTH_WRONG_AUDIENCE_CLIENT_ID'),
        env('OAUTH_WRONG_AUDIENCE_CLIENT_SECRET'),
      );
      expect(claims.aud).not.toBe(env('OAUTH_AUDIENCE'));
      expect(claims.exp as number).toBeGreaterThan(Date.now() / 1000);

      const result = await listAs(env('OAUTH_WRONG_AUDIENCE_CLIENT_ID'), env('OAUTH_WRONG_AUDIENCE_CLIENT_SECRET'));

      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(/invalid_token/);
    });

    it('gives no token to a client with a wrong secret (the issuer checks client credentials)', async () => {
      const result = await listAs(env('OAUTH_CLIENT_ID'), `${env('OAUTH_CLIENT_SECRET')}x`);

      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(/401|invalid_client/);
    });
  },
);
