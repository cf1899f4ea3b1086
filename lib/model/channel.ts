import { z } from 'zod';
import { SecretRefSchema, UrlOrSecretSchema as UrlOrSecret } from './common.ts';

export const ChannelSpecSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('slack'),
      webhookUrl: UrlOrSecret.describe(
        'The Slack incoming-webhook URL; it embeds its own credential, so a secret reference keeps it out of git.',
      ),
    }),
    z.strictObject({
      type: z.literal('pagerduty'),
      routingKey: SecretRefSchema.describe('The integration (routing) key of the PagerDuty service.'),
      url: z
        .url()
        .default('https://events.pagerduty.com/v2/enqueue')
        .describe('Events API v2 endpoint (EU accounts have their own).'),
    }),
    z.strictObject({
      type: z.literal('webhook'),
      url: UrlOrSecret,
      secret: SecretRefSchema.optional().describe(
        'HMAC-SHA256 signing secret; the signature goes in the `x-landscape-signature-256` header.',
      ),
    }),
  ])
  .describe('Where alerts and drift reports go: Slack, PagerDuty or a (signed) webhook.');
export type ChannelSpec = z.infer<typeof ChannelSpecSchema>;
