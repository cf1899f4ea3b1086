import type { Logger } from '@aws-lambda-powertools/logger';
import {
  type ReceiveWebhookDeps,
  receiveGitHubWebhook,
  WEBHOOK_HTTP_STATUS,
} from '../../lib/use-cases/receive-webhook.ts';
import { httpStack, json, rawBody } from '../shared/http.ts';

/**
 * POST /webhooks/github: verify the raw body, triage, dedupe, store the job, dispatch it, answer 202.
 * The heavy work (fetch, observe, plan) runs in the worker (ADR 0010), so this function never loads the
 * Kafka client and answers GitHub within its 10-second limit.
 */
export function createWebhookHandler(deps: ReceiveWebhookDeps, log: Logger) {
  return httpStack(log, async (event) => {
    if (event.requestContext?.http?.method && event.requestContext.http.method !== 'POST') {
      return json(405, { error: { code: 'MethodNotAllowed', message: 'use POST' } }, { allow: 'POST' });
    }
    const outcome = await receiveGitHubWebhook(deps, { headers: event.headers ?? {}, rawBody: rawBody(event) });
    return json(WEBHOOK_HTTP_STATUS[outcome.status], outcome);
  });
}
