import type { AclBinding } from '../model/kinds/acl.ts';
import type { SourceFile, SourceLine } from './source.ts';

/** A construct of the source that the import did not convert: listed with its `file:line`, never dropped silently. */
export interface ImportLoss {
  at: SourceLine;
  /** What it is, in the source tool's words, e.g. `rbac binding "ResourceOwner"`. */
  construct: string;
  /** Why it was not converted, and what to do instead where there is something. */
  reason: string;
}

/** Converted, but the user must act: e.g. a password that only a secret reference can hold. */
export interface ImportNote {
  at: SourceLine;
  message: string;
}

/** One Landscape document the import writes, with the source line it came from. */
export interface ImportedDocument {
  /** The output file (relative to --out) the document goes to. */
  file: string;
  kind: string;
  name: string;
  labels?: Record<string, string>;
  spec: Record<string, unknown>;
  from: SourceLine;
}

export interface ImportResult {
  documents: ImportedDocument[];
  losses: ImportLoss[];
  notes: ImportNote[];
}

/**
 * The ACL bindings an `Access` spec generates (the access kind's own expansion). The import emits an intent
 * (consumer, producer, streams, ...) only where what it generates is exactly part of what the source tool
 * applied; everything else stays a raw `Acl`, so planning the import against the cluster the tool managed shows
 * no changes. Without one, every grant is written as raw `Acl` documents.
 */
export type AccessExpander = (spec: Record<string, unknown>) => AclBinding[];

export interface ImportOptions {
  access?: AccessExpander;
}

/** A converter: the source text of one tool to Landscape documents and a loss report. Pure: no I/O. */
export interface Importer {
  tool: string;
  /** The files it reads, for --help and errors. */
  reads: string;
  convert(files: readonly SourceFile[], options: ImportOptions): ImportResult;
}
