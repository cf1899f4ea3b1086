import { openKafkaMonitorReader } from '../../lib/adapters/kafka/monitor-reader.ts';
import { ChannelNotifier } from '../../lib/adapters/notify/channel-notifier.ts';
import { parseConfig, WorkerConfigSchema } from '../shared/config.ts';
import { logger } from '../shared/logger.ts';
import { buildSecrets } from '../shared/platform-secrets.ts';
import { buildState } from '../shared/wiring-state.ts';
import { createMonitorHandler } from './app.ts';

// Composition root (cold start): the state table only (published monitor configs and alert states are
// values; no plan bodies, no audit records, so no bucket), platform secrets per environment (buildSecrets);
// the Kafka reader is opened per environment and invocation.
const config = parseConfig(WorkerConfigSchema, process.env, { tableOnly: true });

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
