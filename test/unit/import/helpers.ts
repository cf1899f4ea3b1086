import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { landscapeAccess } from '../../../lib/import/access-expander.ts';
import type { SourceFile } from '../../../lib/import/source.ts';
import type { AccessExpander, ImportedDocument } from '../../../lib/import/types.ts';
import { SPEC_SCHEMAS } from '../../../lib/model/documents.ts';
import { keys } from '../../../lib/model/keys.ts';
import { type AclBinding, AclSpecSchema } from '../../../lib/model/kinds/acl.ts';
import { ROOT } from '../../support/paths.ts';

/** A fixture of test/fixtures/import/TOOL as a source file, quoted by its path relative to the repository. */
export function fixture(tool: string, name: string): SourceFile {
  const path = join('test/fixtures/import', tool, name);
  return { path, text: readFileSync(join(ROOT, path), 'utf8') };
}

/**
 * Every binding the documents generate (Acl documents by their own schema, Access documents by `expand`), as
 * resource keys; and every document checked against its kind's schema, so the output is known to validate.
 */
export function generatedBindings(
  documents: readonly ImportedDocument[],
  expand: AccessExpander = landscapeAccess,
): string[] {
  const out: string[] = [];
  for (const doc of documents) {
    if (doc.kind === 'Acl') {
      const spec = AclSpecSchema.parse(doc.spec);
      for (const operation of spec.operations)
        out.push(
          keys.acl({
            principal: spec.principal,
            host: spec.host,
            resourceType: spec.resource.type,
            resourceName: spec.resource.name,
            patternType: spec.resource.patternType,
            operation,
            permission: spec.permission,
          }),
        );
    } else if (doc.kind === 'Access') {
      out.push(...expand(doc.spec).map((b) => keys.acl(b)));
    }
  }
  return out.sort();
}

/** Parses every document with its kind's schema (kinds the model does not have yet are skipped). */
export function validateAll(documents: readonly ImportedDocument[]): void {
  for (const doc of documents) {
    const schema = (SPEC_SCHEMAS as Record<string, { parse(value: unknown): unknown }>)[doc.kind];
    if (schema) schema.parse(doc.spec);
  }
}

export const bindingKeys = (bindings: readonly AclBinding[]) => bindings.map((b) => keys.acl(b)).sort();

/** Literal allow bindings of one principal on one resource: the fixtures' own helper. */
export { allow as allowed } from '../../support/import-fixtures.ts';
