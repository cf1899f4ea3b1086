import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { ESM_REQUIRE_BANNER, LandscapeFunction } from '../../infra/constructs/landscape-function.ts';
import { FUNCTION_NAMES, type FunctionName, LandscapeStack } from '../../infra/stacks/landscape-stack.ts';
import { newApp, REPOSITORY } from './stack-fixture.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURE = join(import.meta.dirname, 'fixtures', 'echo-handler.ts');

// Handlers owned by the pipeline work may not exist yet: those are bundled from a fixture so that this test
// always runs esbuild for all five functions.
const entries = Object.fromEntries(
  FUNCTION_NAMES.map((name) => {
    const real = join(ROOT, 'functions', name, 'handler.ts');
    return [name, existsSync(real) ? real : FIXTURE];
  }),
) as Record<FunctionName, string>;

describe('LandscapeStack bundling (real esbuild, no Docker)', () => {
  it('bundles every handler as minified ESM with the require shim and a source map', async () => {
    // Prepare
    // The CLI sets this for `cdk synth`; without it the template does not say where each asset was staged.
    const app = newApp({ 'aws:cdk:enable-asset-metadata': true });
    const started = performance.now();
    // Act
    const stack = new LandscapeStack(app, 'Landscape', { code: 'bundle', entries, allowedRepositories: [REPOSITORY] });
    const template = Template.fromStack(stack);
    const seconds = (performance.now() - started) / 1000;
    // Assess
    // The five Landscape functions; aws-cdk-lib's own custom resource handler (default security group) aside.
    const functions = Object.fromEntries(
      Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) =>
        /^(Webhook|Apply|Drift|Api|Monitor)Function[0-9A-F]{8}$/.test(id),
      ),
    );
    const sizes: Record<string, number> = {};
    for (const [id, fn] of Object.entries(functions)) {
      const assetPath = (fn.Metadata as Record<string, string>)['aws:asset:path'];
      expect(assetPath, `${id} has a bundled asset`).toBeDefined();
      const dir = join(app.outdir, assetPath as string);
      expect(readdirSync(dir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
      expect(fn.Properties.Handler).toBe('index.handler');
      // Valid ES module syntax for Node 24. Real handlers are not imported here: their cold start reads
      // secrets (top-level await); the fixture bundle below is imported and invoked instead.
      execFileSync(process.execPath, ['--check', join(dir, 'index.mjs')], { stdio: 'pipe' });
      sizes[id.replace(/Function[0-9A-F]{8}$/, '')] = statSync(join(dir, 'index.mjs')).size;
    }
    expect(Object.keys(sizes)).toHaveLength(5);
    console.info(`synth with bundling: ${seconds.toFixed(1)} s; bundle bytes: ${JSON.stringify(sizes)}`);
    // The webhook answers GitHub within seconds: the Kafka client stays out of its bundle (DESIGN.md).
    const webhookAsset = (
      functions[Object.keys(functions).find((k) => k.startsWith('Webhook')) ?? ''] as {
        Metadata: Record<string, string>;
      }
    ).Metadata['aws:asset:path'] as string;
    expect(readFileSync(join(app.outdir, webhookAsset, 'index.mjs'), 'utf8')).not.toContain('@platformatic/kafka');
  }, 300_000);
});

describe('LandscapeFunction bundle output', () => {
  it('runs under Node 24: ESM, the createRequire shim and the bundled AWS SDK work together', async () => {
    // Prepare: the same construct and bundling options as the stack, on a handler with no cold-start I/O.
    const app = newApp({ 'aws:cdk:enable-asset-metadata': true });
    const stack = new Stack(app, 'Fixture');
    new LandscapeFunction(stack, 'Echo', {
      entry: FIXTURE,
      projectRoot: ROOT,
      code: 'bundle',
      description: 'bundling fixture',
      timeout: Duration.seconds(3),
      environment: {},
      deadLetterQueue: new sqs.Queue(stack, 'Dlq'),
      alarmTopic: new sns.Topic(stack, 'Alarms'),
    });
    const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    const assetPath = (fn?.Metadata as Record<string, string> | undefined)?.['aws:asset:path'];
    expect(assetPath).toBeDefined();
    const dir = join(app.outdir, assetPath as string);
    // Act
    const mod = (await import(join(dir, 'index.mjs'))) as { handler: (e: unknown) => Promise<Record<string, unknown>> };
    const out = await mod.handler({ ping: 1 });
    // Assess
    expect(out).toMatchObject({ ok: true, client: 'function' });
  }, 120_000);
});
