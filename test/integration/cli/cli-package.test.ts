import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { TOOL_VERSION } from '../../../lib/version.ts';
import { packCli, ROOT } from '../../../scripts/build-cli.ts';
import { kafkaTestEnv } from '../../../scripts/services/kafka-broker.ts';

const run = promisify(execFile);

/**
 * The packed CLI installed the way a user installs it (`npm install -g TARBALL`, into a fresh prefix, offline:
 * the package has no dependencies to fetch), then run from outside the repository with only Node and the
 * installed bin on the PATH.
 */
describe('the installable package', () => {
  let work: string;
  let landscape: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'landscape-package-'));
    const tarball = await packCli(join(work, 'dist'));
    const prefix = join(work, 'prefix');
    env = { PATH: `${join(prefix, 'bin')}:${dirname(process.execPath)}:/usr/bin:/bin`, HOME: work };
    await run('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball], {
      cwd: work,
      env: { ...env, npm_config_cache: join(work, 'npm-cache') },
    });
    landscape = join(prefix, 'bin', 'landscape');
    await cp(join(ROOT, 'examples/kafka'), join(work, 'config'), { recursive: true });
  });

  it('installs a landscape command with nothing but the built CLI', async () => {
    const installed = join(work, 'prefix/lib/node_modules/landscape');
    expect((await readdir(installed)).sort()).toEqual(['README.md', 'cli', 'package.json']);
    const { stdout } = await run(landscape, ['--version'], { cwd: work, env });
    expect(stdout).toBe(`landscape ${TOOL_VERSION}\n`);
  });

  it('validates a copied config directory outside the repository', async () => {
    const { stdout } = await run(landscape, ['validate', 'config'], { cwd: work, env });
    expect(stdout).toContain('configuration is valid (2 environments: local, production)');
  });

  it('plans against the test broker with the bundled Kafka client', async () => {
    const result = await run(landscape, ['plan', 'config', '--env', 'local', '--state', join(work, 'state')], {
      cwd: work,
      env: { ...env, KAFKA_PASSWORD: kafkaTestEnv.password },
    }).then(
      (done) => ({ code: 0, ...done }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    // The example's topics may exist already (another run applied them): no changes is an answer too.
    expect([0, 2], result.stderr).toContain(result.code);
    expect(result.stdout).toMatch(/Summary: \d+ to create, \d+ to update, 0 to delete/);
  });

  it('runs a command from a lazily loaded chunk and reports usage errors the same way', async () => {
    const help = await run(landscape, ['help', 'plan'], { cwd: work, env });
    expect(help.stdout).toMatch(/^Usage: landscape plan DIR --env ENV/);
    const bad = await run(landscape, ['plan', 'config', '--bogus'], { cwd: work, env }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringContaining('unknown option "--bogus"') });
  });
});
