import type { AuditRecord } from './state-store.ts';

/** Delivers audit records to one destination. */
export interface AuditSink {
  readonly name: string;
  deliver(record: AuditRecord): Promise<void>;
  close(): Promise<void>;
}
