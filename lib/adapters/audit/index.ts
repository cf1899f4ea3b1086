/**
 * Audit delivery (issue 6): every AuditRecord to the environment's AuditSinks (webhook, Kafka, S3).
 * Wire it with `withAuditFanout(store, createAuditFanout(auditSinksOf(config), deps))`.
 */
export {
  type AuditFanout,
  type AuditFanoutDeps,
  auditSinksOf,
  createAuditFanout,
  withAuditFanout,
} from './audit-fanout.ts';
export { type AuditSink, auditBody, KafkaAuditSink, S3AuditSink, WebhookAuditSink } from './sinks.ts';
