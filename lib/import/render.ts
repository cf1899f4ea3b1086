import { Document, isMap, isScalar, isSeq, visit } from 'yaml';
import { CONFIG_API_VERSION } from '../model/common.ts';
import type { ImportedDocument, ImportLoss, ImportNote, ImportResult } from './types.ts';

/** Files in this order, documents within a file in the order the source had them. */
const FILE_ORDER = [
  'topic-defaults.yaml',
  'topics.yaml',
  'access-roles.yaml',
  'access.yaml',
  'acls.yaml',
  'users.yaml',
  'quotas.yaml',
];

/**
 * Short collections on one line (`metadata: { name: x }`, `topics: [a, b]`, an ACL resource), longer ones as
 * blocks: the result should read like a hand-written file and be about as long as the source.
 */
function compact(document: Document): void {
  visit(document, {
    Seq(_, node) {
      const scalars = node.items.every((item) => isScalar(item));
      if (scalars && node.items.length <= 8) node.flow = true;
    },
    Map(_, node) {
      const scalars = node.items.every((pair) => isScalar(pair.value));
      if (scalars && node.items.length <= 3) node.flow = true;
    },
  });
  // A flow mapping that holds a flow list stays readable; one that would hold a block one cannot be flow.
  visit(document, {
    Map(_, node) {
      if (!node.flow) return;
      if (node.items.some((pair) => (isMap(pair.value) || isSeq(pair.value)) && !pair.value.flow)) node.flow = false;
    },
  });
}

function renderDocument(doc: ImportedDocument): string {
  const body = {
    apiVersion: CONFIG_API_VERSION,
    kind: doc.kind,
    metadata: { name: doc.name, ...(doc.labels ? { labels: doc.labels } : {}) },
    spec: doc.spec,
  };
  const document = new Document(body, { aliasDuplicateObjects: false });
  compact(document);
  return document.toString({ lineWidth: 0, flowCollectionPadding: true });
}

/** The import's output, file name -> YAML text. Pure, so tests compare it without touching the disk. */
export function renderImport(result: ImportResult, header: string): Map<string, string> {
  const byFile = new Map<string, ImportedDocument[]>();
  for (const doc of result.documents) byFile.set(doc.file, [...(byFile.get(doc.file) ?? []), doc]);
  const files = [...byFile.keys()].sort((a, b) => {
    const [ia, ib] = [FILE_ORDER.indexOf(a), FILE_ORDER.indexOf(b)];
    return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib) || (a < b ? -1 : 1);
  });
  const out = new Map<string, string>();
  for (const file of files) {
    const docs = byFile.get(file) ?? [];
    out.set(file, `# ${header}\n${docs.map(renderDocument).join('---\n')}`);
  }
  return out;
}

const where = (item: { at: { file: string; line: number } }) => `${item.at.file}:${item.at.line}`;

/** The loss report: one line per construct not converted, then the notes, each with its source `file:line`. */
export function renderReport(losses: readonly ImportLoss[], notes: readonly ImportNote[]): string {
  const lines: string[] = [];
  if (losses.length > 0) {
    lines.push(`not converted (${losses.length}):`);
    for (const loss of losses) lines.push(`  ${where(loss)}: ${loss.construct}: ${loss.reason}`);
  }
  if (notes.length > 0) {
    lines.push(`to do (${notes.length}):`);
    for (const note of notes) lines.push(`  ${where(note)}: ${note.message}`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
