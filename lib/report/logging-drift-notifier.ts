import type { PipelineLogger } from '../ports/logger.ts';
import type { DriftNotifier, DriftReport } from '../ports/reporter.ts';

/**
 * One structured log line per new, changed or resolved drift (alarms and log subscriptions can pick it up).
 * Serve and the drift function pass it to ChannelDriftNotifier as the fallback it always logs through.
 */
export class LoggingDriftNotifier implements DriftNotifier {
  readonly #log: PipelineLogger;
  readonly reports: DriftReport[] = [];

  constructor(log: PipelineLogger) {
    this.#log = log;
  }

  async notify(report: DriftReport): Promise<void> {
    this.reports.push(report);
    this.#log.warn(report.status === 'resolved' ? 'drift resolved' : 'drift detected', {
      environment: report.environment,
      commit: report.commit,
      digest: report.digest,
      resources: report.resources.map((r) => ({ key: r.key, action: r.action, fields: r.fields.map((f) => f.path) })),
      ...(report.remediationPlanId ? { remediationPlanId: report.remediationPlanId } : {}),
    });
  }
}
