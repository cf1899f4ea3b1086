import type { ConfigProblem } from '../../errors.ts';
import type { ConfigDocument, SourceLocation } from '../../model/documents.ts';
import type { PlanNote } from '../../model/plan.ts';
import { compileFieldPattern, pathCarriesProtectedField, policiesCovering, topicMatches } from '../field-patterns.ts';
import { analyzeSqlLineage, type FieldOrigin, type OutputFlow } from '../sql-lineage.ts';
import type { ConfigCheck } from './types.ts';

/**
 * Where line `line` (1-based) of an App's SQL statement is in the file. A statement with newlines is a YAML
 * block scalar (`statement: |`), whose text starts on the line after the key; a one-line statement sits on
 * the key's line.
 */
function statementLine(doc: ConfigDocument<'App'>, statement: string, line: number): SourceLocation {
  const at = doc.locate(['spec', 'runtime', 'statement']);
  if (!statement.includes('\n')) return at;
  return { file: at.file, line: at.line + line, column: 1 };
}

function describePath(origin: FieldOrigin): string {
  return origin.path.join('.');
}

function leakProblem(
  app: ConfigDocument<'App'>,
  where: SourceLocation,
  flow: OutputFlow,
  origin: FieldOrigin,
  policy: ConfigDocument<'DataPolicy'>,
  fields: readonly string[],
): ConfigProblem {
  const protectedList = fields.map((f) => `"${f}"`).join(', ');
  const into = `into topic "${flow.output}"`;
  const base =
    origin.path.length === 0
      ? `${flow.column === '*' ? 'SELECT *' : `column "${flow.column}"`} copies every field of topic "${origin.topic}" ${into}, including ${protectedList}`
      : `column "${flow.column}" copies "${describePath(origin)}" of topic "${origin.topic}" unmasked ${into}${
          fields.length === 1 && fields[0] === describePath(origin) ? '' : ` (protected: ${protectedList})`
        }`;
  return {
    ...where,
    resource: `App "${app.metadata.name}"`,
    field: 'spec.runtime.statement',
    message: `${base}; DataPolicy "${policy.metadata.name}" protects it on "${origin.topic}" and does not cover "${flow.output}"`,
    hint:
      origin.path.length === 0
        ? `select the columns explicitly and mask the protected ones, or add "${flow.output}" to the topics of DataPolicy "${policy.metadata.name}"`
        : `mask it in the query (e.g. SHA256(${describePath(origin)}) or MASK(...)), drop the column, or add "${flow.output}" to the topics of DataPolicy "${policy.metadata.name}"`,
    severity: 'error',
  };
}

/**
 * A container App is opaque: when it reads a protected topic and writes one the same policy does not cover,
 * the plan says so (info), so reviewers know masking is the App's own job there.
 */
function opaqueAppNotes(app: ConfigDocument<'App'>, policies: readonly ConfigDocument<'DataPolicy'>[]): PlanNote[] {
  const notes: PlanNote[] = [];
  for (const input of app.spec.consumes) {
    for (const policy of policiesCovering(policies, input)) {
      const uncovered = app.spec.produces.filter((out) => !policy.spec.topics.some((t) => topicMatches(t, out)));
      if (uncovered.length === 0) continue;
      notes.push({
        level: 'info',
        message: `App "${app.metadata.name}" reads "${input}" (DataPolicy "${policy.metadata.name}") and writes ${uncovered.map((t) => `"${t}"`).join(', ')}, which that policy does not cover; a container App's masking cannot be checked at plan time`,
        source: app.locate(['spec', 'produces']),
      });
    }
  }
  return notes;
}

/**
 * DataPolicy lineage: an SQL App that reads a topic a DataPolicy covers and writes one of the protected
 * fields, unmasked, to a topic the same policy does not cover would publish the data the policy hides. That
 * is a plan error at the statement's line. Container Apps are opaque: they get an info note instead.
 *
 * @example
 * // DataPolicy payments-pii { topics: [payments.*], fields: [customer.email] } and an App with
 * // INSERT INTO `analytics.orders` SELECT o.customer.email FROM `payments.orders` o
 * // -> app.yaml:12:1: App "orders-export" spec.runtime.statement: column "email" copies "customer.email" ...
 */
export const checkDataPolicies: ConfigCheck = (config) => {
  const problems: ConfigProblem[] = [];
  const notes: PlanNote[] = [];
  const policies = config.documents
    .filter((d): d is ConfigDocument<'DataPolicy'> => d.kind === 'DataPolicy')
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  if (policies.length === 0) return { problems, notes };
  const compiled = new Map(policies.map((p) => [p, p.spec.fields.map((f) => [f, compileFieldPattern(f)] as const)]));
  for (const doc of config.documents) {
    if (doc.kind !== 'App') continue;
    const app = doc as ConfigDocument<'App'>;
    if (app.spec.runtime.type !== 'sql') {
      notes.push(...opaqueAppNotes(app, policies));
      continue;
    }
    const statement = app.spec.runtime.statement;
    const lineage = analyzeSqlLineage(statement, app.spec);
    const seen = new Set<string>();
    for (const flow of lineage.flows) {
      for (const origin of flow.origins) {
        if (origin.masked) continue;
        for (const policy of policiesCovering(policies, origin.topic)) {
          if (policy.spec.topics.some((t) => topicMatches(t, flow.output))) continue;
          const fields = (compiled.get(policy) ?? [])
            .filter(([, pattern]) => pathCarriesProtectedField(pattern, origin.path))
            .map(([field]) => field);
          if (fields.length === 0) continue;
          const id = `${flow.output}|${flow.column}|${origin.topic}|${describePath(origin)}|${policy.metadata.name}`;
          if (seen.has(id)) continue;
          seen.add(id);
          problems.push(leakProblem(app, statementLine(app, statement, flow.line), flow, origin, policy, fields));
        }
      }
    }
    for (const note of lineage.notes) {
      notes.push({
        level: 'info',
        message: `App "${app.metadata.name}": data policy lineage: ${note.message}`,
        source: statementLine(app, statement, note.line),
      });
    }
  }
  return { problems, notes };
};
