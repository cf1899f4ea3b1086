import type { AuditRecord } from '../../ports/state-store.ts';

/** The exact bytes every AuditSink sends or stores for a record: the record as one JSON object. */
export function auditBody(record: AuditRecord): string {
  return JSON.stringify(record);
}
