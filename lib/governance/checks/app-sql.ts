import type { ConfigProblem } from '../../errors.ts';
import { documentsOfKind } from '../../model/documents.ts';
import type { PlanNote } from '../../model/plan.ts';
import { extractSqlTopics } from '../../plan/sql/extract-topics.ts';
import type { ConfigCheck } from './types.ts';

/**
 * SQL Apps must declare what their SQL touches: the declared `consumes`/`produces` lists are what the App's
 * generated ACLs grant, so a topic the SQL reads or writes without declaring it would fail at runtime with an
 * authorization error. Reports, at the statement's file:line, every such topic and any statement that can not
 * be read; topic uses that can not be tied to a name (Flink `topic-pattern`, ksqlDB streams defined elsewhere)
 * and declared topics the SQL never uses become plan notes.
 */
export const checkAppSql: ConfigCheck = (config) => {
  const problems: ConfigProblem[] = [];
  const notes: PlanNote[] = [];
  for (const doc of documentsOfKind(config.documents, 'App')) {
    const runtime = doc.spec.runtime;
    if (runtime.type !== 'sql') continue;
    const where = doc.locate(['spec', 'runtime', 'statement']);
    const resource = `App "${doc.metadata.name}"`;
    const field = 'spec.runtime.statement';
    const topics = extractSqlTopics(runtime.statement);
    const dialect = topics.dialect === 'ksql' ? 'ksqlDB' : 'Flink SQL';
    for (const problem of topics.problems) {
      problems.push({
        ...where,
        resource,
        field,
        message: `${dialect} does not parse (SQL line ${problem.line}): ${problem.message}`,
        hint: 'fix the statement; Landscape checks the topics it uses against spec.consumes and spec.produces',
        severity: 'error',
      });
    }
    const consumes = new Set(doc.spec.consumes);
    const produces = new Set(doc.spec.produces);
    for (const topic of topics.reads) {
      if (consumes.has(topic)) continue;
      problems.push({
        ...where,
        resource,
        field,
        message: `the SQL reads topic "${topic}", which spec.consumes does not declare`,
        hint: `add "${topic}" to spec.consumes (that grants the read ACL)`,
        severity: 'error',
      });
    }
    for (const topic of topics.writes) {
      if (produces.has(topic)) continue;
      problems.push({
        ...where,
        resource,
        field,
        message: `the SQL writes topic "${topic}", which spec.produces does not declare`,
        hint: `add "${topic}" to spec.produces (that grants the write ACL)`,
        severity: 'error',
      });
    }
    if (topics.problems.length > 0) continue;
    for (const what of topics.unresolved) {
      notes.push({ level: 'warning', message: `${resource}: cannot check a topic use: ${what}`, source: where });
    }
    if (topics.unresolved.length === 0) {
      const unusedReads = doc.spec.consumes.filter((t) => !topics.reads.includes(t));
      const unusedWrites = doc.spec.produces.filter((t) => !topics.writes.includes(t));
      for (const t of unusedReads) {
        notes.push({
          level: 'info',
          message: `${resource} declares consumes "${t}", but its SQL never reads it`,
          source: where,
        });
      }
      for (const t of unusedWrites) {
        notes.push({
          level: 'info',
          message: `${resource} declares produces "${t}", but its SQL never writes it`,
          source: where,
        });
      }
    }
  }
  return { problems, notes };
};
