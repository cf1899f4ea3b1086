import type { KafkaConnection } from '../../model/environment.ts';
import type { ResourceProvider } from '../../ports/resource-provider.ts';
import type { SecretResolver } from '../../ports/secret-resolver.ts';

// Placeholder: replaced by the real adapter.
export async function createKafkaProvider(
  _connection: KafkaConnection,
  _secrets: SecretResolver,
): Promise<ResourceProvider> {
  throw new Error('createKafkaProvider: not implemented yet');
}
