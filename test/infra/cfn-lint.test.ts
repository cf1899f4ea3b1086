import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** Runs scripts/cfn-lint.sh on one template (installs the pinned cfn-lint on a cold machine). */
function lint(template: Record<string, unknown>): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'landscape-cfn-lint-'));
  const file = join(dir, 'template.json');
  writeFileSync(file, JSON.stringify(template, null, 2));
  const run = spawnSync('bash', [join(ROOT, 'scripts', 'cfn-lint.sh'), file], { encoding: 'utf8', cwd: ROOT });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

const role = {
  Type: 'AWS::IAM::Role',
  Properties: {
    AssumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    },
  },
};
const fn = (runtime: string) => ({
  Type: 'AWS::Lambda::Function',
  // The shape aws-cdk-lib gives every function: a DependsOn on the role it already references (W3005).
  DependsOn: ['Role'],
  Properties: {
    Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
    Runtime: runtime,
    Handler: 'index.handler',
    Code: { ZipFile: 'exports.handler = async () => 1;' },
  },
});

describe('scripts/cfn-lint.sh (the cfn-lint step of scripts/test.sh)', () => {
  it('fails on an error and names the rule', () => {
    const { status, output } = lint({ Resources: { Role: role, Fn: fn('nodejs0.x') } });
    expect(status).toBe(1);
    expect(output).toMatch(/E\d{4} /);
    expect(output).toContain('nodejs0.x');
  });

  it('fails on a warning too', () => {
    // W2001: a parameter nothing uses.
    const { status, output } = lint({
      Parameters: { Unused: { Type: 'String' } },
      Resources: { Role: role, Fn: fn('nodejs24.x') },
    });
    expect(status).toBe(1);
    expect(output).toContain('W2001');
  });

  it('passes a template whose only finding is a rule .cfnlintrc ignores with a reason', () => {
    const { status, output } = lint({ Resources: { Role: role, Fn: fn('nodejs24.x') } });
    expect(output).not.toContain('W3005');
    expect(status).toBe(0);
    expect(output).toMatch(/cfn-lint \d+\.\d+\.\d+: 1 template\(s\), no errors or warnings/);
  });
});
