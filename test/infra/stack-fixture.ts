import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { LandscapeStack, type LandscapeStackProps } from '../../infra/stacks/landscape-stack.ts';

/** A fresh app in a temporary cloud-assembly directory, so tests never touch ./cdk.out or each other. */
export function newApp(context: Record<string, unknown> = {}): App {
  return new App({ outdir: mkdtempSync(join(tmpdir(), 'landscape-cdk-')), context });
}

/**
 * The stack with inline stand-in code (no esbuild run) and no cdk-nag: `Template.fromStack` runs the app's
 * validation plugins and would throw on them (LIBRARIES.md section 4), so nag has its own test.
 */
export function synthTemplate(props: LandscapeStackProps = {}): { stack: LandscapeStack; template: Template } {
  const stack = new LandscapeStack(newApp(), 'Landscape', { code: 'inline', ...props });
  return { stack, template: Template.fromStack(stack) };
}
