import protobuf from 'protobufjs';
import type { SchemaInput, SchemaParseResult, SchemaProblem } from './types.ts';

/** Token kinds of the formatter: a string literal keeps its (unescaped) value apart from punctuation. */
type Token = { kind: 'word'; text: string; line: number } | { kind: 'string'; value: string; line: number };

const NO_SPACE_BEFORE = new Set([';', ',', ')', ']', '>']);
const NO_SPACE_AFTER = new Set(['(', '[', '<']);

/**
 * Parses a `.proto` schema with protobufjs and returns its canonical text: the same tokens (protobufjs's own
 * tokenizer), comments dropped, one statement per line, two-space indentation, single spaces, string literals
 * double-quoted with adjacent literals joined. Declaration order is kept on purpose: it decides message indexes
 * in the Confluent wire format.
 *
 * Types are resolved (`no such type`) only when the file imports nothing: imported files live in other
 * subjects, which this pure check cannot read.
 *
 * @example
 * normalizeProtobuf('syntax="proto3"; // x\nmessage M{string a=1;}', [])
 * // { ok: true, canonical: 'syntax = "proto3";\nmessage M {\n  string a = 1;\n}\n' }
 */
export function normalizeProtobuf(input: SchemaInput, _referenceNames: readonly string[]): SchemaParseResult {
  if (typeof input !== 'string') {
    return {
      ok: false,
      problems: [{ message: 'a Protobuf schema must be .proto text', hint: 'use a block scalar (schema: |) or file:' }],
    };
  }
  let parsed: protobuf.IParserResult;
  try {
    parsed = protobuf.parse(input, { keepCase: true });
  } catch (error) {
    return { ok: false, problems: [protoProblem(error)] };
  }
  if ((parsed.imports ?? []).length === 0 && (parsed.weakImports ?? []).length === 0) {
    try {
      parsed.root.resolveAll();
    } catch (error) {
      return { ok: false, problems: [protoProblem(error)] };
    }
  }
  let canonical: string;
  try {
    canonical = formatProto(tokenize(input));
  } catch (error) {
    return { ok: false, problems: [protoProblem(error)] };
  }
  // The formatter must never change meaning: the reformatted file has to describe exactly the same types.
  if (!sameDefinitions(input, canonical)) canonical = `${input.replace(/\r\n/g, '\n').trim()}\n`;
  return { ok: true, canonical };
}

function protoProblem(error: unknown): SchemaProblem {
  const message = error instanceof Error ? error.message : String(error);
  const line = /\(line (\d+)\)/.exec(message)?.[1];
  return {
    message: `not a valid Protobuf schema: ${message.replace(/\s*\(line \d+\)/, '')}`,
    ...(line !== undefined ? { line: Number(line) } : {}),
  };
}

function tokenize(text: string): Token[] {
  const tokenizer = protobuf.tokenize(text, false);
  const tokens: Token[] = [];
  for (let token = tokenizer.next(); token !== null; token = tokenizer.next()) {
    const line = tokenizer.line;
    if (token === '"' || token === "'") {
      const value = tokenizer.next() ?? '';
      tokenizer.skip(token);
      const last = tokens.at(-1);
      if (last?.kind === 'string') last.value += value;
      else tokens.push({ kind: 'string', value, line });
    } else {
      tokens.push({ kind: 'word', text: token, line });
    }
  }
  return tokens;
}

function quote(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

function formatProto(tokens: readonly Token[]): string {
  const lines: string[] = [];
  let indent = 0;
  let current = '';
  let previous: string | undefined;
  let bracketDepth = 0; // inside [...] (field options) braces are option values, not blocks
  const flush = () => {
    if (current !== '') lines.push(`${'  '.repeat(Math.max(indent, 0))}${current}`);
    current = '';
    previous = undefined;
  };
  const append = (text: string, raw: string) => {
    if (current !== '' && previous !== undefined) {
      const tight =
        NO_SPACE_BEFORE.has(raw) ||
        NO_SPACE_AFTER.has(previous) ||
        (raw === '<' && previous === 'map') ||
        (raw.startsWith('.') && previous === ')');
      if (!tight) current += ' ';
    }
    current += text;
    previous = raw;
  };
  tokens.forEach((token, index) => {
    if (token.kind === 'string') {
      append(quote(token.value), '"');
      return;
    }
    const text = token.text;
    const next = tokens[index + 1];
    const nextText = next?.kind === 'word' ? next.text : undefined;
    if (text === '[') bracketDepth++;
    if (text === ']') bracketDepth--;
    if (bracketDepth > 0 || text === ']') {
      append(text, text);
      return;
    }
    if (text === '{') {
      append(text, text);
      flush();
      indent++;
    } else if (text === '}') {
      flush();
      indent--;
      append(text, text);
      if (nextText !== ';') flush();
    } else if (text === ';') {
      append(text, text);
      flush();
    } else {
      append(text, text);
    }
  });
  flush();
  return `${lines.join('\n')}\n`;
}

function sameDefinitions(a: string, b: string): boolean {
  try {
    const left = protobuf.parse(a, { keepCase: true });
    const right = protobuf.parse(b, { keepCase: true });
    return (
      JSON.stringify(left.root.toJSON()) === JSON.stringify(right.root.toJSON()) &&
      JSON.stringify([left.package, left.imports, left.weakImports]) ===
        JSON.stringify([right.package, right.imports, right.weakImports])
    );
  } catch {
    return false;
  }
}

/** Every field of every message, keyed `Message.field`, as `rule type = id`: for change summaries. */
export function protobufFieldSignatures(canonical: string): Map<string, string> {
  const signatures = new Map<string, string>();
  try {
    const { root } = protobuf.parse(canonical, { keepCase: true });
    const visit = (namespace: protobuf.NamespaceBase): void => {
      for (const nested of namespace.nestedArray) {
        if (nested instanceof protobuf.Type) {
          for (const field of nested.fieldsArray) {
            const key = field instanceof protobuf.MapField ? `map<${field.keyType}, ${field.type}>` : field.type;
            signatures.set(
              `${nested.name}.${field.name}`,
              `${field.rule ?? ''} ${key} = ${field.id}${field.options ? ` ${JSON.stringify(field.options)}` : ''}`.trim(),
            );
          }
        } else if (nested instanceof protobuf.Enum) {
          signatures.set(`${nested.name} (enum)`, JSON.stringify(nested.values));
        }
        if (nested instanceof protobuf.Namespace) visit(nested);
      }
    };
    visit(root);
  } catch {
    // unparsable: no summary
  }
  return signatures;
}

/** `package shop: Order, Item`. */
export function describeProtobuf(canonical: string): string {
  try {
    const parsed = protobuf.parse(canonical, { keepCase: true });
    const messages: string[] = [];
    const visit = (namespace: protobuf.NamespaceBase, top: boolean): void => {
      for (const nested of namespace.nestedArray) {
        if (nested instanceof protobuf.Type && top) messages.push(nested.name);
        else if (nested instanceof protobuf.Namespace && !(nested instanceof protobuf.Type)) visit(nested, true);
      }
    };
    visit(parsed.root, true);
    return `${parsed.package ? `package ${parsed.package}: ` : ''}${messages.length > 0 ? messages.join(', ') : 'no messages'}`;
  } catch {
    return 'schema';
  }
}
