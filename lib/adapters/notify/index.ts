/**
 * Notification channels (issue 6): Slack incoming webhooks, PagerDuty Events API v2 and HMAC-signed generic
 * webhooks, for alerts (`ChannelNotifier`) and drift reports (`ChannelDriftNotifier`).
 */
export { ChannelDriftNotifier, driftDedupKey, driftNotification } from './channel-drift-notifier.ts';
export { ChannelNotifier, type ChannelNotifierOptions } from './channel-notifier.ts';
export { pagerDutyEvent, slackMessage, webhookPayload } from './format.ts';
export type { HttpOptions } from './http.ts';
