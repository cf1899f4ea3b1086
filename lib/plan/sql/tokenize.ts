/**
 * A small SQL tokenizer shared by the Flink SQL and ksqlDB topic extractors. It only needs to know what is
 * quoted, what is a word and where parentheses are; comments become whitespace (newlines kept, so line
 * numbers stay right).
 */

export type TokenType = 'word' | 'string' | 'qident' | 'number' | 'punct' | 'space';

export interface Token {
  type: TokenType;
  /** Source text (for `string` and `qident`, including the quotes). */
  text: string;
  /** `word`: upper-cased text; `string`/`qident`: the unquoted value; otherwise the text. */
  value: string;
  /** 1-based line of the token's first character. */
  line: number;
}

export interface TokenizeResult {
  tokens: Token[];
  /** Unterminated quotes or comments, with their line. */
  problems: { message: string; line: number }[];
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

/** Splits SQL text into tokens. Never throws. */
export function tokenizeSql(text: string): TokenizeResult {
  const tokens: Token[] = [];
  const problems: { message: string; line: number }[] = [];
  let line = 1;
  let i = 0;
  const push = (type: TokenType, raw: string, value: string) => {
    tokens.push({ type, text: raw, value, line });
    for (const ch of raw) if (ch === '\n') line++;
  };
  while (i < text.length) {
    const ch = text[i] as string;
    const next = text[i + 1];
    if (ch === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      push('space', ' ', ' ');
      i = stop;
      continue;
    }
    if (ch === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      if (end === -1) problems.push({ message: 'unterminated /* comment', line });
      // Keep the newlines of the comment so later tokens keep their line numbers.
      const newlines = text.slice(i, stop).replace(/[^\n]/g, '');
      push('space', ` ${newlines}`, ' ');
      i = stop;
      continue;
    }
    if (/\s/.test(ch)) {
      let j = i;
      while (j < text.length && /\s/.test(text[j] as string)) j++;
      push('space', text.slice(i, j), ' ');
      i = j;
      continue;
    }
    if (ch === "'" || ch === '`' || ch === '"') {
      // Doubling the quote escapes it in every dialect we read; ksqlDB also accepts none of backslash escapes.
      let j = i + 1;
      let value = '';
      let closed = false;
      while (j < text.length) {
        const c = text[j] as string;
        if (c === ch) {
          if (text[j + 1] === ch) {
            value += ch;
            j += 2;
            continue;
          }
          closed = true;
          j++;
          break;
        }
        value += c;
        j++;
      }
      if (!closed) problems.push({ message: `unterminated ${ch === "'" ? 'string' : 'quoted identifier'}`, line });
      push(ch === "'" ? 'string' : 'qident', text.slice(i, j), value);
      i = j;
      continue;
    }
    if (WORD_START.test(ch)) {
      let j = i + 1;
      while (j < text.length && WORD_PART.test(text[j] as string)) j++;
      const raw = text.slice(i, j);
      push('word', raw, raw.toUpperCase());
      i = j;
      continue;
    }
    if (/[0-9]/.test(ch)) {
      let j = i + 1;
      while (j < text.length && /[0-9.eE]/.test(text[j] as string)) j++;
      push('number', text.slice(i, j), text.slice(i, j));
      i = j;
      continue;
    }
    push('punct', ch, ch);
    i++;
  }
  return { tokens, problems };
}

/** Statements separated by `;`, without whitespace-only ones. Tokens keep their original lines. */
export function splitStatements(tokens: readonly Token[]): Token[][] {
  const statements: Token[][] = [];
  let current: Token[] = [];
  for (const token of tokens) {
    if (token.type === 'punct' && token.text === ';') {
      statements.push(current);
      current = [];
    } else {
      current.push(token);
    }
  }
  statements.push(current);
  return statements.filter((s) => s.some((t) => t.type !== 'space'));
}

/** Index of the `)` that closes the `(` at `open`, or -1 when unbalanced. */
export function matchingParen(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.type !== 'punct') continue;
    if (t.text === '(') depth++;
    else if (t.text === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** The next non-space token index at or after `from`, or `tokens.length`. */
export function skipSpace(tokens: readonly Token[], from: number): number {
  let i = from;
  while (i < tokens.length && (tokens[i] as Token).type === 'space') i++;
  return i;
}

/** True when the token is the given (upper-case) keyword. */
export const isWord = (token: Token | undefined, ...words: string[]): boolean =>
  token !== undefined && token.type === 'word' && words.includes(token.value);

export const isPunct = (token: Token | undefined, text: string): boolean =>
  token !== undefined && token.type === 'punct' && token.text === text;

/**
 * Reads a possibly qualified identifier (`a.b.c`, `` `my-topic.v1` ``, `"x"`) starting at `from`.
 * Returns the dotted name and the index after it, or undefined when there is no identifier there.
 */
export function readIdentifier(tokens: readonly Token[], from: number): { name: string; end: number } | undefined {
  let i = skipSpace(tokens, from);
  const parts: string[] = [];
  for (;;) {
    const t = tokens[i];
    if (t === undefined || (t.type !== 'word' && t.type !== 'qident')) break;
    parts.push(t.type === 'word' ? t.text : t.value);
    const dot = tokens[i + 1];
    if (isPunct(dot, '.') && (tokens[i + 2]?.type === 'word' || tokens[i + 2]?.type === 'qident')) {
      i += 2;
      continue;
    }
    i++;
    break;
  }
  return parts.length > 0 ? { name: parts.join('.'), end: i } : undefined;
}

/** Re-assembles tokens into text (replacements keep the newlines they cover, so lines stay right). */
export function joinTokens(tokens: readonly Token[]): string {
  return tokens.map((t) => t.text).join('');
}

/** Whitespace with the same number of newlines as the given tokens (for replaced spans). */
export function newlinesOf(tokens: readonly Token[]): string {
  const count = tokens.reduce((n, t) => n + (t.text.match(/\n/g)?.length ?? 0), 0);
  return count > 0 ? '\n'.repeat(count) : ' ';
}
