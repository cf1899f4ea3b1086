import { appendFileSync } from 'node:fs';

/**
 * Every secret value the test suite feeds to Landscape, by name. The suite-wide scan (scan-suite.ts) fails when
 * any of them (or its JSON-escaped, URL-encoded, base64 or hex form) appears in a log line, plan, audit record,
 * PR comment, check run or file the suite produced. `suite-secrets.test.ts` keeps this list complete: a
 * secret-looking literal in a test that is not listed here fails it. Values generated at run time are added
 * with `registerTestSecret`.
 */
export const SUITE_SECRETS: Readonly<Record<string, string>> = {
  // The shared test broker's admin (scripts/services/kafka.sh).
  KAFKA_ADMIN_PASSWORD: 'admin-secret',
  // GitHub webhook secrets and API tokens.
  E2E_WEBHOOK_SECRET: 'e2e-webhook-secret-0123456789',
  E2E_API_TOKEN: 'e2e-api-token-0123456789abcdef',
  SERVE_LIMITS_WEBHOOK_SECRET: 'limits-webhook-secret-0123456789',
  SERVE_LIMITS_API_TOKEN: 'limits-api-token-0123456789abcdef',
  NO_PUSH_LOST_WEBHOOK_SECRET: 'no-push-lost-secret-0123456789',
  NO_PUSH_LOST_IT_WEBHOOK_SECRET: 'no-push-lost-webhook-secret-0123',
  NO_PUSH_LOST_IT_API_TOKEN: 'no-push-lost-api-token-0123456789',
  AUDIT_TOPIC_WEBHOOK_SECRET: 'audit-topic-webhook-secret-0123',
  AUDIT_TOPIC_API_TOKEN: 'audit-topic-api-token-0123456789',
  LAMBDA_RT_WEBHOOK_SECRET: 'lambda-rt-webhook-secret-0123456789',
  RECEIVE_WEBHOOK_SECRET: 'test-webhook-secret-0123456789',
  HANDLER_WEBHOOK_SECRET: 'handler-test-secret-0123456789',
  HANDLER_API_TOKEN: 'local-api-token-0123456789',
  GITHUB_TEST_TOKEN: 'test-token',
  GITHUB_INSTALLATION_TOKEN: 'ghs_installationTokenForTests0123456789',
  SAMPLE_API_TOKEN: 'sample-api-token-0123456789',
  SAMPLE_WEBHOOK_SECRET: 'sample-webhook-secret-0123456789',
  // Audit sinks and channels.
  AUDIT_HMAC_SECRET: 'audit-hmac-secret-it-9c2e',
  E2E_AUDIT_SECRET: 'e2e-audit-signing-secret-5b7d',
  LAMBDA_AUDIT_SECRET: 'lambda-audit-signing-secret-a3f0',
  LAMBDA_PD_ROUTING_KEY: 'lambda-pd-routing-key-6e21',
  PUBLISHED_SINK_SECRET: 'published-sink-secret-4d1f',
  SIEM_URL: 'https://siem.example/ingest/tok-7f3a1c9e',
  SIEM_URL_TOKEN: 'tok-7f3a1c9e',
  MONITOR_PD_ROUTING_KEY: 'R0UT1NGKEY-it-monitor-7f3a9c',
  NOTIFY_PD_KEY: 'pd-routing-key-secret',
  NOTIFY_HMAC: 'hmac-secret-value',
  MONITOR_HOOK_SECRET: 'hmac-it-monitor-secret-41d8',
  // Users, connectors, Kubernetes, Secrets Manager.
  CLI_USER_PASSWORD: 'cli-user-secret-value',
  K8S_DB_PASSWORD: 's3cr3t-value',
  K8S_DEV_TOKEN: 'k8s-dev',
  SECRETS_MANAGER_PASSWORD: 's3cr3t',
  FORGED_WEBHOOK_SECRET: 'not-the-webhook-secret-012345',
  OTHER_WEBHOOK_SECRET: 'some-other-secret-0123456789',
  FILE_PROVIDER_SECRET: 'file-provider-secret-81c2',
  // Kafka authentication end to end (test/integration/reach): the mTLS key passphrase; the generated keys,
  // client secrets and AWS keys are registered at run time (test/integration/auth/support.ts, reach tests).
  KAFKA_MTLS_KEY_PASSPHRASE: 'mtls-key-passphrase-3e9b71',
  // Unit tests of the Kafka authentication clients.
  UNIT_OAUTH_SECRET: 'unit-oauth-secret-4f1a',
  UNIT_OAUTH_FORM_SECRET: 's3cr&t+/=',
  UNIT_AWS_SECRET_KEY: 'unit-aws-secret-key-7c2d',
  UNIT_KEY_PASSPHRASE: 'unit-pass-91e3',
  // landscape doctor's unit tests: a resolved secret value that no check line may show.
  DOCTOR_UNIT_SECRET: 'doctor-unit-secret-value-0123',
  // docs/deploy.md's runnable snippets: a stand-in GitHub token that no output may show.
  GUIDE_GITHUB_TOKEN: 'github_pat_guide_test_stand_in',
  // The AWS documentation's example secret key, signing EKS tokens in unit tests.
  EKS_UNIT_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

/** Records a secret value generated while the suite runs (a random password) for the suite-wide scan. */
export function registerTestSecret(name: string, value: string): string {
  const dir = process.env.LANDSCAPE_SCAN_DIR;
  if (dir) appendFileSync(`${dir}/registered-secrets.jsonl`, `${JSON.stringify({ name, value })}\n`);
  return value;
}
