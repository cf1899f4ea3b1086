import { z } from 'zod';
import { DurationSchema, SecretRefSchema } from './common.ts';

const SecretOrStringSchema = z.union([z.string(), SecretRefSchema]);

export const KafkaConnectionSchema = z.strictObject({
  bootstrapServers: z.array(z.string().regex(/^[^\s:]+:\d+$/, 'expected "host:port"')).min(1),
  clientId: z.string().default('landscape'),
  sasl: z
    .strictObject({
      mechanism: z.enum(['scram-sha-256', 'scram-sha-512', 'plain']),
      username: z.string().min(1),
      password: SecretRefSchema,
    })
    .optional(),
  tls: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** PEM text, or a secret reference to it. */
      ca: SecretOrStringSchema.optional(),
      rejectUnauthorized: z.boolean().default(true),
      serverName: z.string().optional(),
    })
    .optional(),
  /** Per-request timeout for admin calls. */
  requestTimeoutMs: z.int().positive().default(30_000),
  /**
   * The brokers' Kafka version (`3.9`, `4.1`, `4.1.2`): topic configs are checked against that version's own
   * definitions (names, types, ranges). Default: the newest version Landscape knows.
   */
  version: z
    .string()
    .regex(/^\d+\.\d+(\.\d+)?$/, 'expected a Kafka version such as "4.1" or "3.9.1"')
    .optional(),
  /**
   * User names of the brokers' super-users (their `super.users`, which a broker never reveals over the
   * protocol). They and the user Landscape connects as are protected: never exported, pruned or changed.
   */
  superUsers: z.array(z.string().min(1)).optional(),
});
export type KafkaConnection = z.infer<typeof KafkaConnectionSchema>;

export const SchemaRegistryConnectionSchema = z.strictObject({
  url: z.url(),
  username: z.string().optional(),
  password: SecretRefSchema.optional(),
  token: SecretRefSchema.optional(),
});

export const ConnectClusterSchema = z.strictObject({
  url: z.url(),
  username: z.string().optional(),
  password: SecretRefSchema.optional(),
});

export const KubernetesConnectionSchema = z.strictObject({
  server: z.url(),
  namespace: z.string().min(1).default('default'),
  token: SecretRefSchema.optional(),
  /** PEM text of the cluster CA, or a secret reference to it. */
  ca: SecretOrStringSchema.optional(),
  insecureSkipTlsVerify: z.boolean().default(false),
  /** How long to wait for rollouts after apply. */
  healthTimeout: DurationSchema.default('5m'),
  /**
   * Wait after applying a Deployment, StatefulSet or DaemonSet until its rollout completes (default). Off:
   * applied means done, for clusters whose workloads are rolled out by something else (or API servers without
   * controllers), at the price of not noticing a crash-looping rollout.
   */
  waitForRollout: z.boolean().default(true),
});

/**
 * Which kinds Landscape may delete when they disappear from git. Off by default: pruning is opt-in per kind
 * (ADR 0005), and only resources Landscape created (its inventory) are ever candidates.
 */
export const PruneSchema = z.strictObject({
  Topic: z.boolean().default(false),
  Acl: z.boolean().default(false),
  Quota: z.boolean().default(false),
  User: z.boolean().default(false),
  Schema: z.boolean().default(false),
  Connector: z.boolean().default(false),
  KubernetesObject: z.boolean().default(false),
});
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
