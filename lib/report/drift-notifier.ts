import { loadMonitorConfig } from '../config/published-config.ts';
import type { ChannelSpec } from '../model/channel.ts';
import type { Notification, Notifier } from '../ports/notifier.ts';
import type { DriftNotifier, DriftReport } from '../ports/reporter.ts';
import type { StateStore } from '../ports/state-store.ts';

/** A Notifier over the given Channels (lib/wiring passes the one of lib/adapters/notify). */
export type NotifierForChannels = (
  channels: readonly { name: string; spec: ChannelSpec }[],
  /** The environment whose config declares the channels: their secrets are read as that environment. */
  environment: string,
) => Notifier;

/** One drift episode per environment: the resolve closes what the trigger opened. */
export const driftDedupKey = (environment: string): string => `landscape/${environment}/drift`;

/** A drift report as a channel notification: resource keys and field paths, never values. */
export function driftNotification(report: DriftReport): Notification {
  const count = report.resources.length;
  const commit = report.commit.slice(0, 12);
  return {
    source: 'drift',
    action: report.status === 'drifted' ? 'trigger' : 'resolve',
    environment: report.environment,
    name: 'drift',
    severity: 'warning',
    summary:
      report.status === 'drifted'
        ? `${count} resource${count === 1 ? ' differs' : 's differ'} from applied commit ${commit}${report.remediationPlanId ? ' (remediation planned)' : ''}`
        : `the platform matches applied commit ${commit} again`,
    dedupKey: driftDedupKey(report.environment),
    at: report.checkedAt,
    details: {
      commit: report.commit,
      digest: report.digest,
      ...(report.remediationPlanId ? { remediationPlanId: report.remediationPlanId } : {}),
      resources: report.resources
        .slice(0, 50)
        .map((r) => ({ key: r.key, action: r.action, fields: r.fields.map((f) => f.path) })),
    },
  };
}

/**
 * The DriftNotifier over Channels: sends each new, changed or resolved drift to the Environment's
 * `spec.drift.channels`, read from the published monitor config (lib/config/published-config.ts). Every
 * channel is tried; failures are collected into one AggregateError after all were attempted.
 */
export class ChannelDriftNotifier implements DriftNotifier {
  readonly #store: Pick<StateStore, 'getValue'>;
  readonly #notifierFor: NotifierForChannels;
  readonly #fallback: DriftNotifier | undefined;

  constructor(options: {
    store: Pick<StateStore, 'getValue'>;
    notifierFor: NotifierForChannels;
    fallback?: DriftNotifier;
  }) {
    this.#store = options.store;
    this.#notifierFor = options.notifierFor;
    this.#fallback = options.fallback;
  }

  async notify(report: DriftReport): Promise<void> {
    await this.#fallback?.notify(report);
    const config = await loadMonitorConfig(this.#store, report.environment);
    if (!config || config.driftChannels.length === 0) return;
    const notifier = this.#notifierFor(config.channels, report.environment);
    const notification = driftNotification(report);
    const results = await Promise.allSettled(config.driftChannels.map((c) => notifier.send(c, notification)));
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (errors.length > 0) {
      throw new AggregateError(
        errors,
        `notifying drift of "${report.environment}": ${errors.length} channel(s) failed`,
      );
    }
  }
}
