import { randomUUID } from 'node:crypto';
import { assertNever, ReconcilerError } from '../../errors.ts';
import type { ChannelSpec } from '../../model/channel.ts';
import { isSecretRef, type SecretRef } from '../../model/common.ts';
import type { Notification, Notifier } from '../../ports/notifier.ts';
import type { SecretResolver } from '../../ports/secret-resolver.ts';
import { SIGNATURE_HEADER, signBody } from '../common/webhook-signature.ts';
import { pagerDutyEvent, slackMessage, webhookPayload } from './format.ts';
import { type HttpOptions, postJson } from './http.ts';

export interface ChannelNotifierOptions extends HttpOptions {
  channels: readonly { name: string; spec: ChannelSpec }[];
  secrets: SecretResolver;
  now?: () => Date;
  newId?: () => string;
}

/**
 * Sends notifications to the Channels of a config: Slack incoming webhooks, PagerDuty Events API v2 and
 * generic webhooks signed with HMAC-SHA256 (`x-landscape-signature-256: sha256=<hex>` over the raw body).
 *
 * Secrets (webhook URLs given as references, routing keys, signing secrets) are resolved on each send, so a
 * rotated secret is picked up, and never appear in errors or logs: every error message is redacted.
 */
export class ChannelNotifier implements Notifier {
  readonly #channels: Map<string, ChannelSpec>;
  readonly #secrets: SecretResolver;
  readonly #http: HttpOptions;
  readonly #now: () => Date;
  readonly #newId: () => string;

  constructor(options: ChannelNotifierOptions) {
    this.#channels = new Map(options.channels.map((c) => [c.name, c.spec]));
    this.#secrets = options.secrets;
    this.#http = {
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    };
    this.#now = options.now ?? (() => new Date());
    this.#newId = options.newId ?? randomUUID;
  }

  async #value(value: string | SecretRef): Promise<string> {
    return isSecretRef(value) ? this.#secrets.resolve(value) : value;
  }

  async send(channel: string, notification: Notification): Promise<void> {
    const spec = this.#channels.get(channel);
    if (!spec) throw new ReconcilerError('NotFound', `no Channel named "${channel}"`);
    const what = `${notification.action} of "${notification.dedupKey}" to Channel "${channel}" (${spec.type})`;
    switch (spec.type) {
      case 'slack': {
        const url = await this.#value(spec.webhookUrl);
        await postJson(what, url, JSON.stringify(slackMessage(notification)), {}, [url], this.#http);
        return;
      }
      case 'pagerduty': {
        const routingKey = await this.#secrets.resolve(spec.routingKey);
        const body = JSON.stringify(pagerDutyEvent(notification, routingKey));
        await postJson(what, spec.url, body, {}, [routingKey], this.#http);
        return;
      }
      case 'webhook': {
        const url = await this.#value(spec.url);
        const secret = spec.secret ? await this.#secrets.resolve(spec.secret) : undefined;
        const deliveryId = this.#newId();
        const body = JSON.stringify(webhookPayload(notification, deliveryId, this.#now().toISOString()));
        const headers: Record<string, string> = {
          'x-landscape-event': notification.source,
          'x-landscape-delivery': deliveryId,
        };
        if (secret !== undefined) headers[SIGNATURE_HEADER] = signBody(secret, body);
        const secrets = [secret ?? '', isSecretRef(spec.url) ? url : ''];
        await postJson(what, url, body, headers, secrets, this.#http);
        return;
      }
      default:
        return assertNever(spec, 'Channel type');
    }
  }
}
