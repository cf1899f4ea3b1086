import { z } from 'zod';
import { SecretRefSchema } from '../common.ts';

/** How Landscape reaches the schema registry (`spec.schemaRegistry`) and Connect clusters (`spec.connect`). */
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
export type SchemaRegistryConnection = z.infer<typeof SchemaRegistryConnectionSchema>;
export type ConnectCluster = z.infer<typeof ConnectClusterSchema>;
