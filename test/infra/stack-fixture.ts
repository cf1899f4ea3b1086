import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { LandscapeStack, type LandscapeStackProps } from '../../infra/stacks/landscape-stack.ts';

/** The context of cdk.json (feature flags and defaults), as `cdk synth` passes it to the app. */
export const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

/**
 * A fresh app in a temporary cloud-assembly directory, so tests never touch ./cdk.out or each other. It gets
 * cdk.json's context first (feature flags change the template), then `context`.
 */
export function newApp(context: Record<string, unknown> = {}): App {
  return new App({
    outdir: mkdtempSync(join(tmpdir(), 'landscape-cdk-')),
    context: { ...CDK_JSON_CONTEXT, ...context },
  });
}

/** The repository every fixture accepts webhooks from (the stack refuses to synthesize without one). */
export const REPOSITORY = 'acme/platform';

/**
 * The stack with inline stand-in code (no esbuild run) and no cdk-nag: `Template.fromStack` runs the app's
 * validation plugins and would throw on them (LIBRARIES.md section 4), so nag has its own test.
 */
export function synthTemplate(props: Partial<LandscapeStackProps> = {}): {
  stack: LandscapeStack;
  template: Template;
} {
  const stack = new LandscapeStack(newApp(), 'Landscape', {
    code: 'inline',
    allowedRepositories: [REPOSITORY],
    ...props,
  });
  return { stack, template: Template.fromStack(stack) };
}
