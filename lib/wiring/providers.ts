import type { EnvironmentSpec } from '../model/environment.ts';
import type { Connection } from '../model/resource.ts';
import type { ResourceProvider } from '../ports/resource-provider.ts';
import { type SecretResolver, secretsForEnvironment } from '../ports/secret-resolver.ts';

type ProviderFactory = (
  environmentName: string,
  environment: EnvironmentSpec,
  secrets: SecretResolver,
) => Promise<ResourceProvider | undefined>;

/**
 * One provider per connection of lib/model/resource.ts (a new connection does not compile without one); each
 * gives none when the Environment does not configure its connection. Adapters are imported lazily so that a
 * process that never talks to Kafka (the webhook function) never loads the Kafka client.
 */
export const PROVIDER_FACTORIES: { readonly [C in Connection]: ProviderFactory } = {
  kafka: async (_name, environment, secrets) => {
    const { createKafkaProvider } = await import('../adapters/kafka/kafka-provider.ts');
    return createKafkaProvider(environment.kafka, secrets);
  },
  schemaRegistry: async (name, environment, secrets) => {
    if (!environment.schemaRegistry) return undefined;
    const { createSchemaRegistryProvider } = await import('../adapters/schema-registry/schema-registry-provider.ts');
    return createSchemaRegistryProvider(name, environment, secrets);
  },
  connect: async (name, environment, secrets) => {
    if (!environment.connect || Object.keys(environment.connect).length === 0) return undefined;
    const { createConnectProvider } = await import('../adapters/connect/connect-provider.ts');
    return createConnectProvider(name, environment, secrets);
  },
  kubernetes: async (name, environment, secrets) => {
    if (!environment.kubernetes) return undefined;
    const { createKubernetesProvider } = await import('../adapters/k8s/kubernetes-provider.ts');
    return createKubernetesProvider(name, environment, secrets);
  },
};

/**
 * Builds the live-system adapters an environment needs, one after the other in connection order. They read
 * secrets as that environment (`forEnvironment`: in the functions, only its own platform secrets).
 */
export async function createProviders(
  environmentName: string,
  environment: EnvironmentSpec,
  secrets: SecretResolver,
): Promise<ResourceProvider[]> {
  const scoped = secretsForEnvironment(secrets, environmentName);
  const providers: ResourceProvider[] = [];
  for (const factory of Object.values(PROVIDER_FACTORIES)) {
    const provider = await factory(environmentName, environment, scoped);
    if (provider) providers.push(provider);
  }
  return providers;
}
