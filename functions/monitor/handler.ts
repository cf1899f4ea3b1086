import { openKafkaMonitorReader } from '../../lib/adapters/kafka/monitor-reader.ts';
import { ChannelNotifier } from '../../lib/adapters/notify/channel-notifier.ts';
import { parseConfig, WorkerConfigSchema } from '../shared/config.ts';
import { logger } from '../shared/logger.ts';
import { buildSecrets, buildState } from '../shared/wiring-state.ts';
import { createMonitorHandler } from './app.ts';

// Composition root (cold start): AwsStateStore({ bucket, table }) and SecretsManagerResolver() come from
// buildState/buildSecrets (lib/adapters/aws); the Kafka reader is opened per environment and invocation.
const config = parseConfig(WorkerConfigSchema);

export const handler = createMonitorHandler(
  {
    store: buildState(config.store).store,
    secrets: buildSecrets(config),
    openReader: openKafkaMonitorReader,
    notifierFor: (channels, secrets) => new ChannelNotifier({ channels, secrets }),
    now: () => new Date(),
  },
  logger,
);
