/**
 * The suite-wide secret scan, run by scripts/test.sh after vitest: every secret value the suite used
 * (SUITE_SECRETS plus the ones registered at run time) is searched, in its plain and encoded forms, in
 * - everything every Node process of the run wrote to stdout and stderr (tap-output.ts),
 * - every plan, audit record, stored value and GitHub report handed to a store or reporter (tap-records.ts),
 * - every file the tests left in the run's temporary directory (plan files, state directories, exports, git
 *   checkouts), except `secret-sources/` folders, where tests keep the files the `file` provider reads.
 * Prints what it scanned; on a hit, names the secret and the place (never the value) and exits 1.
 *
 * Usage: node test/support/scan/scan-suite.ts SCAN_DIR
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { assertNoSecrets, type ScannedText } from '../secret-scan.ts';
import { SUITE_SECRETS } from './suite-secrets.ts';

const given = process.argv[2];
if (!given) {
  process.stderr.write('usage: scan-suite.ts SCAN_DIR\n');
  process.exit(2);
}
const dir: string = given;

const secrets: Record<string, string> = { ...SUITE_SECRETS };
const registered = await readFile(join(dir, 'registered-secrets.jsonl'), 'utf8').catch(() => '');
for (const line of registered.split('\n').filter(Boolean)) {
  const { name, value } = JSON.parse(line) as { name: string; value: string };
  if (value.length >= 6) secrets[`${name} (registered)`] = value;
}

const texts: ScannedText[] = [];
let outputLines = 0;
let processes = 0;
let records = 0;
let files = 0;
let bytes = 0;
for (const entry of await readdir(dir)) {
  const path = join(dir, entry);
  if (entry.startsWith('output-') && entry.endsWith('.log')) {
    const text = await readFile(path, 'utf8');
    outputLines += text.split('\n').length;
    processes++;
    bytes += text.length;
    texts.push({ where: `output of process ${entry.slice(7, -4)}`, text });
  } else if (entry.startsWith('records-') && entry.endsWith('.jsonl')) {
    for (const line of (await readFile(path, 'utf8')).split('\n').filter(Boolean)) {
      const { what, text } = JSON.parse(line) as { what: string; text: string };
      records++;
      bytes += text.length;
      texts.push({ where: what, text });
    }
  }
}

const SKIP = new Set(['secret-sources', 'node-compile-cache', '.git']);
const MAX_FILE_BYTES = 20 * 1024 * 1024;
async function walk(current: string): Promise<void> {
  for (const entry of await readdir(current, { withFileTypes: true }).catch(() => [])) {
    if (SKIP.has(entry.name)) continue;
    const path = join(current, entry.name);
    if (entry.isDirectory()) await walk(path);
    else if (entry.isFile() && (await stat(path)).size <= MAX_FILE_BYTES) {
      const text = await readFile(path, 'latin1');
      files++;
      bytes += text.length;
      texts.push({ where: `file ${path.slice(dir.length + 1)}`, text });
    }
  }
}
await walk(join(dir, 'tmp'));

const summary = `${Object.keys(secrets).length} secret values in ${outputLines} output lines of ${processes} processes, ${records} stored records and reports, ${files} files (${(bytes / 1024 / 1024).toFixed(1)} MiB)`;
try {
  assertNoSecrets(texts, secrets);
} catch (error) {
  process.stdout.write(`secret scan FAILED: searched ${summary}\n${(error as Error).message}\n`);
  process.exit(1);
}
process.stdout.write(`secret scan: searched ${summary}: no secret value found\n`);
