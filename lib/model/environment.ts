import { z } from 'zod';
import { ConnectClusterSchema, SchemaRegistryConnectionSchema } from './connections/http-services.ts';
import { KafkaConnectionSchema } from './connections/kafka.ts';
import { KubernetesConnectionSchema } from './connections/kubernetes.ts';
import { RESOURCE_KIND_NAMES, type ResourceKind } from './resource.ts';
import { scheduleProblem } from './schedule.ts';

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

/** The drift schedule of an Environment that names none. */
export const DEFAULT_DRIFT_SCHEDULE = 'rate(15 minutes)';

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
      /**
       * How often the drift check runs for this environment, in EventBridge syntax (UTC): `rate(N
       * minutes|hours|days)` or `cron(...)` (lib/model/schedule.ts). The stack's drift tick (and `landscape
       * serve`'s drift timer) checks the environment when its schedule fired since its last check, so the
       * tick's period is the finest grain.
       */
      schedule: z
        .string()
        .default(DEFAULT_DRIFT_SCHEDULE)
        .superRefine((text, ctx) => {
          const problem = scheduleProblem(text);
          if (problem) ctx.addIssue({ code: 'custom', message: problem, input: text });
        }),
      channels: z.array(z.string()).default([]),
    })
    .default({ mode: 'report', schedule: DEFAULT_DRIFT_SCHEDULE, channels: [] }),
  /** Destructive changes (deletes, refusing overrides) wait for an approval bound to the plan hash. */
  requireApprovalFor: z.enum(['destructive', 'all', 'none']).default('destructive'),
  /** Names that are never touched, whatever the config says (internal topics are always protected). */
  protectedPrefixes: z.array(z.string()).default(['_', '__']),
});
export type EnvironmentSpec = z.infer<typeof EnvironmentSpecSchema>;
