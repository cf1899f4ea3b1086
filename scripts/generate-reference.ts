#!/usr/bin/env node
// Writes docs/reference.md and docs/schemas/*.json from the zod schemas of lib/model.
//
//   node scripts/generate-reference.ts           regenerate (after changing a schema, a kind, or an example)
//   node scripts/generate-reference.ts --check   exit 1 when a checked-in file differs (what the test checks)
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DocumentRoles } from '../lib/config/reference.ts';
import { SCHEMAS_DIR } from '../lib/config/reference.ts';
import { generateReferenceFiles } from '../lib/config/reference-files.ts';
import { KINDS } from '../lib/model/documents.ts';
import { documentKindModule } from '../lib/plan/kinds/index.ts';

const root = join(import.meta.dirname, '..');
const check = process.argv.includes('--check');
const roles = Object.fromEntries(KINDS.map((kind) => [kind, documentKindModule(kind).role])) as DocumentRoles;
const files = await generateReferenceFiles(root, roles);

const stale: string[] = [];
for (const file of files) {
  const path = join(root, file.name);
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current === file.content) continue;
  stale.push(file.name);
  if (!check) {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.content);
  }
}
// A schema of a kind that no longer exists would mislead editors: it goes too.
const expected = new Set(files.map((f) => f.name));
for (const name of await readdir(join(root, SCHEMAS_DIR)).catch(() => [] as string[])) {
  const relativeName = `${SCHEMAS_DIR}/${name}`;
  if (expected.has(relativeName)) continue;
  stale.push(relativeName);
  if (!check) await rm(join(root, relativeName));
}

if (check && stale.length > 0) {
  process.stderr.write(`out of date: ${stale.join(', ')}\nrun: node scripts/generate-reference.ts\n`);
  process.exit(1);
}
process.stdout.write(stale.length > 0 ? `wrote ${stale.join(', ')}\n` : 'reference up to date\n');
