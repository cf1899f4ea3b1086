import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../support/paths.ts';

const run = promisify(execFile);

/** The modules `landscape ARGS` loads, as paths relative to the repository (packages as node_modules/...). */
async function modulesLoadedBy(...args: string[]): Promise<string[]> {
  const out = join(await mkdtemp(join(tmpdir(), 'landscape-modules-')), 'loaded.txt');
  await run(
    process.execPath,
    ['--import', join(ROOT, 'test/support/cli/record-loaded-modules.ts'), join(ROOT, 'bin/landscape.ts'), ...args],
    { cwd: ROOT, env: { ...process.env, LANDSCAPE_TEST_LOADED_MODULES: out } },
  );
  return (await readFile(out, 'utf8'))
    .split('\n')
    .filter((url) => url.startsWith('file:'))
    .map((url) => url.slice(`file://${ROOT}/`.length).replace(/^.*?(node_modules\/)/, '$1'));
}

/** The start-up contract (bench/cli-startup.ts measures its cost): a command loads what it uses, no more. */
describe('what the CLI loads', () => {
  it('--help loads the command table and no package', async () => {
    const loaded = await modulesLoadedBy('--help');
    expect(loaded.filter((m) => m.startsWith('node_modules/'))).toEqual([]);
    expect(
      loaded.filter((m) => m.startsWith('lib/cli/') && !/output|parse-command-line|commands|usage/.test(m)),
    ).toEqual([]);
  });

  it('validate loads no adapter, no Kafka, Kubernetes or AWS client and no other command', async () => {
    const loaded = await modulesLoadedBy('validate', 'examples/kafka');
    expect(loaded).toContain('lib/cli/validate-command.ts');
    expect(loaded.filter((m) => /^lib\/(adapters|wiring)\//.test(m))).toEqual([]);
    expect(loaded.filter((m) => /node_modules\/(@platformatic\/kafka|@aws-sdk|@smithy|@kubernetes)\//.test(m))).toEqual(
      [],
    );
    expect(loaded.filter((m) => /^lib\/cli\/.*-command\.ts$/.test(m))).toEqual(['lib/cli/validate-command.ts']);
  });
});
