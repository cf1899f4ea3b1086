import { describe, expect, it } from 'vitest';
import { analyzeSqlLineage } from '../../../lib/governance/sql-lineage.ts';

const origins = (sql: string, consumes: string[] = ['src', 'other'], produces: string[] = ['dst']) =>
  analyzeSqlLineage(sql, { consumes, produces }).flows.map((f) => ({
    output: f.output,
    column: f.column,
    from: f.origins.map((o) => `${o.topic}:${o.path.join('.')}${o.masked ? ' (masked)' : ''}`),
  }));

describe('analyzeSqlLineage', () => {
  it('maps each selected column to the topic field it copies, with aliases and masking functions', () => {
    expect(origins('INSERT INTO dst SELECT s.id, s.a.b AS ab, SHA256(s.email) e, UPPER(name) FROM src s')).toEqual([
      { output: 'dst', column: 'id', from: ['src:id'] },
      { output: 'dst', column: 'ab', from: ['src:a.b'] },
      { output: 'dst', column: 'e', from: ['src:email (masked)'] },
      { output: 'dst', column: 'EXPR$3', from: ['src:name'] },
    ]);
  });

  it('ignores CASE conditions, CAST target types, COUNT arguments and literals', () => {
    expect(
      origins(
        "INSERT INTO dst SELECT CASE WHEN ssn IS NULL THEN 'none' ELSE 'some' END AS has_ssn, CAST(id AS STRING) AS id, COUNT(email) AS n, INTERVAL '1' DAY AS d FROM src",
      ),
    ).toEqual([
      { output: 'dst', column: 'has_ssn', from: [] },
      { output: 'dst', column: 'id', from: ['src:id'] },
      { output: 'dst', column: 'n', from: [] },
      { output: 'dst', column: 'd', from: [] },
    ]);
  });

  it('follows CTEs, subqueries, window table functions and unions by position', () => {
    expect(
      origins(
        "WITH m AS (SELECT id, MASK(email) AS email FROM src) INSERT INTO dst SELECT x.email, w.v FROM m x JOIN (SELECT v FROM TABLE(TUMBLE(TABLE other, DESCRIPTOR(ts), INTERVAL '5' MINUTES))) w ON x.id = w.v UNION ALL SELECT phone, v FROM other",
      ),
    ).toEqual([
      { output: 'dst', column: 'email', from: ['src:email (masked)', 'other:phone'] },
      { output: 'dst', column: 'v', from: ['other:v', 'other:v'] },
    ]);
  });

  it('treats unquoted dotted table names that the App declares as topics, and unqualified join columns as from any topic', () => {
    expect(
      origins('INSERT INTO dst SELECT email FROM payments.orders o JOIN other t ON o.id = t.id', [
        'payments.orders',
        'other',
      ]),
    ).toEqual([{ output: 'dst', column: 'email', from: ['payments.orders:email', 'other:email'] }]);
  });

  it('writes a bare SELECT to the single produced topic and notes when there is no single one', () => {
    expect(origins('SELECT id FROM src')).toEqual([{ output: 'dst', column: 'id', from: ['src:id'] }]);
    expect(analyzeSqlLineage('SELECT id FROM src', { consumes: ['src'], produces: ['a', 'b'] }).notes).toEqual([
      { message: 'a bare SELECT with 2 produced topics: its output topic is not known', line: 1 },
    ]);
  });

  it('reads statement sets and keeps lines of multi-line statements', () => {
    const sql =
      'EXECUTE STATEMENT SET\nBEGIN\nINSERT INTO dst SELECT a FROM src;\nINSERT INTO dst\nSELECT\n  b\nFROM other;\nEND;';
    expect(analyzeSqlLineage(sql, { consumes: [], produces: [] }).flows.map((f) => [f.column, f.line])).toEqual([
      ['a', 3],
      ['b', 6],
    ]);
  });
});
