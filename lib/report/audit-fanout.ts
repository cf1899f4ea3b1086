import { loadMonitorConfig } from '../config/published-config.ts';
import { AdapterError, messageOf } from '../errors.ts';
import type { AuditSinkSpec } from '../model/audit-sink.ts';
import { documentsOfKind, type LoadedConfig } from '../model/documents.ts';
import type { KafkaConnection } from '../model/environment.ts';
import type { AuditSink } from '../ports/audit-sink.ts';
import type { AuditRecord, StateStore } from '../ports/state-store.ts';

/** Builds the fan-out of some AuditSink documents (the sinks' technologies are wired in lib/wiring). */
export type OpenAuditFanout = (
  sinks: readonly { name: string; spec: AuditSinkSpec }[],
  kafka: KafkaConnection | undefined,
  /** The environment whose config declares the sinks: their secrets are read as that environment. */
  environment: string,
) => AuditFanout;

/**
 * `appendAudit`-compatible: delivers one record to every sink. All sinks are tried (concurrently); when any
 * fails, an AggregateError listing each failure is thrown after the others finished.
 */
export type AuditFanout = ((record: AuditRecord) => Promise<void>) & {
  readonly sinks: readonly string[];
  close(): Promise<void>;
};

/** The AuditSink documents of a loaded config, in the `{ name, spec }` form the fan-out is opened with. */
export function auditSinksOf(config: LoadedConfig): { name: string; spec: AuditSinkSpec }[] {
  return documentsOfKind(config.documents, 'AuditSink')
    .map((d) => ({ name: d.metadata.name, spec: d.spec }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * One audit fan-out over built sinks (lib/wiring/audit-sinks.ts builds them from AuditSink documents). Wrap
 * the state store's `appendAudit` with it (`withAuditFanout`) so every record the pipeline writes (plan,
 * apply, approval, drift, lock) also reaches the third parties the package declares. Records hold keys,
 * outcomes and counts, never secret values; sink credentials are resolved per delivery and never logged.
 */
export function fanoutTo(built: readonly AuditSink[]): AuditFanout {
  const fanout = async (record: AuditRecord): Promise<void> => {
    const results = await Promise.allSettled(built.map((sink) => sink.deliver(record)));
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (errors.length > 0) {
      throw new AggregateError(
        errors,
        `delivering audit record "${record.id}": ${errors.length} of ${built.length} sink(s) failed: ${errors.map(messageOf).join('; ')}`,
      );
    }
  };
  return Object.assign(fanout, {
    sinks: built.map((s) => s.name),
    async close() {
      await Promise.allSettled(built.map((s) => s.close()));
    },
  });
}

/**
 * A StateStore whose `appendAudit` stores the record first and then fans it out. A failing sink never fails
 * the operation being audited (the record is already stored); it is reported to `onError`.
 */
export function withAuditFanout(
  store: StateStore,
  fanout: (record: AuditRecord) => Promise<void>,
  options: { onError?: (error: Error, record: AuditRecord) => void } = {},
): StateStore {
  const onError = options.onError ?? ((error: Error) => process.stderr.write(`audit fan-out: ${error.message}\n`));
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'appendAudit') {
        return async (record: AuditRecord) => {
          await target.appendAudit(record);
          try {
            await fanout(record);
          } catch (error) {
            onError(error instanceof Error ? error : new Error(messageOf(error)), record);
          }
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Whether a delivery failure may succeed later (the AggregateError of `fanoutTo` wraps the sinks' errors). */
function isRetryable(error: unknown): boolean {
  const inner = error instanceof AggregateError ? error.errors : [error];
  return inner.some((e) => !(e instanceof AdapterError) || e.retryable);
}

/** Records a sink could not take, per environment and sink, resent before the next record. */
export const undeliveredAuditName = (environment: string): string => `audit/undelivered/${environment}`;
type Undelivered = Record<string, AuditRecord[]>;
/** Per sink: a sink that stays down must not grow the store without bound (the audit log keeps everything). */
export const MAX_UNDELIVERED = 200;

/**
 * A StateStore whose audit records also reach the AuditSinks of their environment, as last published with
 * the environment's config (`publishMonitorConfig`: a planned push in the pipeline, `landscape apply`
 * locally). Every writer of audit records (CLI, serve, the apply, drift and api functions) wraps its store
 * with this, so sinks follow the merged config without a git checkout, and a pull request cannot redirect
 * them. Sinks are opened per record and closed after it: records are few (a handful per plan or apply) and a
 * short-lived process or a frozen Lambda must not hold producer connections.
 *
 * Retries per sink: a record a sink could not take (network, 429, 5xx, a Kafka topic that does not exist yet
 * because the apply that creates it has not run) is kept (`audit/undelivered/<env>`, at
 * most MAX_UNDELIVERED per sink) and sent to that sink again, in order, before the environment's next record;
 * the hourly drift run writes one, so a sink that comes back catches up within the hour. A permanent refusal
 * (another 4xx) is reported and not retried. Best effort, not a transaction: two functions writing records
 * of one environment at the same moment can each rewrite the queue, and one may drop the other's entry (the
 * audit log in the store keeps every record). Receivers dedupe by record id (webhook
 * `x-landscape-delivery`, Kafka header `landscape-audit-id`, S3 key).
 */
export function withPublishedAuditFanout(
  store: StateStore,
  openFanout: OpenAuditFanout,
  options: { onError?: (error: Error, record: AuditRecord) => void } = {},
): StateStore {
  const fanout = async (record: AuditRecord): Promise<void> => {
    const published = await loadMonitorConfig(store, record.environment);
    const sinks = published?.auditSinks ?? [];
    if (!published || sinks.length === 0) return;
    const name = undeliveredAuditName(record.environment);
    const waiting = (await store.getValue<Undelivered>(name)) ?? {};
    const next: Undelivered = {};
    const errors: unknown[] = [];
    await Promise.all(
      sinks.map(async (sink) => {
        const delivery = openFanout([sink], published.connections.kafka, record.environment);
        const queue = [...(waiting[sink.name] ?? []), record];
        const failed: AuditRecord[] = [];
        try {
          for (const [index, item] of queue.entries()) {
            try {
              await delivery(item);
            } catch (error) {
              errors.push(error);
              // A permanent refusal (a 4xx other than 429) will not get better: drop that record, go on.
              if (!isRetryable(error)) continue;
              // Keep the order: once a sink fails, the rest of its queue waits for the next attempt.
              failed.push(...queue.slice(index));
              break;
            }
          }
        } finally {
          await delivery.close();
        }
        if (failed.length > 0) next[sink.name] = failed.slice(-MAX_UNDELIVERED);
      }),
    );
    if (Object.keys(waiting).length > 0 || Object.keys(next).length > 0) await store.putValue(name, next);
    if (errors.length > 0) {
      const queued = Object.entries(next).map(([sink, records]) => `${records.length} waiting for "${sink}"`);
      throw new AggregateError(
        errors,
        `${errors.map((e) => messageOf(e)).join('; ')}${queued.length > 0 ? ` (kept for the next attempt: ${queued.join(', ')})` : ' (not retried)'}`,
      );
    }
  };
  return withAuditFanout(store, fanout, options);
}
