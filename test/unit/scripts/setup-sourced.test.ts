import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** `source scripts/setup.sh` in a fresh bash with default options, then `probe`; what the shell printed. */
function sourceThen(probe: string): { status: number | null; stdout: string } {
  const run = spawnSync('bash', ['--norc', '-c', `source scripts/setup.sh || exit 9\n${probe}`], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout };
}

describe('source scripts/setup.sh (docs/deploy.md runs every command in such a shell)', () => {
  it('leaves the shell its own options: a failing command does not end it', () => {
    const { status, stdout } = sourceThen('false\necho "survived; options: $-"; set -o | grep pipefail');
    expect(status).toBe(0);
    expect(stdout).toContain('survived');
    expect(stdout).not.toMatch(/options: \S*e/);
    expect(stdout).toMatch(/pipefail\s+off/);
  });

  it('puts Node 24 and the CDK CLI on PATH with CDK telemetry off', () => {
    const { status, stdout } = sourceThen(
      'node --version; command -v cdk; echo "telemetry-off=$CDK_DISABLE_CLI_TELEMETRY"; declare -F | grep -c landscape_setup || true',
    );
    expect(status).toBe(0);
    expect(stdout).toMatch(/^v24\./m);
    expect(stdout).toContain(join(ROOT, 'node_modules', '.bin', 'cdk'));
    expect(stdout).toContain('telemetry-off=true');
    // No helper function is left behind in the caller's shell.
    expect(stdout).toMatch(/^0$/m);
  });
});
