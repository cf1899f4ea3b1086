import type { MonitoredRule } from '../model/alert-rule.ts';
import type { AuditSinkSpec } from '../model/audit-sink.ts';
import type { ChannelSpec } from '../model/channel.ts';
import type { DataPolicySpec } from '../model/data-policy.ts';
import { type ConfigDocument, documentsOfKind, type LoadedConfig } from '../model/documents.ts';
import type { EnvironmentSpec } from '../model/environment.ts';
import type { StateStore } from '../ports/state-store.ts';

/**
 * The part of an environment's config that code without a git checkout needs, as one JSON value: the
 * monitor (alert rules, channels), the drift notifier (drift channels), the audit fan-out (AuditSinks) and
 * topic samples (DataPolicies, connections).
 *
 * Why a snapshot: the scheduled monitor function runs every minute without a git checkout (no GitHub access,
 * small and fast), and an audit record or a sample request must not wait for one. Whoever loads the config
 * being deployed (a planned push, `landscape apply`, `landscape monitor`) publishes it with
 * `publishMonitorConfig`; the rest reads the last published commit, which is what GitOps promises: alert
 * rules, audit sinks and masking take effect when they are merged, and a pull request cannot redirect them.
 * Secret references only, never values.
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
  /** Absent in snapshots published before AuditSinks were fanned out: read it as empty. */
  auditSinks?: { name: string; spec: AuditSinkSpec }[];
}

export const monitorConfigName = (environment: string): string => `monitor/${environment}/config`;

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);

/** Extracts the monitor's view of a loaded config. */
export function monitorConfigOf(config: LoadedConfig, options: { commit?: string; now?: Date } = {}): MonitorConfig {
  const env = config.environment;
  const pick = <K extends 'AlertRule' | 'Channel' | 'DataPolicy' | 'AuditSink'>(kind: K) =>
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
    auditSinks: pick('AuditSink').sort(byName),
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
