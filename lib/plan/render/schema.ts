import type { ConfigProblem } from '../../errors.ts';
import type { JsonObject } from '../../model/common.ts';
import type { ConfigDocument } from '../../model/documents.ts';
import { keys } from '../../model/keys.ts';
import { normalizeSchema, type SchemaProblem } from '../../schemas/index.ts';
import type { Renderer } from './types.ts';

/**
 * A Schema document becomes one subject: `{ subject, type, schema, references, compatibility? }`, where `schema`
 * is the canonical text (lib/schemas) so that formatting and key order never show up as a change. The loader has
 * already read `spec.file` into `spec.schema`. A schema that does not parse is reported at file:line:column:
 * inside the schema file for `file:`, at the `schema:` field for inline schemas.
 */
export const renderSchema: Renderer<'Schema'> = (doc) => {
  const subject = doc.spec.subject ?? doc.metadata.name;
  // Without text the loader could not read spec.file and has said so already.
  if (doc.spec.schema === undefined) return { resources: [], problems: [] };
  const references = doc.spec.references.map((r) => ({ name: r.name, subject: r.subject, version: r.version }));
  const result = normalizeSchema(
    doc.spec.type,
    doc.spec.schema,
    references.map((r) => r.name),
  );
  if (!result.ok) return { resources: [], problems: result.problems.map((p) => locateProblem(doc, p)) };
  const spec: JsonObject = {
    subject,
    type: doc.spec.type,
    schema: result.canonical,
    references,
    ...(doc.spec.compatibility !== undefined ? { compatibility: doc.spec.compatibility } : {}),
  };
  return {
    resources: [{ key: keys.subject(subject), kind: 'Schema', name: subject, spec, source: doc.source }],
    problems: [],
  };
};

/** Puts a schema problem where the user can find it: the schema file's own line, or the inline text's line. */
function locateProblem(doc: ConfigDocument<'Schema'>, problem: SchemaProblem): ConfigProblem {
  const base = {
    resource: `Schema "${doc.metadata.name}"`,
    message: problem.message,
    ...(problem.hint !== undefined ? { hint: problem.hint } : {}),
  };
  if (doc.spec.file !== undefined) {
    const at = problem.line !== undefined ? { line: problem.line, column: problem.column ?? 1 } : undefined;
    if (at) return { file: joinPath(dirnameOf(doc.source.file), doc.spec.file), ...at, ...base };
    return { ...doc.locate(['spec', 'file']), field: 'spec.file', ...base };
  }
  const where = doc.locate(['spec', 'schema']);
  const text = typeof doc.spec.schema === 'string' ? doc.spec.schema : undefined;
  if (text === undefined || problem.line === undefined) return { ...where, field: 'spec.schema', ...base };
  // A multi-line text is a block scalar (`schema: |`): its first line is the line after the key.
  const blockScalar = text.includes('\n');
  return {
    ...where,
    line: where.line + (blockScalar ? problem.line : problem.line - 1),
    field: 'spec.schema',
    ...base,
    message: `${problem.message} (schema line ${problem.line}${problem.column !== undefined ? `, column ${problem.column}` : ''})`,
  };
}

function dirnameOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '.' : slash === 0 ? '/' : path.slice(0, slash);
}

/** POSIX join with `.`/`..` folded; pure on purpose (no node:path in lib/plan). */
function joinPath(base: string, relative: string): string {
  const absolute = relative.startsWith('/');
  const parts: string[] = [];
  for (const part of `${absolute ? '' : `${base}/`}${relative}`.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts.at(-1) !== '..') parts.pop();
    else parts.push(part);
  }
  const leading = absolute || base.startsWith('/') ? '/' : '';
  return `${leading}${parts.join('/')}`;
}
