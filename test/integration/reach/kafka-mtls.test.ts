import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupPrefix } from '../../../scripts/services/kafka-broker.ts';
import { uniquePrefix } from '../../support/kafka.ts';
import { SUITE_SECRETS } from '../../support/scan/suite-secrets.ts';
import { env, kafkaAuthUp, notUpReason } from '../auth/support.ts';
import {
  CliWorkspace,
  expectNoSecret,
  grantTopicPrefix,
  planApplyDrift,
  registerPemSecret,
  revokeTopicPrefix,
  topicDoc,
} from './kafka-support.ts';

/**
 * plan, apply and drift over the broker's mTLS listener (ssl.client.auth=required, principal = certificate
 * subject): the client certificate is a secret reference, its key an encrypted PEM with a passphrase, the CA
 * inline PEM text in the Environment.
 */
describe.skipIf(!kafkaAuthUp)(
  `landscape over Kafka mTLS${kafkaAuthUp ? '' : ` (${notUpReason})`}`,
  { timeout: 180_000 },
  () => {
    const prefix = uniquePrefix('it-reach-mtls');
    const topics = [`${prefix}orders`, `${prefix}refunds`];
    const passphrase = SUITE_SECRETS.KAFKA_MTLS_KEY_PASSPHRASE as string;
    const secrets: Record<string, string> = {};
    let work: CliWorkspace;

    const environment = (caPem: string) => `apiVersion: landscape.dev/v1
kind: Environment
metadata: { name: mtls }
spec:
  kafka:
    bootstrapServers: ["${env('KAFKA_MTLS_BOOTSTRAP')}"]
    tls:
      ca: |
${caPem
  .trim()
  .split('\n')
  .map((line) => `        ${line}`)
  .join('\n')}
      clientCertificate: { secretRef: { provider: env, name: REACH_MTLS_CERT } }
      clientKey: { secretRef: { provider: env, name: REACH_MTLS_KEY } }
      clientKeyPassphrase: { secretRef: { provider: env, name: REACH_MTLS_KEY_PASSPHRASE } }
    requestTimeoutMs: 20000
  requireApprovalFor: none
`;

    beforeAll(async () => {
      // The key as a platform would hand it over: encrypted, with its passphrase in another secret.
      const encryptedKey = createPrivateKey(readFileSync(env('KAFKA_MTLS_KEY_FILE'), 'utf8'))
        .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase })
        .toString();
      secrets.REACH_MTLS_CERT = readFileSync(env('KAFKA_MTLS_CERT_FILE'), 'utf8');
      secrets.REACH_MTLS_KEY = registerPemSecret('REACH_MTLS_KEY', encryptedKey);
      secrets.REACH_MTLS_KEY_PASSPHRASE = passphrase;
      registerPemSecret('KAFKA_MTLS_KEY', readFileSync(env('KAFKA_MTLS_KEY_FILE'), 'utf8'));
      await grantTopicPrefix(env('KAFKA_MTLS_PRINCIPAL'), prefix);
      work = new CliWorkspace(secrets);
      await work.open({
        'env.yaml': environment(readFileSync(env('AUTH_CA_FILE'), 'utf8')),
        'topics.yaml': topics.map((t) => topicDoc(t, 86_400_000)).join('---\n'),
      });
    });
    afterAll(async () => {
      await work?.dispose();
      await revokeTopicPrefix(env('KAFKA_MTLS_PRINCIPAL'), prefix);
      await cleanupPrefix(prefix);
    });

    it('plans, applies and reports drift as the certificate subject', async () => {
      const outputs = await planApplyDrift(work, 'mtls', topics);

      expectNoSecret(outputs, [secrets.REACH_MTLS_KEY as string, passphrase]);
    });

    it('fails with exit 1 naming endpoint and mechanism for a certificate from another CA, and changes nothing', async () => {
      const otherKey = readFileSync(env('KAFKA_MTLS_OTHER_CA_KEY_FILE'), 'utf8');
      registerPemSecret('KAFKA_MTLS_OTHER_CA_KEY', otherKey);
      await work.write({
        'topics.yaml': [...topics, `${prefix}never`].map((t) => topicDoc(t, 86_400_000)).join('---\n'),
      });

      const result = await work.run(['apply', '.', '--env', 'mtls', '--auto-approve'], {
        REACH_MTLS_CERT: readFileSync(env('KAFKA_MTLS_OTHER_CA_CERT_FILE'), 'utf8'),
        REACH_MTLS_KEY: otherKey,
        REACH_MTLS_KEY_PASSPHRASE: 'unused',
      });

      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain(`kafka at "${env('KAFKA_MTLS_BOOTSTRAP')}" with mutual TLS`);
      expectNoSecret([result], [otherKey, secrets.REACH_MTLS_KEY as string, passphrase]);
      const drift = await work.run(['plan', '.', '--env', 'mtls']);
      expect(drift.stdout).toContain('1 to create');
    });

    it('refuses a wrong passphrase before connecting, naming the field and the secret, not the value', async () => {
      const result = await work.run(['plan', '.', '--env', 'mtls'], {
        REACH_MTLS_KEY_PASSPHRASE: 'not-the-passphrase',
      });

      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        'spec.kafka.tls.clientKey (secret env/REACH_MTLS_KEY) cannot be decrypted with spec.kafka.tls.clientKeyPassphrase',
      );
      expectNoSecret([result], [secrets.REACH_MTLS_KEY as string, passphrase]);
    });
  },
);
