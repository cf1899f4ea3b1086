import { setTimeout as sleep } from 'node:timers/promises';
import { openKafkaMonitorReader } from '../adapters/kafka/monitor-reader.ts';
import { ChannelNotifier } from '../adapters/notify/channel-notifier.ts';
import { publishMonitorConfig } from '../config/published-config.ts';
import { messageOf } from '../errors.ts';
import type { RuleResult } from '../monitor/evaluate.ts';
import { type MonitorRun, runMonitorOnce } from '../monitor/run-monitor.ts';
import { gitCommitOf, localContext } from '../wiring/local.ts';
import { loadOrReport } from './load-or-report.ts';
import { EXIT } from './output.ts';

export interface MonitorOptions {
  env: string;
  state?: string;
  /** One evaluation, then exit: 0 nothing firing, 2 something firing, 1 error. */
  once?: boolean;
  /** Seconds between evaluations (default 30). */
  intervalSeconds?: number;
  /** Stops the loop (tests; the CLI stops on SIGINT/SIGTERM). */
  signal?: AbortSignal;
}

function statusWord(result: RuleResult): string {
  if (result.status === 'firing') return 'FIRING ';
  if (result.status === 'pending') return 'pending';
  return result.measurement.breached === undefined ? 'no data' : 'ok     ';
}

function printRun(run: MonitorRun, at: Date): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(
    `${at.toISOString()} "${run.environment}": ${run.results.length} rule(s) in ${run.durationMs} ms (cluster read ${run.readMs} ms)`,
  );
  for (const result of run.results) {
    const change = result.transition ? `  [${result.transition.from} -> ${result.transition.to}]` : '';
    out(`  ${statusWord(result)} ${result.rule}: ${result.measurement.summary}${change}`);
  }
  for (const d of run.deliveries) {
    out(
      d.delivered
        ? `  sent ${d.action} ${d.dedupKey} to channel "${d.channel}"`
        : `  FAILED ${d.action} ${d.dedupKey} to channel "${d.channel}": ${d.error} (retried next evaluation)`,
    );
  }
}

/**
 * `landscape monitor DIR --env E [--once]`: evaluates the environment's AlertRules against the live cluster
 * every `intervalSeconds` and notifies their Channels when an alert fires or resolves. Alert state lives in
 * the state directory, so a restarted monitor neither repeats nor forgets alerts. It also publishes the
 * rules for the scheduled monitor function and the drift notifier (lib/config/published-config.ts).
 */
export async function monitorCommand(dir: string, options: MonitorOptions): Promise<number> {
  const config = await loadOrReport(dir, options.env);
  if (!config) return EXIT.error;
  const context = localContext(options.state, dir);
  // Publishes what it evaluates (with the commit, when DIR is a git work tree), like an apply would.
  const { commit } = await gitCommitOf(dir);
  const snapshot = await publishMonitorConfig(context.store, config, commit ? { commit } : {});
  if (snapshot.rules.length === 0) {
    process.stdout.write(`no AlertRules in environment "${options.env}": nothing to evaluate\n`);
    return EXIT.ok;
  }
  const reader = await openKafkaMonitorReader(config.environment.spec.kafka, context.secrets);
  const notifier = new ChannelNotifier({ channels: snapshot.channels, secrets: context.secrets });
  const controller = new AbortController();
  const stop = () => controller.abort();
  if (!options.once) {
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  const intervalMs = Math.max(1, options.intervalSeconds ?? 30) * 1000;
  try {
    for (;;) {
      const started = new Date();
      try {
        const run = await runMonitorOnce(
          {
            store: context.store,
            reader,
            notifier,
            now: () => new Date(),
            log: (message, attributes) =>
              process.stderr.write(`  ${message}${attributes ? ` ${JSON.stringify(attributes)}` : ''}\n`),
          },
          { environment: options.env, rules: snapshot.rules },
        );
        printRun(run, started);
        if (options.once) return run.results.some((r) => r.status === 'firing') ? EXIT.changes : EXIT.ok;
      } catch (error) {
        process.stderr.write(`${started.toISOString()} evaluating "${options.env}": ${messageOf(error)}\n`);
        if (options.once) return EXIT.error;
      }
      try {
        await sleep(intervalMs, undefined, { signal });
      } catch {
        return EXIT.ok; // stopped
      }
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await reader.close().catch(() => undefined);
  }
}
