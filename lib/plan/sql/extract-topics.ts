import { extractFlinkTopics } from './flink.ts';
import { extractKsqlTopics, looksLikeKsql } from './ksql.ts';
import type { SqlTopics } from './types.ts';

export type { SqlProblem, SqlTopics } from './types.ts';

/**
 * The Kafka topics a SQL App reads and writes, read from its statement text. Pure: no I/O, never throws.
 * ksqlDB programs (recognised by `KAFKA_TOPIC=`, `CREATE STREAM`, `EMIT CHANGES`) are read by a token reader;
 * everything else as Flink SQL with node-sql-parser. Anything that can not be read lands in `problems`.
 *
 * @example
 * extractSqlTopics(`CREATE TABLE o (id STRING) WITH ('connector'='kafka','topic'='payments.orders');
 *   INSERT INTO \`payments.enriched\` SELECT * FROM o`);
 * // { dialect: 'flink', reads: ['payments.orders'], writes: ['payments.enriched'], unresolved: [], problems: [] }
 */
export function extractSqlTopics(statement: string): SqlTopics {
  return looksLikeKsql(statement) ? extractKsqlTopics(statement) : extractFlinkTopics(statement);
}
