import {
  isPunct,
  isWord,
  matchingParen,
  readIdentifier,
  skipSpace,
  splitStatements,
  type Token,
  tokenizeSql,
} from './tokenize.ts';
import type { SqlProblem, SqlTopics } from './types.ts';

/** True when the program looks like ksqlDB rather than Flink SQL (node-sql-parser has no ksqlDB grammar). */
export function looksLikeKsql(statement: string): boolean {
  return (
    /\bKAFKA_TOPIC\s*=/i.test(statement) ||
    /\bCREATE\s+(OR\s+REPLACE\s+)?(SOURCE\s+)?STREAM\b/i.test(statement) ||
    /\bEMIT\s+CHANGES\b/i.test(statement)
  );
}

/**
 * ksqlDB: a token-level reader (no parser covers ksqlDB). Understands
 * `CREATE [OR REPLACE] [SOURCE] STREAM|TABLE name [(cols)] WITH (KAFKA_TOPIC='t', ...) [AS SELECT ...]`,
 * `INSERT INTO name SELECT ...` and push/pull `SELECT`s; sources are the names after FROM and JOIN.
 * Stream names are case-insensitive; a CREATE ... AS SELECT without KAFKA_TOPIC writes the topic named like the
 * stream in upper case (ksqlDB's default). Streams defined outside the program are reported as unresolved.
 */
export function extractKsqlTopics(statement: string): SqlTopics {
  const { tokens, problems: tokenProblems } = tokenizeSql(statement);
  const problems: SqlProblem[] = [...tokenProblems];
  const topicOf = new Map<string, string | undefined>();
  const uses: { name: string; mode: 'read' | 'write' }[] = [];
  if (tokenProblems.length === 0) {
    for (const all of splitStatements(tokens)) {
      const stmt = all.slice(skipSpace(all, 0));
      const head = stmt[0] as Token;
      if (isWord(head, 'CREATE')) {
        let i = skipSpace(stmt, 1);
        while (isWord(stmt[i], 'OR', 'REPLACE', 'SOURCE')) i = skipSpace(stmt, i + 1);
        if (!isWord(stmt[i], 'STREAM', 'TABLE')) continue; // connectors, types, functions: no topics here
        i = skipSpace(stmt, i + 1);
        if (isWord(stmt[i], 'IF')) i = skipSpace(stmt, skipSpace(stmt, skipSpace(stmt, i + 1) + 1) + 1);
        const id = readIdentifier(stmt, i);
        if (!id) {
          problems.push({ message: 'CREATE STREAM/TABLE without a name', line: head.line });
          continue;
        }
        i = skipSpace(stmt, id.end);
        if (isPunct(stmt[i], '(')) i = skipSpace(stmt, matchingParen(stmt, i) + 1);
        let topic: string | undefined;
        if (isWord(stmt[i], 'WITH')) {
          const open = skipSpace(stmt, i + 1);
          const close = isPunct(stmt[open], '(') ? matchingParen(stmt, open) : -1;
          if (close === -1) {
            problems.push({ message: `expected "WITH (...)" after "${id.name}"`, line: head.line });
            continue;
          }
          topic = readProperty(stmt.slice(open + 1, close), 'KAFKA_TOPIC');
          i = skipSpace(stmt, close + 1);
        }
        const name = id.name.toUpperCase();
        if (isWord(stmt[i], 'AS')) {
          topicOf.set(name, topic ?? name);
          uses.push(...sources(stmt.slice(i + 1)), { name, mode: 'write' });
        } else {
          topicOf.set(name, topic);
        }
      } else if (isWord(head, 'INSERT')) {
        const into = skipSpace(stmt, 1);
        const id = isWord(stmt[into], 'INTO') ? readIdentifier(stmt, into + 1) : undefined;
        if (!id) {
          problems.push({ message: 'expected "INSERT INTO name"', line: head.line });
          continue;
        }
        uses.push(...sources(stmt.slice(id.end)), { name: id.name.toUpperCase(), mode: 'write' });
      } else if (isWord(head, 'SELECT')) {
        uses.push(...sources(stmt));
      }
      // SET, UNSET, DROP, TERMINATE, DEFINE, ...: no topic use
    }
  }
  const reads = new Set<string>();
  const writes = new Set<string>();
  const unresolved = new Set<string>();
  for (const use of uses) {
    if (!topicOf.has(use.name)) {
      unresolved.add(`${use.mode === 'read' ? 'reads' : 'writes'} "${use.name}", defined outside this program`);
      continue;
    }
    const topic = topicOf.get(use.name);
    if (topic === undefined) unresolved.add(`"${use.name}" has no KAFKA_TOPIC`);
    else (use.mode === 'read' ? reads : writes).add(topic);
  }
  return {
    dialect: 'ksql',
    reads: [...reads].sort(),
    writes: [...writes].sort(),
    unresolved: [...unresolved].sort(),
    problems,
  };
}

/** Names after FROM and JOIN (any depth), upper-cased. */
function sources(tokens: readonly Token[]): { name: string; mode: 'read' }[] {
  const found: { name: string; mode: 'read' }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (!isWord(tokens[i], 'FROM', 'JOIN')) continue;
    const id = readIdentifier(tokens, i + 1);
    if (id) found.push({ name: id.name.toUpperCase(), mode: 'read' });
  }
  return found;
}

function readProperty(tokens: readonly Token[], key: string): string | undefined {
  const significant = tokens.filter((t) => t.type !== 'space');
  for (let i = 0; i + 2 < significant.length; i++) {
    const k = significant[i] as Token;
    const keyText = k.type === 'word' ? k.value : k.value.toUpperCase();
    if (keyText === key && isPunct(significant[i + 1], '=')) {
      const v = significant[i + 2] as Token;
      return v.type === 'string' || v.type === 'qident' ? v.value : v.text;
    }
  }
  return undefined;
}
