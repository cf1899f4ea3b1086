import { z } from 'zod';

/**
 * Client quotas (KIP-546). At least one entity; `<default>` means the default entity of that type.
 * Rates are bytes per second; requestPercentage is a share of request-handler time.
 */
export const QuotaSpecSchema = z
  .strictObject({
    user: z.string().min(1).optional(),
    clientId: z.string().min(1).optional(),
    producerByteRate: z.number().int().positive().optional(),
    consumerByteRate: z.number().int().positive().optional(),
    requestPercentage: z.number().positive().optional(),
    controllerMutationRate: z.number().positive().optional(),
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
  );
export type QuotaSpec = z.infer<typeof QuotaSpecSchema>;

/** Quota names as Kafka spells them, keyed by the spec field. */
export const QUOTA_KEYS = {
  producerByteRate: 'producer_byte_rate',
  consumerByteRate: 'consumer_byte_rate',
  requestPercentage: 'request_percentage',
  controllerMutationRate: 'controller_mutation_rate',
} as const;
