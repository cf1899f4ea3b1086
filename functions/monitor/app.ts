import type { Logger } from '@aws-lambda-powertools/logger';
import { loadMonitorConfig, type MonitorConfig } from '../../lib/config/published-config.ts';
import { messageOf } from '../../lib/errors.ts';
import type { KafkaConnection } from '../../lib/model/environment.ts';
import { runMonitorOnce } from '../../lib/monitor/run-monitor.ts';
import type { MonitorReader } from '../../lib/ports/monitor-reader.ts';
import type { Notifier } from '../../lib/ports/notifier.ts';
import { type SecretResolver, secretsForEnvironment } from '../../lib/ports/secret-resolver.ts';
import type { StateStore } from '../../lib/ports/state-store.ts';
import { ENVIRONMENT_INDEX } from '../../lib/use-cases/plan-policy.ts';
import { eventStack } from '../shared/http.ts';

export interface MonitorHandlerDeps {
  store: StateStore;
  secrets: SecretResolver;
  openReader: (kafka: KafkaConnection, secrets: SecretResolver) => Promise<MonitorReader>;
  notifierFor: (channels: MonitorConfig['channels'], secrets: SecretResolver) => Notifier;
  now: () => Date;
}

/** The schedule's input; `{ "environment": "prod" }` limits a run to one environment. */
export type MonitorEvent = { environment?: string; source?: string; job?: string };

export type MonitorOutcome =
  | {
      environment: string;
      status: 'evaluated';
      firing: string[];
      pending: string[];
      delivered: number;
      undelivered: number;
      durationMs: number;
    }
  | { environment: string; status: 'skipped'; reason: string }
  | { environment: string; status: 'failed'; error: string };

/**
 * One scheduled evaluation of every environment's AlertRules (the rules of the last published monitor config,
 * i.e. the applied commit). Environments are evaluated one after another, each with its own connection; a
 * failing one is an outcome and does not stop the others.
 */
export function createMonitorHandler(deps: MonitorHandlerDeps, log: Logger) {
  return eventStack<MonitorEvent, { outcomes: MonitorOutcome[] }>(log, async (event) => {
    const environments = event?.environment
      ? [event.environment]
      : ((await deps.store.getValue<string[]>(ENVIRONMENT_INDEX)) ?? []);
    const outcomes: MonitorOutcome[] = [];
    for (const environment of environments) outcomes.push(await evaluate(deps, log, environment));
    log.info('monitor run finished', { outcomes });
    return { outcomes };
  });
}

async function evaluate(deps: MonitorHandlerDeps, log: Logger, environment: string): Promise<MonitorOutcome> {
  try {
    const config = await loadMonitorConfig(deps.store, environment);
    if (!config) return { environment, status: 'skipped', reason: 'no monitor config published (nothing applied yet)' };
    if (config.rules.length === 0) return { environment, status: 'skipped', reason: 'no AlertRules' };
    // Connection and channel secrets are read as this environment (its own platform secrets only).
    const secrets = secretsForEnvironment(deps.secrets, environment);
    const reader = await deps.openReader(config.connections.kafka, secrets);
    try {
      const run = await runMonitorOnce(
        {
          store: deps.store,
          reader,
          notifier: deps.notifierFor(config.channels, secrets),
          now: deps.now,
          log: (message, attributes) => log.info(message, { environment, ...attributes }),
        },
        { environment, rules: config.rules },
      );
      for (const d of run.deliveries.filter((x) => !x.delivered))
        log.warn('notification not delivered', { environment, ...d });
      return {
        environment,
        status: 'evaluated',
        firing: run.results.filter((r) => r.status === 'firing').map((r) => r.rule),
        pending: run.results.filter((r) => r.status === 'pending').map((r) => r.rule),
        delivered: run.deliveries.filter((d) => d.delivered).length,
        undelivered: run.undelivered,
        durationMs: run.durationMs,
      };
    } finally {
      await reader.close().catch(() => undefined);
    }
  } catch (error) {
    log.error('monitor evaluation failed', { environment, error: messageOf(error) });
    return { environment, status: 'failed', error: messageOf(error) };
  }
}
