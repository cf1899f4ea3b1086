import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { newApp, REPOSITORY } from './stack-fixture.ts';

interface Violation {
  ruleName: string;
  reason?: string;
  violatingConstructs: { constructPath: string }[];
}
interface ValidationReport {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: Violation[];
    suppressedViolations?: Violation[];
  }[];
}

/** Synthesizes the app as `cdk synth` does (cdk-nag registered by buildApp) and reads the validation report. */
function synthWithNag(extra?: (stack: ReturnType<typeof buildApp>) => void, context: Record<string, unknown> = {}) {
  const app = newApp({ code: 'inline', allowedRepositories: REPOSITORY, ...context });
  const stack = buildApp(app);
  extra?.(stack);
  let error: unknown;
  try {
    app.synth();
  } catch (e) {
    error = e;
  }
  const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
  const nag = report.pluginReports.find((r) => r.pluginName === 'AwsSolutions');
  return { error, nag };
}

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged, and every acknowledgement carries a written reason', () => {
    // Act
    const { error, nag } = synthWithNag();
    // Assess
    const open = (nag?.violations ?? []).map((v) => `${v.ruleName} at ${v.violatingConstructs[0]?.constructPath}`);
    expect(open).toEqual([]);
    expect(error).toBeUndefined();
    expect(nag?.conclusion).toBe('success');
    for (const v of nag?.suppressedViolations ?? []) expect(v.reason?.length ?? 0).toBeGreaterThan(40);
  });

  it('accepts S3 audit buckets given as context, with the reason for their object wildcard', () => {
    const { error, nag } = synthWithNag(undefined, { auditBuckets: 'acme-audit,acme-audit-dr' });
    expect((nag?.violations ?? []).map((v) => v.ruleName)).toEqual([]);
    expect(error).toBeUndefined();
  });

  it('is really wired in: a careless bucket fails the synth', () => {
    const { error, nag } = synthWithNag((stack) => new s3.Bucket(stack, 'Careless'));
    expect((error as Error | undefined)?.message).toMatch(/AwsSolutions-S1'/);
    expect(nag?.violations.map((v) => v.ruleName)).toEqual(
      expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']),
    );
  });
});
