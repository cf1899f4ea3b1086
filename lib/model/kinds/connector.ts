import { z } from 'zod';
import { type SecretRef, SecretRefSchema } from '../common.ts';

export const ConnectorSpecSchema = z
  .strictObject({
    cluster: z
      .string()
      .min(1)
      .default('default')
      .describe("Name of a Connect cluster in the Environment's `connect` map."),
    class: z.string().min(1).describe('`connector.class`, e.g. `io.confluent.connect.jdbc.JdbcSinkConnector`.'),
    tasksMax: z.int().positive().default(1).describe('`tasks.max`.'),
    config: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), SecretRefSchema]))
      .default({})
      .describe(
        'The rest of the connector config. Secret references are resolved only at apply; plans say changed/unchanged.',
      ),
    state: z
      .enum(['running', 'paused'])
      .default('running')
      .describe('`paused` pauses the connector; `running` resumes a paused or stopped one.'),
    healthTimeout: z
      .string()
      .default('60s')
      .describe('How long apply waits for the connector and its tasks to be RUNNING.'),
  })
  .describe('A Kafka Connect connector (`metadata.name` is its name) on one Connect cluster.');
export type ConnectorSpec = z.infer<typeof ConnectorSpecSchema>;

/** What an observed connector shows instead of a value that may be secret. */
export const REDACTED = '(redacted)';

/**
 * Connector config key where apply records which keys it filled from secret references, so that observing the
 * connector later (even in another process) knows exactly which values to redact. Connect passes unknown keys to
 * the connector, which ignores them.
 */
export const SECRET_KEYS_CONFIG = 'landscape.secret.keys';

/**
 * Key names whose values are redacted when observed even without the marker (connectors Landscape did not
 * create, or created before the marker): passwords, tokens, JAAS configs, API and private keys.
 */
export const SENSITIVE_KEY =
  /(password|passwd|secret|token|credential|jaas|api[._-]?key|private[._-]?key|access[._-]?key)/i;

/** A connector as rendered (renderConnector, lib/plan/kinds/connector.ts). */
export interface ConnectorDesired {
  cluster: string;
  class: string;
  tasksMax: number;
  config: Record<string, string | SecretRef>;
  state: 'running' | 'paused';
  healthTimeout: string;
}

/** A connector as observed: config without name/class/tasks.max, possibly secret values redacted. */
export interface ConnectorLive {
  cluster: string;
  class: string;
  tasksMax: number;
  config: Record<string, string>;
  /** `stopped` when someone stopped it (Connect 3.5+): desired `running` resumes it. */
  state: 'running' | 'paused' | 'stopped';
}
