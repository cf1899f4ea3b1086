import { ChannelNotifier } from '../adapters/notify/channel-notifier.ts';
import type { PipelineLogger } from '../ports/logger.ts';
import type { DriftNotifier } from '../ports/reporter.ts';
import { type SecretResolver, secretsForEnvironment } from '../ports/secret-resolver.ts';
import type { StateStore } from '../ports/state-store.ts';
import { ChannelDriftNotifier } from '../report/drift-notifier.ts';
import { LoggingDriftNotifier } from '../report/logging-drift-notifier.ts';

/**
 * The drift notifier of serve and the drift function: drift goes to the Environment's `spec.drift.channels`
 * of the published config; it is always logged, so without published channels it is only logged.
 */
export function channelDriftNotifier(deps: {
  store: Pick<StateStore, 'getValue'>;
  secrets: SecretResolver;
  log: PipelineLogger;
}): DriftNotifier {
  return new ChannelDriftNotifier({
    store: deps.store,
    notifierFor: (channels, environment) =>
      new ChannelNotifier({ channels, secrets: secretsForEnvironment(deps.secrets, environment) }),
    fallback: new LoggingDriftNotifier(deps.log),
  });
}
