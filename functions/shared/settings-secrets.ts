import { SecretsManagerResolver } from '../../lib/adapters/aws/secrets-manager-resolver.ts';
import type { SecretResolver } from '../../lib/ports/secret-resolver.ts';

// Imports nothing else of the functions' wiring: the webhook bundles this file (bench/bundles.ts budget).

/** The functions' own settings by Secrets Manager id (webhook secret, GitHub credentials): never a config's. */
export function buildSettingsSecrets(): SecretResolver {
  return new SecretsManagerResolver();
}

/** A setting given directly, or read from Secrets Manager by id (the webhook secret, the GitHub token). */
export async function readSetting(
  secrets: SecretResolver,
  direct: string | undefined,
  secretId: string | undefined,
): Promise<string | undefined> {
  if (direct) return direct;
  if (!secretId) return undefined;
  return secrets.resolve({ secretRef: { provider: 'aws-secretsmanager', name: secretId } });
}
