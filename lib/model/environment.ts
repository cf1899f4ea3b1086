import { z } from 'zod';
import { ConnectClusterSchema, SchemaRegistryConnectionSchema } from './connections/http-services.ts';
import { KafkaConnectionSchema } from './connections/kafka.ts';
import { KubernetesConnectionSchema } from './connections/kubernetes.ts';
import { RESOURCE_KIND_NAMES, type ResourceKind } from './resource.ts';

export type { ConnectCluster, SchemaRegistryConnection } from './connections/http-services.ts';
export type { KafkaConnection } from './connections/kafka.ts';
export type { KubernetesConnection } from './connections/kubernetes.ts';
export { ConnectClusterSchema, KafkaConnectionSchema, KubernetesConnectionSchema, SchemaRegistryConnectionSchema };

/**
 * Which kinds Landscape may delete when they disappear from git. Off by default: pruning is opt-in per kind
 * (ADR 0005), and only resources Landscape created (its inventory) are ever candidates.
 */
export const PruneSchema = z.strictObject(
  Object.fromEntries(RESOURCE_KIND_NAMES.map((kind) => [kind, z.boolean().default(false)])) as {
    [K in ResourceKind]: z.ZodDefault<z.ZodBoolean>;
  },
);
export type Prune = z.infer<typeof PruneSchema>;

export const EnvironmentSpecSchema = z.strictObject({
  /** The git branch whose pushes deploy to this environment. */
  branch: z.string().min(1).default('main'),
  kafka: KafkaConnectionSchema,
  schemaRegistry: SchemaRegistryConnectionSchema.optional(),
  connect: z.record(z.string(), ConnectClusterSchema).optional(),
  kubernetes: KubernetesConnectionSchema.optional(),
  prune: PruneSchema.default(PruneSchema.parse({})),
  /** Schema subjects: soft delete first, hard delete only when this is on too. */
  hardDeleteSchemas: z.boolean().default(false),
  drift: z
    .strictObject({
      mode: z.enum(['report', 'remediate']).default('report'),
      schedule: z.string().default('rate(15 minutes)'),
      channels: z.array(z.string()).default([]),
    })
    .default({ mode: 'report', schedule: 'rate(15 minutes)', channels: [] }),
  /** Destructive changes (deletes, refusing overrides) wait for an approval bound to the plan hash. */
  requireApprovalFor: z.enum(['destructive', 'all', 'none']).default('destructive'),
  /** Names that are never touched, whatever the config says (internal topics are always protected). */
  protectedPrefixes: z.array(z.string()).default(['_', '__']),
});
export type EnvironmentSpec = z.infer<typeof EnvironmentSpecSchema>;
