/**
 * Audit delivery (issue 6): every AuditRecord to the environment's AuditSinks (webhook, Kafka, S3).
 * Writers of audit records wrap their store with `withPublishedAuditSinks(store, { secrets })`: records then
 * reach the sinks of the environment's last published config.
 */

export type { AuditSink } from '../../ports/audit-sink.ts';
export {
  type AuditFanout,
  type AuditFanoutDeps,
  auditSinksOf,
  createAuditFanout,
  withAuditFanout,
  withPublishedAuditSinks,
} from './audit-fanout.ts';
export { auditBody, KafkaAuditSink, S3AuditSink, WebhookAuditSink } from './sinks.ts';
