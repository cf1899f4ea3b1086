import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { SCHEMAS_DIR } from '../../../lib/config/reference.ts';
import { KINDS } from '../../../lib/model/documents.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../../..');
const BIN = join(root, 'bin/landscape.ts');

async function landscape(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('landscape schema --out DIR', () => {
  it('writes a JSON Schema per kind and landscape.schema.json, the same as docs/schemas, and exits 0', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'landscape-schema-')), 'nested', 'schemas');
    dirs.push(join(out, '../..'));
    const result = await landscape(['schema', '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`wrote ${KINDS.length + 1} JSON Schemas to ${out}`);
    const written = (await readdir(out)).sort();
    expect(written).toContain('landscape.schema.json');
    expect(written).toContain('topic.schema.json');
    expect(written).toEqual((await readdir(join(root, SCHEMAS_DIR))).sort());
    for (const name of written) {
      const text = await readFile(join(out, name), 'utf8');
      expect(text, name).toBe(await readFile(join(root, SCHEMAS_DIR, name), 'utf8'));
      expect(JSON.parse(text).$schema, name).toBe('http://json-schema.org/draft-07/schema#');
    }
  });

  it('without --out prints the usage and exits 1', async () => {
    const result = await landscape(['schema']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('missing --out');
    expect(result.stderr).toContain('landscape schema --out DIR');
  });
});
