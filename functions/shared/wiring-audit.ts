import type { PipelineLogger } from '../../lib/ports/logger.ts';
import type { SecretResolver } from '../../lib/ports/secret-resolver.ts';
import type { StateStore } from '../../lib/ports/state-store.ts';
import { withPublishedAuditSinks } from '../../lib/wiring/audit-sinks.ts';

/**
 * The state store of a function that writes audit records (apply, drift, api): records are kept in the store
 * and sent to the AuditSinks of the environment's published config. A sink that fails is logged (keys and
 * outcome only); the audited operation goes on. Kept out of buildState so the webhook bundle, which writes no
 * audit records, does not carry the Kafka client.
 */
export function withAuditSinks(store: StateStore, secrets: SecretResolver, log: PipelineLogger): StateStore {
  return withPublishedAuditSinks(
    store,
    { secrets },
    {
      onError: (error, record) =>
        log.warn('audit record not delivered to every AuditSink', {
          recordId: record.id,
          type: record.type,
          environment: record.environment,
          error: error.message,
        }),
    },
  );
}
