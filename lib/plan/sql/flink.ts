import FlinkSqlParser from 'node-sql-parser/build/flinksql.js';
import {
  isPunct,
  isWord,
  joinTokens,
  matchingParen,
  newlinesOf,
  readIdentifier,
  skipSpace,
  splitStatements,
  type Token,
  tokenizeSql,
} from './tokenize.ts';
import type { SqlProblem, SqlTopics } from './types.ts';

/**
 * Flink SQL: which Kafka topics a program reads and writes.
 *
 * Queries (`INSERT INTO ... SELECT`, `SELECT`, views, CTAS) are parsed by node-sql-parser's FlinkSQL grammar,
 * which knows FROM/JOIN/sub-queries/CTEs/UNION well but not much of Flink's expression syntax (OVER windows,
 * `TIMESTAMP(3)`, interval joins). Expressions never name tables, so before parsing every select list and
 * WHERE/ON/GROUP BY/HAVING/ORDER BY clause without a sub-query is replaced by a constant, and Flink-only
 * table constructs are reduced to what they read (`TABLE(TUMBLE(TABLE orders, ...))` -> `orders`,
 * `FOR SYSTEM_TIME AS OF x` dropped, `LATERAL TABLE(...)`/`UNNEST(...)` -> a constant sub-query).
 * `CREATE TABLE` is read by a small token reader (the grammar rejects most Flink column types), and its
 * `WITH ('connector' = 'kafka', 'topic' = ...)` options map the table to its topics.
 *
 * A table that is not created in the program is taken to be a catalog table named like its topic.
 */
export function extractFlinkTopics(statement: string): SqlTopics {
  const { tokens, problems: tokenProblems } = tokenizeSql(statement);
  const state: ProgramState = { tables: new Map(), views: new Map(), uses: [], problems: [...tokenProblems] };
  if (tokenProblems.length === 0) {
    for (const stmt of splitStatements(tokens)) readStatement(stmt, state);
  }
  return resolve(state);
}

interface TableDef {
  options: Map<string, string>;
  line: number;
}

interface ProgramState {
  tables: Map<string, TableDef>;
  /** view name -> names it reads */
  views: Map<string, string[]>;
  uses: { name: string; mode: 'read' | 'write' }[];
  problems: SqlProblem[];
}

/** Statements that configure the session or catalog and use no topic. */
const NO_TOPIC_STATEMENTS = new Set([
  'SET',
  'RESET',
  'USE',
  'LOAD',
  'UNLOAD',
  'ADD',
  'REMOVE',
  'SHOW',
  'DESCRIBE',
  'DESC',
  'EXPLAIN',
  'DROP',
  'ALTER',
  'ANALYZE',
  'END',
]);
const NO_TOPIC_OBJECTS = new Set(['FUNCTION', 'CATALOG', 'DATABASE']);

function readStatement(all: Token[], state: ProgramState): void {
  let tokens = all.slice(skipSpace(all, 0));
  const first = tokens[0];
  if (first === undefined) return;
  // `EXECUTE STATEMENT SET BEGIN INSERT ...; INSERT ...; END` and `BEGIN STATEMENT SET;`
  if (isWord(first, 'EXECUTE')) {
    const words = wordsAt(tokens, 0, 4);
    if (words[1] === 'STATEMENT' && words[2] === 'SET' && words[3] === 'BEGIN')
      tokens = tokens.slice(nthWordEnd(tokens, 4));
    else tokens = tokens.slice(nthWordEnd(tokens, 1));
    tokens = tokens.slice(skipSpace(tokens, 0));
  }
  const head = tokens[0];
  if (head === undefined) return;
  const words = wordsAt(tokens, 0, 5);
  if (isWord(head, 'BEGIN') || NO_TOPIC_STATEMENTS.has(words[0] ?? '')) return;
  if (isWord(head, 'CREATE')) {
    const object = words.slice(1).find((w) => !['OR', 'REPLACE', 'TEMPORARY', 'SYSTEM'].includes(w)) ?? '';
    if (NO_TOPIC_OBJECTS.has(object)) return;
    if (object === 'TABLE') readCreateTable(tokens, state);
    else if (object === 'VIEW') readCreateView(tokens, state);
    else state.problems.push({ message: `cannot check "CREATE ${object}" statements`, line: head.line });
    return;
  }
  if (isWord(head, 'INSERT', 'SELECT', 'WITH', 'VALUES') || isPunct(head, '(')) {
    const tables = parseQuery(tokens, state);
    if (tables) state.uses.push(...tables);
    return;
  }
  state.problems.push({ message: `cannot check a statement starting with "${head.text}"`, line: head.line });
}

/** `CREATE [TEMPORARY] TABLE [IF NOT EXISTS] name [(columns)] [COMMENT ..] [PARTITIONED BY (..)] WITH (..) [LIKE ..] [AS query]` */
function readCreateTable(tokens: Token[], state: ProgramState): void {
  let i = indexOfWord(tokens, 'TABLE') + 1;
  if (wordsAt(tokens, i, 3).join(' ') === 'IF NOT EXISTS') i = nthWordEnd(tokens, 3, i);
  const id = readIdentifier(tokens, i);
  const line = tokens[0]?.line ?? 1;
  if (!id) {
    state.problems.push({ message: 'CREATE TABLE without a table name', line });
    return;
  }
  const options = new Map<string, string>();
  i = skipSpace(tokens, id.end);
  if (isPunct(tokens[i], '(')) {
    const close = matchingParen(tokens, i);
    if (close === -1)
      return void state.problems.push({ message: `unbalanced parentheses in CREATE TABLE "${id.name}"`, line });
    i = skipSpace(tokens, close + 1);
  }
  while (i < tokens.length) {
    const t = tokens[i] as Token;
    if (isWord(t, 'COMMENT')) {
      i = skipSpace(tokens, skipSpace(tokens, i + 1) + 1);
    } else if (isWord(t, 'PARTITIONED', 'DISTRIBUTED')) {
      // PARTITIONED BY (a, b) | DISTRIBUTED BY [HASH](a) [INTO n BUCKETS]: no topics; skip to the next clause.
      let j = i + 1;
      while (j < tokens.length && !isWord(tokens[j], 'WITH', 'LIKE', 'AS')) {
        if (isPunct(tokens[j], '(')) j = Math.max(matchingParen(tokens, j), j);
        j++;
      }
      i = j;
    } else if (isWord(t, 'WITH')) {
      const open = skipSpace(tokens, i + 1);
      const close = isPunct(tokens[open], '(') ? matchingParen(tokens, open) : -1;
      if (close === -1)
        return void state.problems.push({
          message: `expected "WITH (...)" in CREATE TABLE "${id.name}"`,
          line: t.line,
        });
      const parsed = readOptions(tokens.slice(open + 1, close));
      if (typeof parsed === 'string')
        return void state.problems.push({ message: `${parsed} in the WITH options of "${id.name}"`, line: t.line });
      for (const [k, v] of parsed) options.set(k, v);
      i = skipSpace(tokens, close + 1);
    } else if (isWord(t, 'LIKE')) {
      const source = readIdentifier(tokens, i + 1);
      if (!source) return void state.problems.push({ message: 'expected a table name after LIKE', line: t.line });
      // Options of the source table are inherited unless overridden here.
      for (const [k, v] of state.tables.get(source.name)?.options ?? []) if (!options.has(k)) options.set(k, v);
      i = skipSpace(tokens, source.end);
      if (isPunct(tokens[i], '(')) i = skipSpace(tokens, matchingParen(tokens, i) + 1);
    } else if (isWord(t, 'AS')) {
      state.tables.set(id.name, { options, line });
      const tables = parseQuery(tokens.slice(skipSpace(tokens, i + 1)), state);
      if (tables) state.uses.push(...tables.filter((u) => u.mode === 'read'), { name: id.name, mode: 'write' });
      return;
    } else {
      return void state.problems.push({ message: `unexpected "${t.text}" in CREATE TABLE "${id.name}"`, line: t.line });
    }
  }
  state.tables.set(id.name, { options, line });
}

/** `'key' = 'value', ...` -> map with lower-case keys, or an error message. */
function readOptions(tokens: Token[]): Map<string, string> | string {
  const significant = tokens.filter((t) => t.type !== 'space');
  const options = new Map<string, string>();
  for (let i = 0; i < significant.length; i += 4) {
    const key = significant[i];
    const eq = significant[i + 1];
    const value = significant[i + 2];
    const comma = significant[i + 3];
    if (key === undefined || eq === undefined || value === undefined || !isPunct(eq, '='))
      return "expected 'key' = 'value'";
    if (comma !== undefined && !isPunct(comma, ',')) return `expected "," but found "${comma.text}"`;
    const text = (t: Token) => (t.type === 'string' || t.type === 'qident' ? t.value : t.text);
    options.set(text(key).toLowerCase(), text(value));
  }
  return options;
}

/** `CREATE [TEMPORARY] VIEW [IF NOT EXISTS] name [(columns)] AS query` */
function readCreateView(tokens: Token[], state: ProgramState): void {
  let i = indexOfWord(tokens, 'VIEW') + 1;
  if (wordsAt(tokens, i, 3).join(' ') === 'IF NOT EXISTS') i = nthWordEnd(tokens, 3, i);
  const id = readIdentifier(tokens, i);
  const line = tokens[0]?.line ?? 1;
  if (!id) return void state.problems.push({ message: 'CREATE VIEW without a view name', line });
  i = skipSpace(tokens, id.end);
  if (isPunct(tokens[i], '(')) i = skipSpace(tokens, matchingParen(tokens, i) + 1);
  if (!isWord(tokens[i], 'AS'))
    return void state.problems.push({ message: `expected AS in CREATE VIEW "${id.name}"`, line });
  const tables = parseQuery(tokens.slice(skipSpace(tokens, i + 1)), state);
  if (tables)
    state.views.set(
      id.name,
      tables.filter((u) => u.mode === 'read').map((u) => u.name),
    );
}

// biome-ignore lint/suspicious/noExplicitAny: node-sql-parser's AST types are loose; only `with[].name.value` is read.
type AnyAst = any;

const parser = new FlinkSqlParser.Parser();

/** Parses one query (after simplification) and returns the tables it reads and writes, CTE names excluded. */
function parseQuery(tokens: Token[], state: ProgramState): { name: string; mode: 'read' | 'write' }[] | undefined {
  const firstLine = tokens[0]?.line ?? 1;
  const text = joinTokens(simplifyQuery(tokens));
  let result: { tableList: string[]; ast: AnyAst };
  try {
    result = parser.parse(text, { database: 'FlinkSQL' }) as { tableList: string[]; ast: AnyAst };
  } catch (error) {
    const e = error as { message?: string; location?: { start?: { line?: number; offset?: number } } };
    const line = firstLine + (e.location?.start?.line ?? 1) - 1;
    const near = e.location?.start?.offset !== undefined ? text.slice(e.location.start.offset) : undefined;
    state.problems.push({ message: describeParseError(e.message ?? String(error), near), line });
    return undefined;
  }
  const ctes = new Set<string>();
  collectCteNames(result.ast, ctes);
  const uses: { name: string; mode: 'read' | 'write' }[] = [];
  for (const entry of result.tableList) {
    const [mode, db, table] = entry.split('::') as [string, string, string];
    const name = db && db !== 'null' ? `${db}.${table}` : table;
    if (ctes.has(name)) continue;
    if (mode === 'insert' || mode === 'replace') uses.push({ name, mode: 'write' });
    else uses.push({ name, mode: 'read' });
  }
  return uses;
}

function collectCteNames(node: AnyAst, into: Set<string>): void {
  if (Array.isArray(node)) {
    for (const child of node) collectCteNames(child, into);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node.with)) {
    for (const cte of node.with) {
      const name = cte?.name?.value ?? cte?.name;
      if (typeof name === 'string') into.add(name);
    }
  }
  for (const value of Object.values(node)) collectCteNames(value, into);
}

/** node-sql-parser lists every token it expected; users need where it stopped. */
function describeParseError(message: string, rest: string | undefined): string {
  const near = rest?.trim().split(/\s+/).slice(0, 4).join(' ');
  if (near) return `syntax error near "${near.length > 40 ? `${near.slice(0, 40)}...` : near}"`;
  return /end of input/.test(message)
    ? 'syntax error: unexpected end of statement'
    : `syntax error: ${message.slice(0, 160)}`;
}

const CLAUSE_END = new Set([
  'WHERE',
  'GROUP',
  'HAVING',
  'ORDER',
  'LIMIT',
  'UNION',
  'INTERSECT',
  'EXCEPT',
  'MINUS',
  'WINDOW',
  'ON',
  'FROM',
  'SELECT',
]);
const JOIN_PREFIX = new Set(['LEFT', 'RIGHT', 'FULL', 'INNER', 'CROSS', 'NATURAL', 'OUTER']);

function isJoinStart(tokens: readonly Token[], i: number): boolean {
  let j = i;
  while (isWord(tokens[j], ...JOIN_PREFIX)) j = skipSpace(tokens, j + 1);
  return isWord(tokens[j], 'JOIN') && (j !== i || isWord(tokens[i], 'JOIN'));
}

/** End (exclusive) of an expression clause starting at `from`: the next clause keyword at the same depth. */
function clauseEnd(tokens: readonly Token[], from: number): number {
  let depth = 0;
  for (let j = from; j < tokens.length; j++) {
    const t = tokens[j] as Token;
    if (isPunct(t, '(')) depth++;
    else if (isPunct(t, ')')) {
      if (depth === 0) return j;
      depth--;
    } else if (depth === 0 && t.type === 'word' && (CLAUSE_END.has(t.value) || isJoinStart(tokens, j))) {
      return j;
    }
  }
  return tokens.length;
}

const hasSubquery = (tokens: readonly Token[], from: number, to: number) =>
  tokens.slice(from, to).some((t) => isWord(t, 'SELECT'));

const synthetic = (text: string, line: number): Token => ({
  type: 'word',
  text,
  value: text.trim().toUpperCase(),
  line,
});

/**
 * Rewrites a query so that only its table structure is left (see extractFlinkTopics). Line breaks are kept,
 * so parser errors point at the right line.
 */
export function simplifyQuery(tokens: readonly Token[]): Token[] {
  const out: Token[] = [];
  let i = 0;
  const replace = (from: number, to: number, text: string) => {
    const span = tokens.slice(from, to);
    out.push(synthetic(` ${text} ${newlinesOf(span).replace(/^ $/, '')}`, span[0]?.line ?? 1));
    i = to;
  };
  while (i < tokens.length) {
    const t = tokens[i] as Token;
    const words = t.type === 'word' ? wordsAt(tokens, i, 4) : [];
    // INSERT OVERWRITE t -> INSERT INTO t
    if (words[0] === 'INSERT' && words[1] === 'OVERWRITE') {
      replace(i, nthWordEnd(tokens, 2, i), 'INSERT INTO');
      continue;
    }
    // static partition spec of INSERT: PARTITION (a = 1)
    if (words[0] === 'PARTITION' && isPunct(tokens[skipSpace(tokens, i + 1)], '(')) {
      replace(i, matchingParen(tokens, skipSpace(tokens, i + 1)) + 1, '');
      continue;
    }
    // temporal join: FOR SYSTEM_TIME AS OF <expr>
    if (words.join(' ') === 'FOR SYSTEM_TIME AS OF') {
      const start = nthWordEnd(tokens, 4, i);
      let end = start;
      let depth = 0;
      for (; end < tokens.length; end++) {
        const e = tokens[end] as Token;
        if (isPunct(e, '(')) depth++;
        else if (isPunct(e, ')')) {
          if (depth === 0) break;
          depth--;
        } else if (
          depth === 0 &&
          (isPunct(e, ',') || isWord(e, 'AS', 'ON', 'WHERE', 'GROUP', 'UNION') || isJoinStart(tokens, end))
        ) {
          break;
        }
      }
      replace(i, end, '');
      continue;
    }
    // windowing table functions: TABLE(TUMBLE(TABLE orders, ...)) -> orders
    if (words[0] === 'TABLE' && isPunct(tokens[skipSpace(tokens, i + 1)], '(')) {
      const open = skipSpace(tokens, i + 1);
      const fn = skipSpace(tokens, open + 1);
      const inner = skipSpace(tokens, fn + 1);
      if (isWord(tokens[fn], 'TUMBLE', 'HOP', 'CUMULATE', 'SESSION') && isPunct(tokens[inner], '(')) {
        const source = isWord(tokens[skipSpace(tokens, inner + 1)], 'TABLE')
          ? readIdentifier(tokens, skipSpace(tokens, inner + 1) + 1)
          : undefined;
        const close = matchingParen(tokens, open);
        if (source && close !== -1) {
          replace(i, close + 1, quoteIdentifier(source.name));
          continue;
        }
      }
    }
    // LATERAL TABLE(f(x)) [AS] t(cols) / UNNEST(arr) [AS] t(cols) -> (SELECT 1) [AS] t
    if (
      (words[0] === 'LATERAL' && words[1] === 'TABLE') ||
      (words[0] === 'UNNEST' && isPunct(tokens[skipSpace(tokens, i + 1)], '('))
    ) {
      const open = skipSpace(tokens, words[0] === 'LATERAL' ? nthWordEnd(tokens, 2, i) : i + 1);
      const close = isPunct(tokens[open], '(') ? matchingParen(tokens, open) : -1;
      if (close !== -1) {
        let end = close + 1;
        let alias = '';
        let j = skipSpace(tokens, end);
        if (isWord(tokens[j], 'AS')) j = skipSpace(tokens, j + 1);
        const name = tokens[j];
        if (
          name &&
          (name.type === 'word' || name.type === 'qident') &&
          !CLAUSE_END.has(name.value) &&
          !isWord(name, 'ON')
        ) {
          alias = `AS ${name.text}`;
          end = j + 1;
          const cols = skipSpace(tokens, end);
          if (isPunct(tokens[cols], '(')) end = matchingParen(tokens, cols) + 1;
        }
        replace(i, end, `(SELECT 1 AS c) ${alias}`);
        continue;
      }
    }
    if (words[0] === 'MATCH_RECOGNIZE') {
      const open = skipSpace(tokens, i + 1);
      if (isPunct(tokens[open], '(')) {
        replace(i, matchingParen(tokens, open) + 1, '');
        continue;
      }
    }
    // select list: SELECT <anything without a sub-query> FROM
    if (words[0] === 'SELECT') {
      const end = clauseEnd(tokens, i + 1);
      out.push(t);
      if (isWord(tokens[end], 'FROM') && !hasSubquery(tokens, i + 1, end)) replace(i + 1, end, '1');
      else i++;
      continue;
    }
    if (words[0] === 'WHERE' || words[0] === 'ON' || words[0] === 'HAVING') {
      const end = clauseEnd(tokens, i + 1);
      if (!hasSubquery(tokens, i + 1, end)) {
        replace(i, end, words[0] === 'HAVING' ? '' : `${words[0]} 1 = 1`);
        continue;
      }
    }
    if ((words[0] === 'GROUP' || words[0] === 'ORDER') && words[1] === 'BY') {
      const end = clauseEnd(tokens, nthWordEnd(tokens, 2, i));
      if (!hasSubquery(tokens, i, end)) {
        replace(i, end, '');
        continue;
      }
    }
    if (words[0] === 'WINDOW') {
      replace(i, clauseEnd(tokens, i + 1), '');
      continue;
    }
    out.push(t);
    i++;
  }
  return out;
}

const quoteIdentifier = (name: string) =>
  name
    .split('.')
    .map((part) => `\`${part}\``)
    .join('.');

/** Up to `n` upper-cased words starting at `from`, skipping spaces. */
function wordsAt(tokens: readonly Token[], from: number, n: number): string[] {
  const words: string[] = [];
  let i = skipSpace(tokens, from);
  while (words.length < n && tokens[i]?.type === 'word') {
    words.push((tokens[i] as Token).value);
    i = skipSpace(tokens, i + 1);
  }
  return words;
}

/** Index just after the n-th word from `from` (spaces skipped). */
function nthWordEnd(tokens: readonly Token[], n: number, from = 0): number {
  let i = skipSpace(tokens, from);
  for (let k = 0; k < n && i < tokens.length; k++) i = skipSpace(tokens, i + 1);
  return i;
}

function indexOfWord(tokens: readonly Token[], word: string): number {
  return tokens.findIndex((t) => isWord(t, word));
}

const KAFKA_CONNECTORS = new Set(['kafka', 'upsert-kafka']);

function resolve(state: ProgramState): SqlTopics {
  const reads = new Set<string>();
  const writes = new Set<string>();
  const unresolved = new Set<string>();
  const lookup = <T>(map: Map<string, T>, name: string): [string, T] | undefined => {
    const exact = map.get(name);
    if (exact !== undefined) return [name, exact];
    const lower = name.toLowerCase();
    for (const [key, value] of map) if (key.toLowerCase() === lower) return [key, value];
    return undefined;
  };
  const topicsOf = (name: string, mode: 'read' | 'write', seen: Set<string>): void => {
    const into = mode === 'read' ? reads : writes;
    const table = lookup(state.tables, name);
    if (table) {
      const [tableName, def] = table;
      const connector = def.options.get('connector');
      if (connector === undefined || !KAFKA_CONNECTORS.has(connector)) return; // not Kafka: no topic
      const topic = def.options.get('topic');
      const pattern = def.options.get('topic-pattern');
      if (topic !== undefined) {
        for (const t of topic.split(';').map((s) => s.trim())) if (t) into.add(t);
      } else if (pattern !== undefined) {
        unresolved.add(`table "${tableName}" ${mode === 'read' ? 'reads' : 'writes'} topic-pattern "${pattern}"`);
      } else {
        unresolved.add(`table "${tableName}" has no 'topic' option`);
      }
      return;
    }
    const view = lookup(state.views, name);
    if (view) {
      if (seen.has(view[0])) return;
      seen.add(view[0]);
      if (mode === 'read') for (const source of view[1]) topicsOf(source, 'read', seen);
      return;
    }
    into.add(name);
  };
  for (const use of state.uses) topicsOf(use.name, use.mode, new Set());
  const sorted = (s: Set<string>) => [...s].sort();
  return {
    dialect: 'flink',
    reads: sorted(reads),
    writes: sorted(writes),
    unresolved: sorted(unresolved),
    problems: state.problems,
  };
}
