import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { TOOL_VERSION } from '../../../lib/version.ts';
import { configDir, ENVIRONMENT_YAML, topicYaml } from '../../support/builders.ts';
import { ROOT } from '../../support/paths.ts';

const run = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The real CLI as a script runs it (no terminal), with no colour variables inherited from the test runner, so
 * each test says which it sets. Needs no service: these are the command-line contract.
 */
async function landscape(args: readonly string[], env: Record<string, string> = {}): Promise<Result> {
  const { NO_COLOR: _n, FORCE_COLOR: _f, ...inherited } = process.env;
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'bin/landscape.ts'), ...args], {
      cwd: ROOT,
      env: { ...inherited, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** No Node stack trace, no Node error code: what a user sees is the CLI's own words. */
function expectNoStackTrace(result: Result): void {
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toContain('ERR_PARSE_ARGS');
}

describe('a command line the CLI cannot run', () => {
  it('an unknown option: the command usage and exit 1, not a stack trace', async () => {
    const result = await landscape(['plan', 'examples/kafka', '--env', 'local', '--bogus']);
    expect(result.code).toBe(1);
    expectNoStackTrace(result);
    expect(result.stderr).toMatch(/^landscape plan: unknown option "--bogus"\n\nUsage: landscape plan DIR --env ENV/);
    expect(result.stdout).toBe('');
  });

  it('an option of another command is refused by this one', async () => {
    const result = await landscape(['validate', 'examples/kafka', '--approve-destructive']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'landscape validate: unknown option "--approve-destructive" (an option of apply, not of validate)',
    );
    expect(result.stderr).toContain('Usage: landscape validate DIR');
  });

  it('an unknown command: the global usage and exit 1', async () => {
    const result = await landscape(['vaildate', 'examples/kafka']);
    expect(result.code).toBe(1);
    expectNoStackTrace(result);
    expect(result.stderr).toContain('landscape: unknown command "vaildate"; did you mean "validate"?');
    expect(result.stderr).toContain('Commands:');
  });

  it('a missing option value or a bad number: the command usage and exit 1', async () => {
    const missing = await landscape(['plan', 'examples/kafka', '--env']);
    expect(missing.code).toBe(1);
    expectNoStackTrace(missing);
    expect(missing.stderr).toContain('landscape plan: option "--env" needs a value (ENV)');
    const number = await landscape(['audit', '--env', 'local', '--limit', 'many']);
    expect(number.code).toBe(1);
    expect(number.stderr).toContain('landscape audit: option "--limit" expects a whole number (N), got "many"');
  });
});

describe('help, version, completion', () => {
  it('per-command help: landscape plan --help and landscape help plan, on stdout, exit 0', async () => {
    const flag = await landscape(['plan', '--help']);
    const command = await landscape(['help', 'plan']);
    expect(flag.code).toBe(0);
    expect(command.code).toBe(0);
    expect(flag.stdout).toBe(command.stdout);
    expect(flag.stdout).toMatch(/^Usage: landscape plan DIR --env ENV \[--out FILE\] \[--json\]\n/);
    expect(flag.stdout).toContain('-o, --out FILE');
  });

  it('landscape --help lists every command', async () => {
    const result = await landscape(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['validate', 'plan', 'apply', 'drift', 'export', 'serve', 'doctor', 'completion'])
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('--version prints the tool version', async () => {
    const result = await landscape(['--version']);
    expect(result).toEqual({ code: 0, stdout: `landscape ${TOOL_VERSION}\n`, stderr: '' });
  });

  it('landscape completion bash prints a script bash accepts', async () => {
    const result = await landscape(['completion', 'bash']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('complete -o filenames -F _landscape landscape');
    await expect(run('bash', ['-n', '-c', result.stdout])).resolves.toBeDefined();
  });
});

describe('colours', () => {
  let bad: string;
  beforeAll(async () => {
    bad = await configDir({ 'env.yaml': ENVIRONMENT_YAML, 'topics.yaml': topicYaml('orders', { partitions: -1 }) });
  });
  const RED = '\u001b[31m';

  it('none when stderr is not a terminal', async () => {
    const result = await landscape(['validate', bad]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('spec.partitions');
    expect(result.stderr).not.toContain('\u001b[');
  });

  it('with FORCE_COLOR, and never with NO_COLOR or --no-color', async () => {
    expect((await landscape(['validate', bad], { FORCE_COLOR: '1' })).stderr).toContain(RED);
    const noColor = await landscape(['validate', bad], { FORCE_COLOR: '1', NO_COLOR: '1' });
    expect(noColor.stderr).toContain('spec.partitions');
    expect(noColor.stderr).not.toContain('\u001b[');
    const flag = await landscape(['validate', bad, '--no-color'], { FORCE_COLOR: '1' });
    expect(flag.stderr).toContain('spec.partitions');
    expect(flag.stderr).not.toContain('\u001b[');
  });
});
