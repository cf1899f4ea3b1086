import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type DocumentRoles, REGENERATE_COMMAND, SCHEMAS_DIR } from '../../../lib/config/reference.ts';
import { generateReferenceFiles } from '../../../lib/config/reference-files.ts';
import { KINDS } from '../../../lib/model/documents.ts';
import { documentKindModule } from '../../../lib/plan/kinds/index.ts';

const root = join(import.meta.dirname, '../../..');
const roles = Object.fromEntries(KINDS.map((kind) => [kind, documentKindModule(kind).role])) as DocumentRoles;

describe('docs/reference.md and docs/schemas (generated from the zod schemas)', () => {
  it('are current: a changed schema, kind or example needs the files regenerated', async () => {
    const stale: string[] = [];
    const files = await generateReferenceFiles(root, roles);
    for (const file of files) {
      const checkedIn = await readFile(join(root, file.name), 'utf8').catch(() => undefined);
      if (checkedIn !== file.content) stale.push(file.name);
    }
    const expected = new Set(files.map((f) => f.name));
    for (const name of await readdir(join(root, SCHEMAS_DIR))) {
      if (!expected.has(`${SCHEMAS_DIR}/${name}`)) stale.push(`${SCHEMAS_DIR}/${name} (no such kind any more)`);
    }
    expect(stale, `out of date: ${stale.join(', ')}; run \`${REGENERATE_COMMAND}\` and commit the result`).toEqual([]);
  });

  it('has a section, a field table and an example for every kind', async () => {
    const reference = await readFile(join(root, 'docs/reference.md'), 'utf8');
    for (const kind of KINDS) {
      const section = reference.split(`\n## ${kind}\n`)[1]?.split('\n## ')[0];
      expect(section, kind).toBeDefined();
      expect(section, kind).toContain('```yaml');
      expect(section, kind).toContain(`kind: ${kind}`);
    }
  });
});
