import type { EnvironmentSpec } from '../../model/environment.ts';
import type { ResourceProvider } from '../../ports/resource-provider.ts';
import type { SecretResolver } from '../../ports/secret-resolver.ts';

// Placeholder: replaced by the real adapter.
export async function createConnectProvider(
  _environmentName: string,
  _environment: EnvironmentSpec,
  _secrets: SecretResolver,
): Promise<ResourceProvider> {
  throw new Error('createConnectProvider: not implemented yet');
}
