import type { EnvironmentSpec } from '../../model/environment.ts';
import type { ResourceProvider } from '../../ports/resource-provider.ts';
import type { SecretResolver } from '../../ports/secret-resolver.ts';

// Placeholder: replaced by the real adapter.
export async function createSchemaRegistryProvider(
  _environmentName: string,
  _environment: EnvironmentSpec,
  _secrets: SecretResolver,
): Promise<ResourceProvider> {
  throw new Error('createSchemaRegistryProvider: not implemented yet');
}
