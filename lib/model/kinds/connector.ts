import { z } from 'zod';
import { SecretRefSchema } from '../common.ts';

export const ConnectorSpecSchema = z.strictObject({
  /** Name of a connect cluster in the Environment's `connect` map. */
  cluster: z.string().min(1).default('default'),
  class: z.string().min(1),
  tasksMax: z.int().positive().default(1),
  /** Values are strings or secret references (resolved only at apply; plans say changed/unchanged). */
  config: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), SecretRefSchema])).default({}),
  state: z.enum(['running', 'paused']).default('running'),
  /** How long apply waits for the connector and its tasks to be RUNNING. */
  healthTimeout: z.string().default('60s'),
});
export type ConnectorSpec = z.infer<typeof ConnectorSpecSchema>;
