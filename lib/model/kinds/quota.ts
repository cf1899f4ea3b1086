import { z } from 'zod';

/**
 * Client quotas (KIP-546). At least one entity; `<default>` means the default entity of that type.
 * Rates are bytes per second; requestPercentage is a share of request-handler time.
 */
export const QuotaSpecSchema = z
  .strictObject({
    user: z
      .string()
      .min(1)
      .optional()
      .describe('The user name (without `User:`), or `<default>` for every user without its own quota.'),
    clientId: z
      .string()
      .min(1)
      .optional()
      .describe("The client id, or `<default>`. With `user`: that user's clients with this id."),
    producerByteRate: z.number().int().positive().optional().describe('Bytes per second produced, per broker.'),
    consumerByteRate: z.number().int().positive().optional().describe('Bytes per second fetched, per broker.'),
    requestPercentage: z
      .number()
      .positive()
      .optional()
      .describe('Share of request-handler and network thread time, in percent (of one thread).'),
    controllerMutationRate: z
      .number()
      .positive()
      .optional()
      .describe('Partition mutations (create, add, delete) per second.'),
  })
  .refine((q) => q.user !== undefined || q.clientId !== undefined, {
    message: 'name a "user" or a "clientId" (or both)',
    path: ['user'],
  })
  .refine(
    (q) =>
      q.producerByteRate !== undefined ||
      q.consumerByteRate !== undefined ||
      q.requestPercentage !== undefined ||
      q.controllerMutationRate !== undefined,
    { message: 'set at least one of producerByteRate, consumerByteRate, requestPercentage, controllerMutationRate' },
  )
  .describe(
    'Client quotas (KIP-546) of a user, a client id, or both. Name a `user` or a `clientId` (or both) and set at least one rate.',
  );
export type QuotaSpec = z.infer<typeof QuotaSpecSchema>;

/** Quota names as Kafka spells them, keyed by the spec field. */
export const QUOTA_KEYS = {
  producerByteRate: 'producer_byte_rate',
  consumerByteRate: 'consumer_byte_rate',
  requestPercentage: 'request_percentage',
  controllerMutationRate: 'controller_mutation_rate',
} as const;
