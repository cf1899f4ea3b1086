import { readFileSync } from 'node:fs';
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
 * plan, apply and drift over the broker's MSK IAM listener with `mechanism: aws-msk-iam`: Landscape signs the
 * OAUTHBEARER token with AWS's signer library from the default credential chain (here: the environment, as a
 * function's role would provide), and the listener recomputes the SigV4 signature (scripts/services/auth/msk-iam).
 * Only topics: ACLs are not what governs access on an IAM-authenticated cluster.
 */
describe.skipIf(!kafkaAuthUp)(
  `landscape over Kafka MSK IAM${kafkaAuthUp ? '' : ` (${notUpReason})`}`,
  { timeout: 180_000 },
  () => {
    const prefix = uniquePrefix('it-reach-iam');
    const topics = [`${prefix}orders`, `${prefix}refunds`];
    let work: CliWorkspace;
    const ciCredentials = () => ({
      AWS_ACCESS_KEY_ID: env('AUTH_AWS_ACCESS_KEY_ID'),
      AWS_SECRET_ACCESS_KEY: env('AUTH_AWS_SECRET_ACCESS_KEY'),
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
    });

    const environment = (region: string | undefined) => `apiVersion: landscape.dev/v1
kind: Environment
metadata: { name: iam }
spec:
  kafka:
    bootstrapServers: ["${env('KAFKA_IAM_BOOTSTRAP')}"]
    sasl: { mechanism: aws-msk-iam${region ? `, region: ${region}` : ''} }
    tls: { ca: { secretRef: { provider: env, name: REACH_IAM_CA } } }
    requestTimeoutMs: 20000
  requireApprovalFor: none
`;

    beforeAll(async () => {
      // The broker maps the access key to its ARN; the IAM listener's principal still goes through Kafka's
      // authorizer here (a real MSK cluster would evaluate IAM policies instead).
      await grantTopicPrefix(`User:${env('AUTH_AWS_ARN')}`, prefix);
      work = new CliWorkspace({
        ...ciCredentials(),
        // The run's own AWS_REGION (the moto endpoint's) must not win over the Environment's region.
        AWS_REGION: 'us-east-1',
        REACH_IAM_CA: readFileSync(env('AUTH_CA_FILE'), 'utf8'),
      });
      await work.open({
        'env.yaml': environment(env('MSK_IAM_REGION')),
        'topics.yaml': topics.map((t) => topicDoc(t, 86_400_000)).join('---\n'),
      });
    });
    afterAll(async () => {
      await work?.dispose();
      await revokeTopicPrefix(`User:${env('AUTH_AWS_ARN')}`, prefix);
      await cleanupPrefix(prefix);
    });

    it('plans, applies and reports drift as the IAM principal, region from the Environment', async () => {
      const outputs = await planApplyDrift(work, 'iam', topics);

      expectNoSecret(outputs, [env('AUTH_AWS_SECRET_ACCESS_KEY')]);
    });

    it('takes the region from AWS_REGION when the Environment names none; a wrong one fails with exit 1, changing nothing', async () => {
      await work.write({
        'env.yaml': environment(undefined),
        'topics.yaml': [...topics, `${prefix}never`].map((t) => topicDoc(t, 86_400_000)).join('---\n'),
      });

      const right = await work.run(['plan', '.', '--env', 'iam'], { AWS_REGION: env('MSK_IAM_REGION') });
      const wrong = await work.run(['apply', '.', '--env', 'iam', '--auto-approve'], { AWS_REGION: 'us-west-2' });

      expect(right.code, right.stderr).toBe(2);
      expect(right.stdout).toContain('1 to create');
      expect(wrong.code, wrong.stderr).toBe(1);
      expect(wrong.stderr).toContain(`kafka at "${env('KAFKA_IAM_BOOTSTRAP')}" with AWS MSK IAM (SASL/OAUTHBEARER)`);
      expect(wrong.stderr).toContain('token signed for host kafka.us-west-2.amazonaws.com');
      const after = await work.run(['plan', '.', '--env', 'iam'], { AWS_REGION: env('MSK_IAM_REGION') });
      expect(after.stdout).toContain('1 to create');
      expectNoSecret([right, wrong, after], [env('AUTH_AWS_SECRET_ACCESS_KEY')]);
    });

    it('fails with exit 1 for a wrong secret key and for temporary credentials without their session token', async () => {
      await work.write({ 'env.yaml': environment(env('MSK_IAM_REGION')) });
      const wrongSecret = `${env('AUTH_AWS_SECRET_ACCESS_KEY')}x`;

      const badSecret = await work.run(['plan', '.', '--env', 'iam'], { AWS_SECRET_ACCESS_KEY: wrongSecret });
      const noSessionToken = await work.run(['plan', '.', '--env', 'iam'], {
        AWS_ACCESS_KEY_ID: env('AUTH_AWS_SESSION_ACCESS_KEY_ID'),
        AWS_SECRET_ACCESS_KEY: env('AUTH_AWS_SESSION_SECRET_ACCESS_KEY'),
      });

      for (const result of [badSecret, noSessionToken]) {
        expect(result.code, result.stderr).toBe(1);
        expect(result.stderr).toContain(`kafka at "${env('KAFKA_IAM_BOOTSTRAP')}" with AWS MSK IAM (SASL/OAUTHBEARER)`);
      }
      expect(badSecret.stderr).toContain('signature does not match');
      expect(noSessionToken.stderr).toContain('session token missing or wrong');
      expectNoSecret(
        [badSecret, noSessionToken],
        [
          wrongSecret,
          env('AUTH_AWS_SECRET_ACCESS_KEY'),
          env('AUTH_AWS_SESSION_SECRET_ACCESS_KEY'),
          env('AUTH_AWS_SESSION_TOKEN'),
        ],
      );
    });
  },
);
