import { isPunct, isWord, matchingParen, splitStatements, type Token, tokenizeSql } from '../plan/sql/tokenize.ts';

/**
 * Field-level lineage of a streaming SQL App (Flink SQL and ksqlDB shapes): which input topic fields reach
 * which output topic, and whether they pass through a masking function on the way. It is what the DataPolicy
 * plan check needs; the topic extractor in lib/plan/sql answers the coarser "which topics" question.
 *
 * Deliberately conservative: a field wrapped in any function other than a masking one (`UPPER(email)`,
 * `CONCAT(email, '')`) still counts as copied, `SELECT *` copies every field, and an unqualified column in
 * a join may come from any joined topic. False alarms are fixed by qualifying or masking the column; a missed
 * leak would not be noticed at all.
 */

/** Where one output column's data comes from. `path` is empty for a whole record (`SELECT *`). */
export interface FieldOrigin {
  topic: string;
  path: string[];
  /** Passed through a masking/hashing function (SHA256, MASK, ...) before reaching the output. */
  masked: boolean;
}

/** One output column written to a topic. `line` is 1-based within the statement text. */
export interface OutputFlow {
  output: string;
  column: string;
  origins: FieldOrigin[];
  line: number;
}

export interface SqlLineage {
  flows: OutputFlow[];
  /** Parts that could not be followed (shown as notes, never errors). */
  notes: { message: string; line: number }[];
}

/** Functions whose result does not reveal their argument. */
export const MASKING_FUNCTIONS: ReadonlySet<string> = new Set([
  'MASK',
  'MASK_LEFT',
  'MASK_RIGHT',
  'MASK_KEEP_LEFT',
  'MASK_KEEP_RIGHT',
  'REDACT',
  'SHA1',
  'SHA2',
  'SHA224',
  'SHA256',
  'SHA384',
  'SHA512',
  'MD5',
  'HASH',
  'HASH_CODE',
]);

/** Aggregates that consume a value without copying it. */
const NON_COPYING_FUNCTIONS: ReadonlySet<string> = new Set(['COUNT', 'APPROX_COUNT_DISTINCT']);

/** Words that are never column names inside an expression. */
const EXPRESSION_KEYWORDS: ReadonlySet<string> = new Set([
  'AND',
  'OR',
  'NOT',
  'IS',
  'NULL',
  'TRUE',
  'FALSE',
  'LIKE',
  'IN',
  'BETWEEN',
  'CASE',
  'WHEN',
  'THEN',
  'ELSE',
  'END',
  'AS',
  'DISTINCT',
  'ALL',
  'INTERVAL',
  'ESCAPE',
  'SIMILAR',
  'TO',
  'FROM',
  'FOR',
  'OVER',
  'PARTITION',
  'BY',
  'ORDER',
  'ASC',
  'DESC',
  'ROWS',
  'RANGE',
  'PRECEDING',
  'FOLLOWING',
  'UNBOUNDED',
  'CURRENT',
  'ROW',
  'FILTER',
  'WHERE',
  'SECOND',
  'SECONDS',
  'MINUTE',
  'MINUTES',
  'HOUR',
  'HOURS',
  'DAY',
  'DAYS',
  'WEEK',
  'MONTH',
  'MONTHS',
  'YEAR',
  'YEARS',
  'MILLISECOND',
  'MILLISECONDS',
  'TIMESTAMP',
  'DATE',
  'TIME',
  'ARRAY',
  'MAP',
  'STRUCT',
  'MULTISET',
  'CURRENT_TIMESTAMP',
  'CURRENT_DATE',
  'CURRENT_TIME',
  'LOCALTIMESTAMP',
  'PROCTIME',
  'LEADING',
  'TRAILING',
  'BOTH',
]);

/** Clauses that end a FROM list. */
const FROM_END = [
  'WHERE',
  'GROUP',
  'HAVING',
  'WINDOW',
  'QUALIFY',
  'ORDER',
  'LIMIT',
  'EMIT',
  'PARTITION',
  'OFFSET',
  'FETCH',
];
const SET_OPERATORS = ['UNION', 'INTERSECT', 'EXCEPT', 'MINUS'];
const JOIN_WORDS = ['JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'NATURAL', 'OUTER', 'ANTI', 'SEMI'];

interface DerivedColumn {
  name: string;
  origins: FieldOrigin[];
}

type Relation =
  | { kind: 'topic'; alias: string; topic: string }
  | { kind: 'derived'; alias: string; columns: DerivedColumn[] }
  /** Table functions, UNNEST: rows of unknown origin. */
  | { kind: 'opaque'; alias: string };

interface Scope {
  /** Table/stream name (lower case) -> topic, from DDL `WITH ('topic' = ...)` / `KAFKA_TOPIC`. */
  tables: Map<string, string>;
  /** Views and CTEs (lower case name) -> columns. */
  views: Map<string, DerivedColumn[]>;
  /** Topics the App declares; used to tell `payments.orders` (a topic) from `db.table`. */
  declared: ReadonlySet<string>;
  notes: SqlLineage['notes'];
}

const lower = (s: string) => s.toLowerCase();

/** Name of a word/quoted identifier token (quoted identifiers keep their case). */
function identName(t: Token | undefined): string | undefined {
  if (t === undefined) return undefined;
  if (t.type === 'qident') return t.value;
  if (t.type === 'word') return t.text;
  return undefined;
}

const isIdent = (t: Token | undefined) => t !== undefined && (t.type === 'word' || t.type === 'qident');

/** Reads `a.b.c` / `a->b` starting at i; returns the parts and the index after it. */
function readPath(tokens: readonly Token[], i: number, end: number): { parts: string[]; end: number } | undefined {
  const first = identName(tokens[i]);
  if (first === undefined || i >= end) return undefined;
  const parts = [first];
  let j = i + 1;
  for (;;) {
    if (j + 1 < end && isPunct(tokens[j], '.') && isIdent(tokens[j + 1])) {
      parts.push(identName(tokens[j + 1]) as string);
      j += 2;
    } else if (j + 2 < end && isPunct(tokens[j], '-') && isPunct(tokens[j + 1], '>') && isIdent(tokens[j + 2])) {
      parts.push(identName(tokens[j + 2]) as string);
      j += 3;
    } else break;
  }
  return { parts, end: j };
}

/** Index of the first token at paren depth 0 in [from, end) satisfying `test`, or `end`. */
function findTop(tokens: readonly Token[], from: number, end: number, test: (t: Token) => boolean): number {
  let depth = 0;
  for (let i = from; i < end; i++) {
    const t = tokens[i] as Token;
    if (isPunct(t, '(')) depth++;
    else if (isPunct(t, ')')) depth--;
    else if (depth === 0 && test(t)) return i;
  }
  return end;
}

/** Splits [from, end) at depth-0 tokens satisfying `test` (the separators are dropped). */
function splitTop(
  tokens: readonly Token[],
  from: number,
  end: number,
  test: (t: Token) => boolean,
): [number, number][] {
  const parts: [number, number][] = [];
  let start = from;
  for (;;) {
    const at = findTop(tokens, start, end, test);
    parts.push([start, at]);
    if (at >= end) break;
    start = at + 1;
  }
  return parts;
}

function closeOf(tokens: readonly Token[], open: number, end: number): number {
  const close = matchingParen(tokens, open);
  return close === -1 || close >= end ? end - 1 : close;
}

/** Resolves a table name to a topic: DDL mapping, a declared topic (full or last part), else the name. */
function topicOf(scope: Scope, name: string): string {
  const mapped = scope.tables.get(lower(name));
  if (mapped !== undefined) return mapped;
  if (scope.declared.has(name)) return name;
  const last = name.split('.').pop() ?? name;
  const lastMapped = scope.tables.get(lower(last));
  if (lastMapped !== undefined) return lastMapped;
  if (scope.declared.has(last)) return last;
  return name;
}

// ---- queries -----------------------------------------------------------------------------------------

/** Analyzes a query in [from, end) (WITH ..., set operations, parenthesized) into its output columns. */
function analyzeQuery(tokens: readonly Token[], from: number, end: number, scope: Scope): DerivedColumn[] {
  let i = from;
  // Strip redundant outer parentheses: `(SELECT ...)`.
  while (i < end && isPunct(tokens[i], '(') && closeOf(tokens, i, end) === end - 1) {
    i++;
    end--;
  }
  let local = scope;
  if (isWord(tokens[i], 'WITH')) {
    local = { ...scope, views: new Map(scope.views) };
    i = readCtes(tokens, i, end, local);
  }
  const branches = splitTop(tokens, i, end, (t) => isWord(t, ...SET_OPERATORS));
  let columns: DerivedColumn[] | undefined;
  for (const [s, e] of branches) {
    let start = s;
    while (start < e && isWord(tokens[start], 'ALL', 'DISTINCT')) start++;
    const branch = analyzeSelect(tokens, start, e, local);
    if (columns === undefined) columns = branch;
    else {
      // Set operations line columns up by position; names come from the first branch.
      branch.forEach((c, index) => {
        const target = columns?.[index];
        if (target) target.origins.push(...c.origins);
      });
    }
  }
  return columns ?? [];
}

/** Reads `WITH a AS (...), b (x, y) AS (...)` at i into `scope.views`; returns the index after it. */
function readCtes(tokens: readonly Token[], from: number, end: number, scope: Scope): number {
  let i = from + 1;
  for (;;) {
    const name = identName(tokens[i]);
    if (name === undefined) return i;
    let j = i + 1;
    if (isPunct(tokens[j], '(')) j = closeOf(tokens, j, end) + 1; // column list
    if (!isWord(tokens[j], 'AS') || !isPunct(tokens[j + 1], '(')) return i;
    const close = closeOf(tokens, j + 1, end);
    scope.views.set(lower(name), analyzeQuery(tokens, j + 2, close, scope));
    i = close + 1;
    if (!isPunct(tokens[i], ',')) return i;
    i++;
  }
}

interface SelectItem extends DerivedColumn {
  line: number;
}

function analyzeSelect(tokens: readonly Token[], from: number, end: number, scope: Scope): SelectItem[] {
  let i = from;
  if (isPunct(tokens[i], '('))
    return analyzeQuery(tokens, i, end, scope).map((c) => ({ ...c, line: tokens[i]?.line ?? 1 }));
  if (!isWord(tokens[i], 'SELECT')) return [];
  i++;
  while (isWord(tokens[i], 'DISTINCT', 'ALL')) i++;
  const fromAt = findTop(tokens, i, end, (t) => isWord(t, 'FROM'));
  const relations: Relation[] = [];
  if (fromAt < end) {
    const fromEnd = findTop(tokens, fromAt + 1, end, (t) => isWord(t, ...FROM_END));
    relations.push(...analyzeFrom(tokens, fromAt + 1, fromEnd, scope));
  }
  const items: SelectItem[] = [];
  splitTop(tokens, i, fromAt, (t) => isPunct(t, ',')).forEach(([s, e], index) => {
    if (s >= e) return;
    items.push(analyzeItem(tokens, s, e, relations, scope, index));
  });
  return items;
}

function analyzeFrom(tokens: readonly Token[], from: number, end: number, scope: Scope): Relation[] {
  const relations: Relation[] = [];
  let i = from;
  while (i < end) {
    while (i < end && (isPunct(tokens[i], ',') || isWord(tokens[i], ...JOIN_WORDS))) i++;
    if (i >= end) break;
    const parsed = analyzeFromItem(tokens, i, end, scope);
    if (parsed.relation) relations.push(parsed.relation);
    // Skip the join condition (ON, USING, ksqlDB WITHIN) up to the next item.
    i = findTop(tokens, parsed.end, end, (t) => isPunct(t, ',') || isWord(t, ...JOIN_WORDS));
  }
  return relations;
}

/** Reads `[AS] alias [(cols)]` at i, if there is one. */
function readAlias(tokens: readonly Token[], i: number, end: number): { alias?: string; end: number } {
  let j = i;
  const explicit = isWord(tokens[j], 'AS');
  if (explicit) j++;
  const t = tokens[j];
  if (j < end && isIdent(t) && (explicit || t?.type === 'qident' || !isReservedAfterTable(t as Token))) {
    j++;
    if (isPunct(tokens[j], '(')) j = closeOf(tokens, j, end) + 1;
    return { alias: identName(t) as string, end: j };
  }
  return { end: i };
}

function isReservedAfterTable(t: Token): boolean {
  return isWord(
    t,
    'ON',
    'USING',
    'FOR',
    'WITHIN',
    'GRACE',
    'WHERE',
    'GROUP',
    'HAVING',
    'WINDOW',
    'ORDER',
    'LIMIT',
    'EMIT',
    'PARTITION',
    ...JOIN_WORDS,
    ...SET_OPERATORS,
  );
}

function analyzeFromItem(
  tokens: readonly Token[],
  i: number,
  end: number,
  scope: Scope,
): { relation?: Relation; end: number } {
  if (isWord(tokens[i], 'LATERAL', 'UNNEST')) {
    let j = i + 1;
    if (isWord(tokens[j], 'TABLE')) j++;
    if (isPunct(tokens[j], '(')) j = closeOf(tokens, j, end) + 1;
    const alias = readAlias(tokens, j, end);
    return { relation: { kind: 'opaque', alias: alias.alias ?? '' }, end: alias.end };
  }
  if (isWord(tokens[i], 'TABLE') && isPunct(tokens[i + 1], '(')) {
    // Window table functions: TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '5' MINUTES)).
    const close = closeOf(tokens, i + 1, end);
    let inner: string | undefined;
    for (let j = i + 2; j < close; j++) {
      if (isWord(tokens[j], 'TABLE')) {
        inner = readPath(tokens, j + 1, close)?.parts.join('.');
        break;
      }
    }
    const alias = readAlias(tokens, close + 1, end);
    if (inner === undefined) return { relation: { kind: 'opaque', alias: alias.alias ?? '' }, end: alias.end };
    const base = relationFor(scope, inner, alias.alias ?? inner.split('.').pop() ?? inner);
    return { relation: base, end: alias.end };
  }
  if (isPunct(tokens[i], '(')) {
    const close = closeOf(tokens, i, end);
    const columns = analyzeQuery(tokens, i + 1, close, scope);
    const alias = readAlias(tokens, close + 1, end);
    return { relation: { kind: 'derived', alias: alias.alias ?? '', columns }, end: alias.end };
  }
  const path = readPath(tokens, i, end);
  if (!path) return { end: i + 1 };
  let j = path.end;
  // Temporal joins: `customers FOR SYSTEM_TIME AS OF o.proc_time AS c`.
  if (isWord(tokens[j], 'FOR') && isWord(tokens[j + 1], 'SYSTEM_TIME')) {
    j += 2;
    if (isWord(tokens[j], 'AS')) j++;
    if (isWord(tokens[j], 'OF')) j++;
    j = readPath(tokens, j, end)?.end ?? j;
  }
  const name = path.parts.join('.');
  const alias = readAlias(tokens, j, end);
  return {
    relation: relationFor(scope, name, alias.alias ?? path.parts[path.parts.length - 1] ?? name),
    end: alias.end,
  };
}

function relationFor(scope: Scope, name: string, alias: string): Relation {
  const view = scope.views.get(lower(name));
  if (view) return { kind: 'derived', alias, columns: view };
  return { kind: 'topic', alias, topic: topicOf(scope, name) };
}

// ---- expressions -------------------------------------------------------------------------------------

/** The origins of a column reference path against the FROM relations. */
function resolveColumn(relations: readonly Relation[], parts: readonly string[], masked: boolean): FieldOrigin[] {
  const head = lower(parts[0] ?? '');
  const qualified = parts.length > 1 ? relations.filter((r) => lower(r.alias) === head) : [];
  const fromRelation = (r: Relation, rest: readonly string[]): FieldOrigin[] => {
    if (r.kind === 'topic') return [{ topic: r.topic, path: [...rest], masked }];
    if (r.kind === 'opaque') return [];
    const column = r.columns.find((c) => lower(c.name) === lower(rest[0] ?? ''));
    if (!column) return [];
    return column.origins.map((o) => ({
      topic: o.topic,
      path: [...o.path, ...rest.slice(1)],
      masked: o.masked || masked,
    }));
  };
  if (qualified.length > 0) return qualified.flatMap((r) => fromRelation(r, parts.slice(1)));
  // Unqualified: a derived relation that has the column wins; otherwise it may come from any topic.
  const derived = relations.filter((r) => r.kind === 'derived' && r.columns.some((c) => lower(c.name) === head));
  if (derived.length > 0) return derived.flatMap((r) => fromRelation(r, parts));
  return relations.filter((r) => r.kind === 'topic').flatMap((r) => fromRelation(r, parts));
}

/** Every field of the relations (`*`) or of one alias (`o.*`). */
function resolveStar(relations: readonly Relation[], alias: string | undefined): FieldOrigin[] {
  const chosen = alias === undefined ? relations : relations.filter((r) => lower(r.alias) === lower(alias));
  return chosen.flatMap((r) => {
    if (r.kind === 'topic') return [{ topic: r.topic, path: [], masked: false }];
    if (r.kind === 'derived') return r.columns.flatMap((c) => c.origins);
    return [];
  });
}

function analyzeItem(
  tokens: readonly Token[],
  from: number,
  end: number,
  relations: readonly Relation[],
  scope: Scope,
  index: number,
): SelectItem {
  let stop = end;
  let alias: string | undefined;
  const last = tokens[end - 1];
  const beforeLast = tokens[end - 2];
  if (end - from >= 2 && isIdent(last) && isWord(beforeLast, 'AS')) {
    alias = identName(last);
    stop = end - 2;
  } else if (
    end - from >= 2 &&
    isIdent(last) &&
    !EXPRESSION_KEYWORDS.has(last?.value ?? '') &&
    (isIdent(beforeLast) ||
      isPunct(beforeLast, ')') ||
      beforeLast?.type === 'string' ||
      beforeLast?.type === 'number') &&
    !isWord(beforeLast, ...EXPRESSION_KEYWORDS)
  ) {
    alias = identName(last);
    stop = end - 1;
  }
  const line = tokens[from]?.line ?? 1;
  // `*` and `o.*`
  if (stop - from === 1 && isPunct(tokens[from], '*')) {
    return { name: '*', origins: resolveStar(relations, undefined), line };
  }
  if (stop - from === 3 && isIdent(tokens[from]) && isPunct(tokens[from + 1], '.') && isPunct(tokens[from + 2], '*')) {
    return { name: '*', origins: resolveStar(relations, identName(tokens[from])), line };
  }
  const origins: FieldOrigin[] = [];
  let singleRef: string[] | undefined;
  let refCount = 0;
  // Enclosing parentheses: the function they call ('' for plain grouping) and where they open.
  const stack: { fn: string; open: number }[] = [];
  const conditionDepth = new Set<number>(); // depths currently inside CASE WHEN ... THEN
  const inside = (set: ReadonlySet<string>) => stack.some((f) => set.has(f.fn));
  let i = from;
  while (i < stop) {
    const t = tokens[i] as Token;
    const depth = stack.length;
    if (isPunct(t, '(')) {
      if (isWord(tokens[i + 1], 'SELECT', 'WITH')) {
        // A scalar subquery: whatever it selects flows into this column.
        const close = closeOf(tokens, i, stop);
        if (!inside(NON_COPYING_FUNCTIONS) && !conditionDepth.has(depth)) {
          const masked = inside(MASKING_FUNCTIONS);
          for (const c of analyzeQuery(tokens, i + 1, close, scope))
            origins.push(...c.origins.map((o) => ({ ...o, masked: o.masked || masked })));
        }
        refCount += 2;
        i = close + 1;
        continue;
      }
      stack.push({ fn: '', open: i });
      i++;
      continue;
    }
    if (isPunct(t, ')')) {
      conditionDepth.delete(stack.length);
      stack.pop();
      i++;
      continue;
    }
    if (isWord(t, 'WHEN')) conditionDepth.add(depth);
    else if (isWord(t, 'THEN', 'ELSE', 'END')) conditionDepth.delete(depth);
    const top = stack[stack.length - 1];
    if (isWord(t, 'AS') && top && (top.fn === 'CAST' || top.fn === 'TRY_CAST' || top.fn === 'SAFE_CAST')) {
      // The target type of a CAST is not a column: jump to the closing parenthesis.
      i = closeOf(tokens, top.open, stop);
      continue;
    }
    if (t.type === 'word' && EXPRESSION_KEYWORDS.has(t.value) && !isPunct(tokens[i + 1], '(')) {
      i++;
      continue;
    }
    if (isIdent(t)) {
      const path = readPath(tokens, i, stop);
      if (path && isPunct(tokens[path.end], '(')) {
        const fn = t.type === 'word' ? (path.parts[path.parts.length - 1] ?? '').toUpperCase() : '';
        stack.push({ fn, open: path.end });
        i = path.end + 1;
        continue;
      }
      if (path) {
        refCount++;
        // Only a bare reference names the column after itself (`COUNT(x)` is not called `x`).
        singleRef = stack.length === 0 ? path.parts : undefined;
        if (!inside(NON_COPYING_FUNCTIONS) && !conditionDepth.has(depth)) {
          origins.push(...resolveColumn(relations, path.parts, inside(MASKING_FUNCTIONS)));
        }
        i = path.end;
        continue;
      }
    }
    i++;
  }
  const name = alias ?? (refCount === 1 && singleRef ? (singleRef[singleRef.length - 1] ?? '') : `EXPR$${index}`);
  return { name, origins, line };
}

// ---- statements --------------------------------------------------------------------------------------

/** `WITH ('topic' = 'x', KAFKA_TOPIC = 'y')` options at i (the WITH word), lower-cased keys. */
function readWithOptions(
  tokens: readonly Token[],
  i: number,
  end: number,
): { options: Map<string, string>; end: number } {
  const options = new Map<string, string>();
  if (!isWord(tokens[i], 'WITH') || !isPunct(tokens[i + 1], '(')) return { options, end: i };
  const close = closeOf(tokens, i + 1, end);
  for (const [s, e] of splitTop(tokens, i + 2, close, (t) => isPunct(t, ','))) {
    const eq = findTop(tokens, s, e, (t) => isPunct(t, '='));
    const key = tokens[s];
    const value = tokens[eq + 1];
    if (eq >= e || key === undefined || value === undefined) continue;
    const k = key.type === 'string' || key.type === 'qident' ? key.value : key.text;
    options.set(lower(k), value.type === 'string' || value.type === 'qident' ? value.value : value.text);
  }
  return { options, end: close + 1 };
}

function topicOption(options: Map<string, string>): string | undefined {
  return options.get('topic') ?? options.get('kafka_topic');
}

function outputFlows(output: string, columns: readonly DerivedColumn[], line: number): OutputFlow[] {
  return columns.map((c) => ({
    output,
    column: c.name,
    origins: c.origins,
    line: (c as Partial<SelectItem>).line ?? line,
  }));
}

function analyzeStatement(tokens: readonly Token[], scope: Scope, produces: readonly string[]): OutputFlow[] {
  const end = tokens.length;
  let i = 0;
  if (isWord(tokens[i], 'CREATE')) {
    i++;
    if (isWord(tokens[i], 'OR') && isWord(tokens[i + 1], 'REPLACE')) i += 2;
    while (isWord(tokens[i], 'TEMPORARY', 'TEMP', 'SOURCE')) i++;
    const what = tokens[i]?.value;
    if (what !== 'TABLE' && what !== 'STREAM' && what !== 'VIEW') return [];
    i++;
    if (isWord(tokens[i], 'IF') && isWord(tokens[i + 1], 'NOT') && isWord(tokens[i + 2], 'EXISTS')) i += 3;
    const path = readPath(tokens, i, end);
    if (!path) return [];
    const name = path.parts.join('.');
    i = path.end;
    if (isPunct(tokens[i], '(')) i = closeOf(tokens, i, end) + 1; // column definitions
    // Flink puts WITH before AS SELECT, ksqlDB too; both may also carry PARTITIONED BY etc. in between.
    const withAt = findTop(tokens, i, end, (t) => isWord(t, 'WITH') || isWord(t, 'AS'));
    const { options, end: afterWith } = readWithOptions(tokens, withAt, end);
    const topic = topicOption(options);
    if (what !== 'VIEW' && topic !== undefined) scope.tables.set(lower(name), topic);
    const asAt = findTop(tokens, afterWith, end, (t) => isWord(t, 'AS'));
    if (asAt >= end) return [];
    const columns = analyzeQuery(tokens, asAt + 1, end, scope);
    if (what === 'VIEW') {
      scope.views.set(lower(name), columns);
      return [];
    }
    const output = topic ?? topicOf(scope, name);
    scope.tables.set(lower(name), output);
    return outputFlows(output, columns, tokens[0]?.line ?? 1);
  }
  // INSERT INTO t ... anywhere at the top level (also inside EXECUTE STATEMENT SET BEGIN ... END).
  const insertAt = findTop(tokens, 0, end, (t) => isWord(t, 'INSERT'));
  if (insertAt < end) {
    // `WITH cte AS (...) INSERT INTO ...` (the CTEs precede the INSERT in some dialects).
    if (isWord(tokens[0], 'WITH')) readCtes(tokens, 0, insertAt, scope);
    i = insertAt + 1;
    if (!isWord(tokens[i], 'INTO', 'OVERWRITE')) return [];
    i++;
    if (isWord(tokens[i], 'TABLE')) i++;
    const path = readPath(tokens, i, end);
    if (!path) return [];
    i = path.end;
    if (isWord(tokens[i], 'PARTITION') && isPunct(tokens[i + 1], '(')) i = closeOf(tokens, i + 1, end) + 1;
    let targetColumns: string[] | undefined;
    if (isPunct(tokens[i], '(') && !isWord(tokens[i + 1], 'SELECT', 'WITH')) {
      const close = closeOf(tokens, i, end);
      targetColumns = splitTop(tokens, i + 1, close, (t) => isPunct(t, ',')).map(([s]) => identName(tokens[s]) ?? '');
      i = close + 1;
    }
    const columns = analyzeQuery(tokens, i, end, scope).map((c, index) => ({
      ...c,
      name: targetColumns?.[index] ?? c.name,
    }));
    return outputFlows(topicOf(scope, path.parts.join('.')), columns, tokens[insertAt]?.line ?? 1);
  }
  if (isWord(tokens[0], 'SELECT', 'WITH') || isPunct(tokens[0], '(')) {
    // A bare query: the SQL runner writes its result to the App's single output topic.
    const columns = analyzeQuery(tokens, 0, end, scope);
    if (produces.length === 1) return outputFlows(produces[0] as string, columns, tokens[0]?.line ?? 1);
    scope.notes.push({
      message: `a bare SELECT with ${produces.length} produced topics: its output topic is not known`,
      line: tokens[0]?.line ?? 1,
    });
  }
  return [];
}

/**
 * Follows every statement of an SQL App and lists what each output column copies from which topic field.
 *
 * @example
 * analyzeSqlLineage("INSERT INTO `out` SELECT o.id, SHA256(o.email) AS e FROM `in` o", { consumes: ['in'], produces: ['out'] })
 * // flows: [{ output: 'out', column: 'id', origins: [{ topic: 'in', path: ['id'], masked: false }], line: 1 },
 * //         { output: 'out', column: 'e', origins: [{ topic: 'in', path: ['email'], masked: true }], line: 1 }]
 */
export function analyzeSqlLineage(
  statement: string,
  app: { consumes: readonly string[]; produces: readonly string[] },
): SqlLineage {
  const { tokens } = tokenizeSql(statement);
  const scope: Scope = {
    tables: new Map(),
    views: new Map(),
    declared: new Set([...app.consumes, ...app.produces]),
    notes: [],
  };
  const flows: OutputFlow[] = [];
  for (const raw of splitStatements(tokens)) {
    const significant = raw.filter((t) => t.type !== 'space');
    flows.push(...analyzeStatement(significant, scope, app.produces));
  }
  return { flows, notes: scope.notes };
}
