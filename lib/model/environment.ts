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
export const PruneSchema = z
  .strictObject(
    Object.fromEntries(RESOURCE_KIND_NAMES.map((kind) => [kind, z.boolean().default(false)])) as {
      [K in ResourceKind]: z.ZodDefault<z.ZodBoolean>;
    },
  )
  .describe(
    'Per resource kind: delete what Landscape created once it is removed from git. Off by default; resources Landscape did not create are never deleted.',
  );
export type Prune = z.infer<typeof PruneSchema>;

/** The drift schedule of an Environment that names none. */
export const DEFAULT_DRIFT_SCHEDULE = 'rate(15 minutes)';

export const EnvironmentSpecSchema = z
  .strictObject({
    branch: z.string().min(1).default('main').describe('The git branch whose pushes deploy to this environment.'),
    kafka: KafkaConnectionSchema,
    schemaRegistry: SchemaRegistryConnectionSchema.optional(),
    connect: z
      .record(z.string(), ConnectClusterSchema)
      .optional()
      .describe('Kafka Connect clusters by name; a Connector picks one with `spec.cluster` (default `default`).'),
    kubernetes: KubernetesConnectionSchema.optional(),
    prune: PruneSchema.default(PruneSchema.parse({})),
    hardDeleteSchemas: z
      .boolean()
      .default(false)
      .describe('Schema subjects removed from git are soft-deleted; with this on, hard-deleted as well.'),
    drift: z
      .strictObject({
        mode: z
          .enum(['report', 'remediate'])
          .default('report')
          .describe(
            '`report` notifies the channels; `remediate` also plans the last applied commit again and applies it (approval rules apply).',
          ),
        // lib/model/schedule.ts parses it. The stack's drift tick (and `landscape serve`'s drift timer) checks the
        // environment when its schedule fired since its last check, so the tick's period is the finest grain.
        schedule: z
          .string()
          .default(DEFAULT_DRIFT_SCHEDULE)
          .superRefine((text, ctx) => {
            const problem = scheduleProblem(text);
            if (problem) ctx.addIssue({ code: 'custom', message: problem, input: text });
          })
          .describe(
            'How often the drift check runs for this environment, in EventBridge syntax (UTC): `rate(N minutes|hours|days)` or `cron(...)`.',
          ),
        channels: z.array(z.string()).default([]).describe('Channel documents that hear about drift.'),
      })
      .default({ mode: 'report', schedule: DEFAULT_DRIFT_SCHEDULE, channels: [] })
      .describe('The scheduled comparison of the platform with the last applied config.'),
    requireApprovalFor: z
      .enum(['destructive', 'all', 'none'])
      .default('destructive')
      .describe(
        'Which plans wait for an approval bound to the plan hash: deletes and refusing overrides, every plan, or none.',
      ),
    protectedPrefixes: z
      .array(z.string())
      .default(['_', '__'])
      .describe(
        'Names starting with one of these are never touched, whatever the config says (internal topics always are).',
      ),
  })
  .describe(
    'One deployment target: the Kafka cluster and the other services of one environment, which branch deploys to it, and what may be pruned. Other documents apply to every environment unless `metadata.environments` restricts them; `overlays` change them per environment.',
  );
export type EnvironmentSpec = z.infer<typeof EnvironmentSpecSchema>;
