import { z } from 'zod';
import { SecretRefSchema } from '../common.ts';
import { PrincipalSchema } from './acl.ts';

const ContainerRuntimeSchema = z.strictObject({
  type: z.literal('container'),
  image: z.string().min(1).describe('The container image, e.g. `ghcr.io/acme/orders-enricher:1.4.2`.'),
  replicas: z.int().min(0).default(1).describe('Pods of its Deployment.'),
  command: z.array(z.string()).optional().describe("The container's entrypoint (default: the image's)."),
  args: z.array(z.string()).optional().describe("Arguments to it (default: the image's)."),
  env: z
    .record(z.string(), z.union([z.string(), SecretRefSchema]))
    .default({})
    .describe('Environment variables; a secret reference becomes a Kubernetes Secret key reference.'),
  resources: z
    .strictObject({
      requests: z.record(z.string(), z.string()).optional(),
      limits: z.record(z.string(), z.string()).optional(),
    })
    .optional()
    .describe(
      'Kubernetes resource requests and limits, e.g. `{ requests: { cpu: 250m }, limits: { memory: 512Mi } }`.',
    ),
});

const SqlRuntimeSchema = z.strictObject({
  type: z.literal('sql'),
  statement: z
    .string()
    .min(1)
    .describe('Flink-style SQL; every topic it reads or writes must be in `consumes`/`produces`.'),
  runnerImage: z
    .string()
    .min(1)
    .default('ghcr.io/landscape-dev/sql-runner:1')
    .describe('The image that runs the statement.'),
  replicas: z.int().min(0).default(1).describe('Pods of its Deployment.'),
});

/**
 * A streaming app and the Kafka access it needs, as one package: rendered to Kubernetes objects and ACLs.
 */
export const AppSpecSchema = z
  .strictObject({
    principal: PrincipalSchema,
    consumes: z.array(z.string().min(1)).default([]).describe('Topics it reads: READ and DESCRIBE ACLs.'),
    produces: z
      .array(z.string().min(1))
      .default([])
      .describe('Topics it writes: WRITE and DESCRIBE ACLs (and IDEMPOTENT_WRITE on the cluster).'),
    consumerGroup: z
      .string()
      .min(1)
      .optional()
      .describe('Its consumer group (READ ACL); default `metadata.name` when it consumes.'),
    transactionalId: z.string().min(1).optional().describe('Its transactional id (WRITE and DESCRIBE ACLs).'),
    namespace: z.string().min(1).optional().describe("Kubernetes namespace; default the Environment's."),
    runtime: z
      .discriminatedUnion('type', [ContainerRuntimeSchema, SqlRuntimeSchema])
      .describe('How it runs: `container` (an image) or `sql` (a statement run by the SQL runner image).'),
  })
  .describe(
    'A streaming app and the Kafka access it needs, as one package: rendered to ACLs and to Kubernetes objects (ServiceAccount, ConfigMap, Deployment).',
  );
export type AppSpec = z.infer<typeof AppSpecSchema>;
