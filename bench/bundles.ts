/**
 * Bundle size and cold import time of each Lambda handler (`node bench/bundles.ts`).
 *
 * Each handler is bundled the way it is deployed (esbuild, ESM, platform node, target node24, minified,
 * `@platformatic/wasm-utils` -> its `/bundled` entry), then imported in a fresh Node process with the
 * composition root's environment set to a local file store, which measures module evaluation plus cold-start
 * wiring. Asserts that the webhook bundle does not contain the Kafka client (DESIGN.md, Performance).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const HANDLERS = ['webhook', 'apply', 'drift', 'api', 'monitor'] as const;
export type HandlerName = (typeof HANDLERS)[number];

/** Where a package's modules show up in the esbuild metafile inputs. */
const KAFKA_MARKERS = ['node_modules/@platformatic/kafka/', 'lib/adapters/kafka/'];

export interface BundleResult {
  handler: HandlerName;
  outfile: string;
  bytes: number;
  inputs: string[];
  containsKafka: boolean;
}

/**
 * Bundles `functions/<name>/handler.ts` into `<outdir>/index.mjs` (what `lambda.sh start <outdir>
 * index.handler` and the CDK function construct load).
 */
export async function bundleHandler(
  name: HandlerName,
  outdir: string,
  options: { minify?: boolean } = {},
): Promise<BundleResult> {
  await mkdir(outdir, { recursive: true });
  const outfile = join(outdir, 'index.mjs');
  const result = await build({
    entryPoints: [join(ROOT, 'functions', name, 'handler.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    minify: options.minify ?? true,
    sourcemap: false,
    metafile: true,
    logLevel: 'silent',
    alias: { '@platformatic/wasm-utils': '@platformatic/wasm-utils/bundled' },
    // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __landscapeRequire } from 'node:module'; const require = __landscapeRequire(import.meta.url);",
    },
    absWorkingDir: ROOT,
  });
  const metafile = result.metafile as Metafile;
  const inputs = Object.keys(metafile.inputs);
  return {
    handler: name,
    outfile,
    bytes: (await stat(outfile)).size,
    inputs,
    containsKafka: inputs.some((input) => KAFKA_MARKERS.some((marker) => input.includes(marker))),
  };
}

/** Environment that lets every composition root start without AWS (file store, dummy function names). */
export function localHandlerEnv(stateDir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANDSCAPE_STORE: 'file',
    STATE_DIR: stateDir,
    GITHUB_WEBHOOK_SECRET: 'bench-webhook-secret-0123456789',
    ALLOWED_REPOSITORIES: 'acme/platform-config',
    WORKER_FUNCTION_NAME: 'landscape-apply',
    GIT_SOURCE: 'git',
    GIT_BASE_URL: 'http://127.0.0.1:1',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  };
}

/** Median wall time of importing the bundle in a fresh process (`runs` processes). */
export async function coldImportMs(outfile: string, env: NodeJS.ProcessEnv, runs = 9): Promise<number> {
  const script = `const t=performance.now();await import(${JSON.stringify(outfile)});process.stdout.write(String(performance.now()-t));`;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env });
    times.push(Number(stdout));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'landscape-bundles-'));
  const rows: string[] = [];
  let failed = false;
  try {
    const env = localHandlerEnv(join(work, 'state'));
    for (const name of HANDLERS) {
      const bundle = await bundleHandler(name, join(work, name));
      const ms = await coldImportMs(bundle.outfile, env);
      const text = await readFile(bundle.outfile, 'utf8');
      rows.push(
        `${name.padEnd(8)} ${(bundle.bytes / 1024).toFixed(0).padStart(6)} KiB  ${String(bundle.inputs.length).padStart(5)} modules  cold import ${ms.toFixed(0).padStart(5)} ms  kafka client: ${bundle.containsKafka ? 'yes' : 'no'}`,
      );
      if (name === 'webhook' && (bundle.containsKafka || text.includes('@platformatic/kafka'))) failed = true;
    }
    await writeFile(join(work, 'RESULTS.txt'), `${rows.join('\n')}\n`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  console.log(`handler   bundle (minified ESM, node24)        cold import (median of 9, fresh process)`);
  for (const row of rows) console.log(row);
  if (failed) {
    console.error('FAIL: the webhook bundle contains the Kafka client');
    process.exitCode = 1;
  } else {
    console.log('OK: the webhook bundle does not contain the Kafka client');
  }
}

if (import.meta.main) await main();
