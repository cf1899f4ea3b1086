import { randomBytes } from 'node:crypto';
import type { SecretRef } from '../../lib/model/common.ts';
import type { SecretResolver } from '../../lib/ports/secret-resolver.ts';
import { brokerSecretResolver, kafkaTestEnv } from '../../scripts/services/kafka-broker.ts';
import { registerTestSecret } from './scan/suite-secrets.ts';

/**
 * Test-only helpers around the local broker (scripts/services/kafka-broker.ts has the broker itself): an
 * Environment document on it, an `env` SecretResolver that registers the values it is given with the
 * suite-wide secret scan, and unique name prefixes.
 */

/** An Environment document on the shared test broker; the admin password is an env reference (KAFKA_PASSWORD). */
export function testEnvironmentYaml(name: string, passwordVariable = 'KAFKA_PASSWORD'): string {
  return `apiVersion: landscape.dev/v1
kind: Environment
metadata: { name: ${name} }
spec:
  kafka:
    bootstrapServers: ["${kafkaTestEnv.bootstrap}"]
    sasl: { mechanism: scram-sha-512, username: ${kafkaTestEnv.username}, password: { secretRef: { provider: env, name: ${passwordVariable} } } }
`;
}

/**
 * Resolves `env` secret references from process.env, falling back to `values` (test-only: lets a test hand
 * a user password to the provider without exporting it). Every value given is registered with the suite-wide
 * secret scan. Errors name the reference, never a value.
 */
export function envSecretResolver(values: Record<string, string> = {}): SecretResolver & {
  set(name: string, value: string): void;
} {
  for (const [name, value] of Object.entries(values)) registerTestSecret(name, value);
  const resolver = brokerSecretResolver(values);
  return {
    resolve: (ref: SecretRef) => resolver.resolve(ref),
    set(name: string, value: string) {
      resolver.set(name, registerTestSecret(name, value));
    },
  };
}

/** A prefix no other run uses: `it-kafka-3f9a1c-`. */
export function uniquePrefix(label = 'it-kafka'): string {
  return `${label}-${randomBytes(3).toString('hex')}-`;
}
