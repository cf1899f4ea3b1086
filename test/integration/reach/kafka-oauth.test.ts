import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupPrefix } from '../../../scripts/services/kafka-broker.ts';
import { uniquePrefix } from '../../support/kafka.ts';
import { env, kafkaAuthUp, notUpReason } from '../auth/support.ts';
import {
  CliWorkspace,
  expectNoSecret,
  grantTopicPrefix,
  planApplyDrift,
  revokeTopicPrefix,
  topicDoc,
} from './kafka-support.ts';

/**
 * plan, apply and drift over the broker's OAUTHBEARER listener, which Kafka's own OIDC validator guards (JWKS
 * signature, issuer, audience, expiry): Landscape fetches client-credentials tokens from the test issuer.
 */
describe.skipIf(!kafkaAuthUp)(
  `landscape over Kafka SASL/OAUTHBEARER${kafkaAuthUp ? '' : ` (${notUpReason})`}`,
  { timeout: 180_000 },
  () => {
    const prefix = uniquePrefix('it-reach-oauth');
    const topics = [`${prefix}orders`, `${prefix}refunds`];
    let work: CliWorkspace;

    const environment = (clientIdVariable: string) => `apiVersion: landscape.dev/v1
kind: Environment
metadata: { name: oauth }
spec:
  kafka:
    bootstrapServers: ["${env('KAFKA_OAUTH_BOOTSTRAP')}"]
    sasl:
      mechanism: oauthbearer
      tokenEndpoint: ${env('OAUTH_TOKEN_URL')}
      clientId: ${env(clientIdVariable)}
      clientSecret: { secretRef: { provider: env, name: REACH_OAUTH_SECRET } }
      audience: ${env('OAUTH_AUDIENCE')}
      scope: kafka
      extensions: { logicalCluster: lkc-test }
    requestTimeoutMs: 20000
  requireApprovalFor: none
`;

    beforeAll(async () => {
      await grantTopicPrefix(env('OAUTH_PRINCIPAL'), prefix);
      work = new CliWorkspace({ REACH_OAUTH_SECRET: env('OAUTH_CLIENT_SECRET') });
      await work.open({
        'env.yaml': environment('OAUTH_CLIENT_ID'),
        'topics.yaml': topics.map((t) => topicDoc(t, 86_400_000)).join('---\n'),
      });
    });
    afterAll(async () => {
      await work?.dispose();
      await revokeTopicPrefix(env('OAUTH_PRINCIPAL'), prefix);
      await cleanupPrefix(prefix);
    });

    it('plans, applies and reports drift as the token subject', async () => {
      const outputs = await planApplyDrift(work, 'oauth', topics);

      expectNoSecret(outputs, [env('OAUTH_CLIENT_SECRET')]);
    });

    it('fails with exit 1 naming the token endpoint and HTTP status for a wrong client secret, and changes nothing', async () => {
      await work.write({
        'topics.yaml': [...topics, `${prefix}never`].map((t) => topicDoc(t, 86_400_000)).join('---\n'),
      });
      const wrong = `${env('OAUTH_CLIENT_SECRET')}x`;

      const result = await work.run(['apply', '.', '--env', 'oauth', '--auto-approve'], { REACH_OAUTH_SECRET: wrong });

      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain(`kafka at "${env('KAFKA_OAUTH_BOOTSTRAP')}" with SASL/OAUTHBEARER`);
      expect(result.stderr).toContain(
        `the token endpoint ${env('OAUTH_TOKEN_URL')} refused the client-credentials request: HTTP 401`,
      );
      expectNoSecret([result], [wrong, env('OAUTH_CLIENT_SECRET')]);
      expect((await work.run(['plan', '.', '--env', 'oauth'])).stdout).toContain('1 to create');
    });

    it('fails with exit 1 when the broker refuses an expired token, naming endpoint and mechanism', async () => {
      await work.write({ 'env.yaml': environment('OAUTH_EXPIRED_CLIENT_ID') });

      const result = await work.run(['plan', '.', '--env', 'oauth'], {
        REACH_OAUTH_SECRET: env('OAUTH_EXPIRED_CLIENT_SECRET'),
      });

      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain(`kafka at "${env('KAFKA_OAUTH_BOOTSTRAP')}" with SASL/OAUTHBEARER`);
      expect(result.stderr).toContain('the broker refused the OAUTHBEARER token (invalid_token)');
      expectNoSecret([result], [env('OAUTH_EXPIRED_CLIENT_SECRET')]);
      await work.write({ 'env.yaml': environment('OAUTH_CLIENT_ID') });
    });
  },
);
