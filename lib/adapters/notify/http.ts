import { AdapterError, messageOf } from '../../errors.ts';
import { redactSecrets } from '../common/webhook-signature.ts';

export interface HttpOptions {
  /** Injected for tests; global fetch otherwise. */
  fetch?: typeof fetch;
  /** Per request; a channel that hangs must not stall the monitor. Default 10 s. */
  timeoutMs?: number;
}

/**
 * POSTs a JSON body. Failures become `AdapterError`s whose message and cause have every value of `secrets`
 * (webhook URLs, routing keys) redacted: a Slack webhook URL *is* its credential, and fetch puts URLs in its
 * errors. 429 and 5xx are retryable.
 */
export async function postJson(
  what: string,
  url: string,
  body: string,
  headers: Record<string, string>,
  secrets: readonly string[],
  options: HttpOptions = {},
): Promise<Response> {
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'landscape', ...headers },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    const cause = error instanceof Error ? error.cause : undefined;
    const detail = [messageOf(error), cause === undefined ? '' : messageOf(cause)].filter(Boolean).join(': ');
    const safe = redactSecrets(detail, secrets);
    throw new AdapterError(`sending ${what}: ${safe}`, { cause: new Error(safe), retryable: true });
  }
  if (!response.ok) {
    const text = await response.text().catch(() => '');
    const excerpt = redactSecrets(text.slice(0, 300), secrets).replace(/\s+/g, ' ').trim();
    throw new AdapterError(
      `sending ${what}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${excerpt ? `: ${excerpt}` : ''}`,
      { retryable: response.status === 429 || response.status >= 500 },
    );
  }
  await response.body?.cancel().catch(() => undefined);
  return response;
}
