import { z } from 'zod';
import type { ResourceKey } from '../resource.ts';

/** The only quota Kafka accepts on the `ip` entity type (KIP-612), and only on that entity alone. */
export const IP_QUOTA_KEY = 'connection_creation_rate';

/** How the model (and the broker's describe output) names the default IP entity: every IP without its own. */
export const DEFAULT_IP = '<default>';

/**
 * Connection-creation quotas per client IP (KIP-612): how many new connections per second one IP (or, with
 * `<default>`, every IP without its own quota) may open to each broker.
 */
export const IpQuotaSpecSchema = z
  .strictObject({
    ip: z.string().min(1).describe('A client IP address, or `<default>` for every IP without its own quota.'),
    connectionCreationRate: z
      .number()
      .positive()
      .describe('New connections per second this IP may open to each broker (`connection_creation_rate`).'),
  })
  .describe('A connection-creation quota per client IP (KIP-612).');
export type IpQuotaSpec = z.infer<typeof IpQuotaSpecSchema>;

export const IP_QUOTA_KEY_PREFIX = 'kafka/ip-quota/';

/** `kafka/ip-quota/10.0.0.7`, `kafka/ip-quota/<default>`. */
export const ipQuotaKey = (ip: string): ResourceKey => `${IP_QUOTA_KEY_PREFIX}${ip}`;
