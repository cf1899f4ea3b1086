import { z } from 'zod';
import { SecretRefSchema } from '../common.ts';
import { PrincipalSchema } from './acl.ts';

const ContainerRuntimeSchema = z.strictObject({
  type: z.literal('container'),
  image: z.string().min(1),
  replicas: z.int().min(0).default(1),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.union([z.string(), SecretRefSchema])).default({}),
  resources: z
    .strictObject({
      requests: z.record(z.string(), z.string()).optional(),
      limits: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
});

const SqlRuntimeSchema = z.strictObject({
  type: z.literal('sql'),
  statement: z.string().min(1),
  runnerImage: z.string().min(1).default('ghcr.io/landscape-dev/sql-runner:1'),
  replicas: z.int().min(0).default(1),
});

/**
 * A streaming app and the Kafka access it needs, as one package: rendered to Kubernetes objects and ACLs.
 */
export const AppSpecSchema = z.strictObject({
  principal: PrincipalSchema,
  consumes: z.array(z.string().min(1)).default([]),
  produces: z.array(z.string().min(1)).default([]),
  consumerGroup: z.string().min(1).optional(),
  transactionalId: z.string().min(1).optional(),
  namespace: z.string().min(1).optional(),
  runtime: z.discriminatedUnion('type', [ContainerRuntimeSchema, SqlRuntimeSchema]),
});
export type AppSpec = z.infer<typeof AppSpecSchema>;
