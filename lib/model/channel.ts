import { z } from 'zod';
import { SecretRefSchema, UrlOrSecretSchema as UrlOrSecret } from './common.ts';

export const ChannelSpecSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('slack'), webhookUrl: UrlOrSecret }),
  z.strictObject({
    type: z.literal('pagerduty'),
    routingKey: SecretRefSchema,
    /** Events API v2 endpoint; overridable for tests and EU accounts. */
    url: z.url().default('https://events.pagerduty.com/v2/enqueue'),
  }),
  z.strictObject({
    type: z.literal('webhook'),
    url: UrlOrSecret,
    /** HMAC-SHA256 signing secret; the signature goes in `x-landscape-signature-256`. */
    secret: SecretRefSchema.optional(),
  }),
]);
export type ChannelSpec = z.infer<typeof ChannelSpecSchema>;
