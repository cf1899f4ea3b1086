import { isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from 'yaml';
import { ReconcilerError } from '../errors.ts';

/** One file of another tool, as read by the import command (the converters never read files themselves). */
export interface SourceFile {
  /** The path as the user named it: every loss, note and error quotes it. */
  path: string;
  text: string;
}

/** Where a construct was in the source: `file:line`. */
export interface SourceLine {
  file: string;
  line: number;
}

/**
 * A file that is not in the format the user named (`--from TOOL`): the error names the file, the line and what
 * was expected there. Nothing is written when one is raised.
 */
export class ImportFormatError extends ReconcilerError {
  readonly at: SourceLine;
  constructor(at: SourceLine, message: string) {
    super('InvalidConfig', `${at.file}:${at.line}: ${message}`);
    this.name = 'ImportFormatError';
    this.at = at;
  }
}

/**
 * A position in a parsed YAML (or JSON: JSON is YAML) document that knows its line, so every construct the
 * converters read can be quoted as `file:line` in the loss report and in errors. Accessors that expect a
 * shape raise an `ImportFormatError` at the node's line when the file has another one.
 */
export class Cursor {
  readonly file: string;
  readonly node: Node | null | undefined;
  private readonly lines: LineCounter;
  /** The line of the key this value is under (or, for a missing key, of its parent): quoted when set. */
  private readonly keyLine: number | undefined;
  private readonly fallbackLine: number;
  /** A readable path such as `services.orders.consumes[1]`, used in messages. */
  readonly path: string;

  constructor(
    file: string,
    node: Node | null | undefined,
    lines: LineCounter,
    fallbackLine: number,
    path: string,
    keyLine?: number,
  ) {
    this.file = file;
    this.node = node;
    this.lines = lines;
    this.fallbackLine = fallbackLine;
    this.path = path;
    this.keyLine = keyLine;
  }

  /** The line of the key a value is under (`topic:` rather than the first line of its mapping), else the node's. */
  get line(): number {
    if (this.keyLine !== undefined) return this.keyLine;
    const offset = this.node?.range?.[0];
    return offset === undefined ? this.fallbackLine : this.lines.linePos(offset).line;
  }

  get at(): SourceLine {
    return { file: this.file, line: this.line };
  }

  get present(): boolean {
    return this.node !== null && this.node !== undefined && !(isScalar(this.node) && this.node.value === null);
  }

  isMap(): boolean {
    return isMap(this.node);
  }

  isSeq(): boolean {
    return isSeq(this.node);
  }

  fail(message: string): never {
    throw new ImportFormatError(this.at, this.path ? `${this.path}: ${message}` : message);
  }

  private child(node: Node | null | undefined, line: number, path: string, keyLine?: number): Cursor {
    return new Cursor(this.file, node, this.lines, line, path, keyLine);
  }

  private join(key: string | number): string {
    if (typeof key === 'number') return `${this.path}[${key}]`;
    return this.path ? `${this.path}.${key}` : key;
  }

  /** The value under `key` of a mapping (absent: a cursor that is not `present`, at this node's line). */
  get(key: string): Cursor {
    if (!this.present) return this.child(undefined, this.line, this.join(key));
    if (!isMap(this.node)) this.fail('expected a mapping');
    for (const pair of this.node.items) {
      const k = isScalar(pair.key) ? pair.key.value : pair.key;
      if (String(k) === key) {
        const keyLine = isScalar(pair.key) && pair.key.range ? this.lines.linePos(pair.key.range[0]).line : this.line;
        return this.child(pair.value as Node | null, keyLine, this.join(key), keyLine);
      }
    }
    return this.child(undefined, this.line, this.join(key));
  }

  /** The keys of a mapping, in file order (absent: none). */
  keys(): string[] {
    return this.entries().map(([key]) => key);
  }

  /** The entries of a mapping, in file order, each value with its line (the key's line when the value is empty). */
  entries(): [string, Cursor][] {
    if (!this.present) return [];
    if (!isMap(this.node)) this.fail('expected a mapping');
    return this.node.items.map((pair) => {
      const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
      const keyLine = isScalar(pair.key) && pair.key.range ? this.lines.linePos(pair.key.range[0]).line : this.line;
      return [key, this.child(pair.value as Node | null, keyLine, this.join(key), keyLine)];
    });
  }

  /** The items of a sequence (absent: none). */
  items(): Cursor[] {
    if (!this.present) return [];
    if (!isSeq(this.node)) this.fail('expected a list');
    return this.node.items.map((item, index) => this.child(item as Node | null, this.line, this.join(index)));
  }

  /** A scalar as text (numbers and booleans as Kafka spells them); absent: undefined. */
  optString(): string | undefined {
    if (!this.present) return undefined;
    if (!isScalar(this.node)) this.fail('expected a single value');
    return String(this.node.value);
  }

  string(): string {
    const value = this.optString();
    if (value === undefined || value === '') this.fail('is required');
    return value;
  }

  optNumber(): number | undefined {
    const text = this.optString();
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isFinite(value)) this.fail(`expected a number, got "${text}"`);
    return value;
  }

  optBoolean(): boolean | undefined {
    const text = this.optString();
    if (text === undefined) return undefined;
    if (text !== 'true' && text !== 'false') this.fail(`expected true or false, got "${text}"`);
    return text === 'true';
  }

  /** A list of scalars (absent: empty). */
  strings(): string[] {
    return this.items().map((item) => item.string());
  }

  /** A mapping of scalars, e.g. topic configs (absent: empty). */
  stringMap(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of this.entries()) {
      const text = value.optString();
      if (text !== undefined) out[key] = text;
    }
    return out;
  }
}

/**
 * Every document of a YAML file (a JSON file is one YAML document), each as a cursor at its root. A syntax
 * error is an `ImportFormatError` at its line.
 */
export function parseSource(file: SourceFile): Cursor[] {
  const lines = new LineCounter();
  const documents = parseAllDocuments(file.text, { lineCounter: lines, uniqueKeys: false });
  const list = Array.isArray(documents) ? documents : [];
  const cursors: Cursor[] = [];
  for (const document of list) {
    const [error] = document.errors;
    if (error) {
      const line = lines.linePos(error.pos[0]).line;
      throw new ImportFormatError({ file: file.path, line }, `not valid YAML/JSON: ${error.message.split('\n')[0]}`);
    }
    if (document.contents === null) continue;
    cursors.push(new Cursor(file.path, document.contents as Node, lines, 1, ''));
  }
  return cursors;
}
