/**
 * Notification channels (issue 6): Slack incoming webhooks, PagerDuty Events API v2 and HMAC-signed generic
 * webhooks, for alerts and drift reports (`ChannelNotifier`; lib/report/drift-notifier.ts sends drift through
 * it), and the webhook AuditSink.
 */
export { ChannelNotifier, type ChannelNotifierOptions } from './channel-notifier.ts';
export { pagerDutyEvent, slackMessage, webhookPayload } from './format.ts';
export type { HttpOptions } from './http.ts';
export { WebhookAuditSink } from './webhook-audit-sink.ts';
