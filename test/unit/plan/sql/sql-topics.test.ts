import { describe, expect, it } from 'vitest';
import { extractSqlTopics } from '../../../../lib/plan/sql/extract-topics.ts';

const topics = (sql: string) => {
  const { reads, writes, problems } = extractSqlTopics(sql);
  return { reads, writes, problems };
};

describe('extractSqlTopics (Flink SQL)', () => {
  it('maps tables created WITH a kafka connector to their topics, whatever the column syntax', () => {
    const sql = `
CREATE TABLE orders (
  id STRING,
  amount DECIMAL(10, 2),
  ts TIMESTAMP(3),
  event_time TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND,
  PRIMARY KEY (id) NOT ENFORCED
) WITH ('connector' = 'upsert-kafka', 'topic' = 'payments.orders', 'key.format' = 'json');
CREATE TEMPORARY TABLE enriched (id STRING) WITH ('connector' = 'kafka', 'topic' = 'payments.enriched');
INSERT INTO enriched SELECT id FROM orders;`;
    expect(topics(sql)).toEqual({ reads: ['payments.orders'], writes: ['payments.enriched'], problems: [] });
  });

  it('takes tables not created in the program as catalog tables named like their topic', () => {
    expect(topics('INSERT INTO `payments.enriched` SELECT * FROM payments.orders')).toEqual({
      reads: ['payments.orders'],
      writes: ['payments.enriched'],
      problems: [],
    });
  });

  it('ignores tables of other connectors and splits multi-topic options', () => {
    const sql = `CREATE TABLE src (id STRING) WITH ('connector'='kafka','topic'='a;b');
CREATE TABLE sink (id STRING) WITH ('connector'='print');
INSERT INTO sink SELECT * FROM src`;
    expect(topics(sql)).toEqual({ reads: ['a', 'b'], writes: [], problems: [] });
  });

  it('reads through joins, sub-queries, unions, CTEs and views', () => {
    const sql = `CREATE VIEW big AS SELECT * FROM orders WHERE amount > 100;
INSERT INTO out_topic
WITH recent AS (SELECT * FROM big)
SELECT r.id FROM recent r JOIN customers c ON r.cid = c.id
WHERE r.id IN (SELECT id FROM allow_list)
UNION ALL SELECT id FROM legacy_orders`;
    expect(topics(sql)).toEqual({
      reads: ['allow_list', 'customers', 'legacy_orders', 'orders'],
      writes: ['out_topic'],
      problems: [],
    });
  });

  it('understands Flink-only syntax: OVER windows, temporal joins, window TVFs, LATERAL TABLE, UNNEST, MATCH_RECOGNIZE', () => {
    const sql = `INSERT INTO s1 SELECT id, ROW_NUMBER() OVER (PARTITION BY id ORDER BY ts DESC) AS rn FROM o1;
INSERT INTO s2 SELECT o.id FROM o2 AS o LEFT JOIN rates FOR SYSTEM_TIME AS OF o.proc_time AS r ON o.cur = r.cur;
INSERT INTO s3 SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE o3, DESCRIPTOR(ts), INTERVAL '1' MINUTES)) GROUP BY window_start, window_end;
INSERT INTO s4 SELECT id, tag FROM o4, LATERAL TABLE(split(tags)) AS T(tag);
INSERT INTO s5 SELECT x FROM o5 CROSS JOIN UNNEST(arr) AS t(y);
INSERT INTO s6 SELECT * FROM o6 MATCH_RECOGNIZE (PARTITION BY id ORDER BY ts MEASURES A.id AS aid PATTERN (A B) DEFINE A AS A.x > 1) AS T;
INSERT INTO s7 SELECT a.id FROM o7 a, o8 b WHERE a.id = b.id AND a.ts BETWEEN b.ts - INTERVAL '1' HOUR AND b.ts`;
    expect(topics(sql)).toEqual({
      reads: ['o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7', 'o8', 'rates'],
      writes: ['s1', 's2', 's3', 's4', 's5', 's6', 's7'],
      problems: [],
    });
  });

  it('reads statement sets, CTAS and LIKE, and skips session statements', () => {
    const sql = `SET 'pipeline.name' = 'enricher';
CREATE TABLE base (id STRING) WITH ('connector'='kafka','topic'='base.topic');
CREATE TABLE copy WITH ('topic'='copy.topic') LIKE base;
CREATE TABLE derived WITH ('connector'='kafka','topic'='derived.topic') AS SELECT * FROM copy;
EXECUTE STATEMENT SET BEGIN
  INSERT INTO a SELECT * FROM b;
  INSERT OVERWRITE c SELECT * FROM d;
END;`;
    expect(topics(sql)).toEqual({
      reads: ['b', 'copy.topic', 'd'],
      writes: ['a', 'c', 'derived.topic'],
      problems: [],
    });
  });

  it('reports a statement that does not parse with its line', () => {
    const result = extractSqlTopics('INSERT INTO s\nSELECT *\nFROM a JOIN JOIN b');
    expect(result.problems).toEqual([{ message: expect.stringMatching(/^syntax error near "/), line: 3 }]);
  });

  it('reports unknown statements and unterminated strings instead of guessing', () => {
    expect(extractSqlTopics('SELEC broken').problems).toEqual([
      { message: 'cannot check a statement starting with "SELEC"', line: 1 },
    ]);
    expect(extractSqlTopics("INSERT INTO a SELECT 'x FROM b").problems).toEqual([
      { message: 'unterminated string', line: 1 },
    ]);
  });

  it('keeps topic patterns as unresolved, not as topic names', () => {
    const result = extractSqlTopics(
      "CREATE TABLE t (id STRING) WITH ('connector'='kafka','topic-pattern'='orders\\..*'); INSERT INTO out_t SELECT * FROM t",
    );
    expect(result.reads).toEqual([]);
    expect(result.unresolved).toEqual(['table "t" reads topic-pattern "orders\\..*"']);
  });

  it('ignores comments and hints', () => {
    const sql = `-- reads orders\nINSERT INTO s /* not FROM x */ SELECT * FROM orders /*+ OPTIONS('scan.startup.mode'='earliest-offset') */`;
    expect(topics(sql)).toEqual({ reads: ['orders'], writes: ['s'], problems: [] });
  });
});

describe('extractSqlTopics (ksqlDB)', () => {
  it('maps streams and tables to KAFKA_TOPIC and follows CREATE ... AS SELECT and INSERT INTO', () => {
    const sql = `CREATE STREAM orders (id VARCHAR KEY, amount DOUBLE)
  WITH (KAFKA_TOPIC='payments.orders', VALUE_FORMAT='JSON');
CREATE STREAM big WITH (KAFKA_TOPIC='payments.big', PARTITIONS=3) AS
  SELECT * FROM orders WHERE amount > 100 EMIT CHANGES;
CREATE TABLE totals AS SELECT id, SUM(amount) FROM Orders GROUP BY id EMIT CHANGES;
INSERT INTO big SELECT * FROM orders EMIT CHANGES;`;
    const result = extractSqlTopics(sql);
    expect(result).toEqual({
      dialect: 'ksql',
      reads: ['payments.orders'],
      writes: ['TOTALS', 'payments.big'],
      unresolved: [],
      problems: [],
    });
  });

  it('reports sources defined outside the program as unresolved', () => {
    const result = extractSqlTopics(
      "CREATE STREAM s WITH (KAFKA_TOPIC='out') AS SELECT * FROM elsewhere e JOIN other o WITHIN 1 HOUR ON e.id = o.id EMIT CHANGES;",
    );
    expect(result.writes).toEqual(['out']);
    expect(result.unresolved).toEqual([
      'reads "ELSEWHERE", defined outside this program',
      'reads "OTHER", defined outside this program',
    ]);
  });
});
