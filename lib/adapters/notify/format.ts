import type { Notification } from '../../ports/notifier.ts';

/** PagerDuty Events API v2 severities; Landscape's `critical | warning | info` map onto them directly. */
export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

const EMOJI = {
  trigger: { critical: ':rotating_light:', warning: ':warning:', info: ':information_source:' },
  resolve: ':white_check_mark:',
};

function title(n: Notification): string {
  const what = n.source === 'drift' ? 'drift' : `alert "${n.name}"`;
  return n.action === 'trigger'
    ? `[${n.severity}] ${what} in ${n.environment}`
    : `resolved: ${what} in ${n.environment}`;
}

/** A Slack incoming-webhook message: `text` for notifications and clients without blocks, plus blocks. */
export function slackMessage(n: Notification): Record<string, unknown> {
  const emoji = n.action === 'trigger' ? EMOJI.trigger[n.severity] : EMOJI.resolve;
  const text = `${emoji} ${title(n)}: ${n.summary}`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${emoji} *${title(n)}*\n${n.summary}` } },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `environment \`${n.environment}\` · ${n.at} · key \`${n.dedupKey}\`` }],
      },
    ],
  };
}

/**
 * A PagerDuty Events API v2 event. Trigger and resolve carry the same `dedup_key`, so the resolve closes the
 * incident the trigger opened (and repeated triggers of one episode stay one incident).
 */
export function pagerDutyEvent(n: Notification, routingKey: string): Record<string, unknown> {
  if (n.action === 'resolve') {
    return { routing_key: routingKey, event_action: 'resolve', dedup_key: n.dedupKey };
  }
  const component =
    typeof n.details.group === 'string'
      ? n.details.group
      : typeof n.details.topic === 'string'
        ? n.details.topic
        : undefined;
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: n.dedupKey,
    client: 'Landscape',
    payload: {
      summary: `${title(n)}: ${n.summary}`.slice(0, 1024),
      source: `landscape/${n.environment}`,
      severity: n.severity satisfies PagerDutySeverity,
      timestamp: n.at,
      group: n.environment,
      class: n.source,
      ...(component ? { component } : {}),
      custom_details: { name: n.name, ...n.details },
    },
  };
}

/** The generic webhook body: the notification itself, typed and with a delivery id. */
export function webhookPayload(n: Notification, deliveryId: string, sentAt: string): Record<string, unknown> {
  return { type: `landscape.${n.source}`, deliveryId, sentAt, ...n };
}
