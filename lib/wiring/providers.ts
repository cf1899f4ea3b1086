import type { EnvironmentSpec } from '../model/environment.ts';
import type { ResourceProvider } from '../ports/resource-provider.ts';
import type { SecretResolver } from '../ports/secret-resolver.ts';

/**
 * Builds the live-system adapters an environment needs. Adapters are imported lazily so that a process
 * that never talks to Kafka (the webhook function) never loads the Kafka client.
 */
export async function createProviders(
  environmentName: string,
  environment: EnvironmentSpec,
  secrets: SecretResolver,
): Promise<ResourceProvider[]> {
  const providers: ResourceProvider[] = [];
  const { createKafkaProvider } = await import('../adapters/kafka/kafka-provider.ts');
  providers.push(await createKafkaProvider(environment.kafka, secrets));
  if (environment.schemaRegistry) {
    const { createSchemaRegistryProvider } = await import('../adapters/schema-registry/schema-registry-provider.ts');
    providers.push(await createSchemaRegistryProvider(environmentName, environment, secrets));
  }
  if (environment.connect && Object.keys(environment.connect).length > 0) {
    const { createConnectProvider } = await import('../adapters/connect/connect-provider.ts');
    providers.push(await createConnectProvider(environmentName, environment, secrets));
  }
  if (environment.kubernetes) {
    const { createKubernetesProvider } = await import('../adapters/k8s/kubernetes-provider.ts');
    providers.push(await createKubernetesProvider(environmentName, environment, secrets));
  }
  return providers;
}
