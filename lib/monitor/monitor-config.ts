import type { ChannelSpec } from '../model/channel.ts';
import type { DataPolicySpec } from '../model/data-policy.ts';
import { type ConfigDocument, documentsOfKind, type LoadedConfig } from '../model/documents.ts';
import type { EnvironmentSpec } from '../model/environment.ts';
import type { StateStore } from '../ports/state-store.ts';
import type { MonitoredRule } from './evaluate.ts';

/**
 * The part of an environment's config the monitor (and the channel drift notifier) needs, as one JSON value.
 *
 * Why a snapshot: the scheduled monitor function runs every minute without a git checkout (no GitHub access,
 * small and fast). Whoever loads the applied commit's config (the apply path, the drift run, `landscape
 * monitor`) publishes it with `publishMonitorConfig`; the monitor evaluates the rules of the last published
 * commit, which is what GitOps promises: alert rules take effect when they are applied. Secret references
 * only, never values.
 */
export interface MonitorConfig {
  environment: string;
  commit?: string;
  publishedAt: string;
  connections: Pick<EnvironmentSpec, 'kafka' | 'schemaRegistry'>;
  rules: MonitoredRule[];
  channels: { name: string; spec: ChannelSpec }[];
  /** Channels the Environment's drift reports go to (`spec.drift.channels`). */
  driftChannels: string[];
  dataPolicies: { name: string; spec: DataPolicySpec }[];
}

export const monitorConfigName = (environment: string): string => `monitor/${environment}/config`;

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);

/** Extracts the monitor's view of a loaded config. */
export function monitorConfigOf(config: LoadedConfig, options: { commit?: string; now?: Date } = {}): MonitorConfig {
  const env = config.environment;
  const pick = <K extends 'AlertRule' | 'Channel' | 'DataPolicy'>(kind: K) =>
    documentsOfKind(config.documents, kind).map((d: ConfigDocument<K>) => ({ name: d.metadata.name, spec: d.spec }));
  return {
    environment: env.metadata.name,
    ...(options.commit ? { commit: options.commit } : {}),
    publishedAt: (options.now ?? new Date()).toISOString(),
    connections: {
      kafka: env.spec.kafka,
      ...(env.spec.schemaRegistry ? { schemaRegistry: env.spec.schemaRegistry } : {}),
    },
    rules: pick('AlertRule').sort(byName),
    channels: pick('Channel').sort(byName),
    driftChannels: [...env.spec.drift.channels],
    dataPolicies: pick('DataPolicy').sort(byName),
  };
}

/**
 * Stores the monitor's view of `config` for the scheduled monitor. Call it after a successful apply (and from
 * drift runs, which load the applied commit anyway), so the monitor follows the applied commit.
 *
 * @example
 * await publishMonitorConfig(store, config, { commit: plan.source.commit });
 */
export async function publishMonitorConfig(
  store: Pick<StateStore, 'putValue'>,
  config: LoadedConfig,
  options: { commit?: string; now?: Date } = {},
): Promise<MonitorConfig> {
  const snapshot = monitorConfigOf(config, options);
  await store.putValue(monitorConfigName(snapshot.environment), snapshot);
  return snapshot;
}

/** The last published monitor config of an environment, if any. */
export async function loadMonitorConfig(
  store: Pick<StateStore, 'getValue'>,
  environment: string,
): Promise<MonitorConfig | undefined> {
  return store.getValue<MonitorConfig>(monitorConfigName(environment));
}
