import { Document, isMap, isScalar, isSeq, visit, type YAMLMap, type YAMLSeq } from 'yaml';
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

/** Widest line a folded collection may make (with its key and indentation): past it, a block reads better. */
const FOLD_WIDTH = 100;

/** The collection on one line, as `yaml` writes it in flow style. */
function flowText(node: YAMLMap | YAMLSeq): string {
  const copy = new Document(node.toJSON(), { aliasDuplicateObjects: false });
  visit(copy, {
    Map(_, n) {
      n.flow = true;
    },
    Seq(_, n) {
      n.flow = true;
    },
  });
  return copy.toString({ lineWidth: 0, flowCollectionPadding: true }).trimEnd();
}

/**
 * Collections that fit on one line are written on one line (`metadata: { name: x }`, `topics: [a, b]`,
 * `spec: { partitions: 3 }`, a list item `- { topics: [a], group: g }`), the rest as blocks, innermost first:
 * the result should read like a hand-written file and be about as long as the source. `room` is what the
 * line has left for the collection after its indentation and key.
 */
function fold(node: unknown, room: number): void {
  if (!isMap(node) && !isSeq(node)) return;
  const childRoom = room - 2;
  if (isMap(node)) {
    for (const pair of node.items)
      fold(pair.value, childRoom - String(isScalar(pair.key) ? pair.key.value : '').length - 2);
  } else {
    for (const item of node.items) fold(item, childRoom - 2);
  }
  const children = isMap(node) ? node.items.map((pair) => pair.value) : node.items;
  const scalars = children.every((child) => isScalar(child));
  // A short list of names or a small mapping of values reads best on one line, however long the names.
  if (scalars && children.length <= (isSeq(node) ? 8 : 3)) {
    node.flow = true;
    return;
  }
  const foldable = children.every((child) => isScalar(child) || ((isMap(child) || isSeq(child)) && child.flow));
  if (foldable && flowText(node).length <= room) node.flow = true;
}

function compact(document: Document): void {
  // The document itself stays a block: apiVersion, kind, metadata and spec each on their own line.
  const root = document.contents;
  if (!isMap(root)) return;
  for (const pair of root.items) {
    fold(pair.value, FOLD_WIDTH - String(isScalar(pair.key) ? pair.key.value : '').length - 2);
  }
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
