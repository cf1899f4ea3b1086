/**
 * Bundle size and cold import time of each Lambda handler (`node bench/bundles.ts`).
 *
 * Each handler is bundled the way it is deployed (esbuild, ESM, platform node, target node24, packages' ESM
 * builds first, minified, `@platformatic/wasm-utils` -> its `/bundled` entry), then imported in a fresh Node
 * process with the composition root's environment set to a local file store, which measures module evaluation
 * plus cold-start wiring. Asserts that the webhook bundle does not contain the Kafka client (DESIGN.md,
 * Performance) nor anything else of WEBHOOK_FORBIDDEN_INPUTS, and stays within WEBHOOK_BUNDLE_BUDGET_BYTES;
 * prints its largest packages.
 * `--checkout DIR` also bundles the webhook of another checkout (e.g. a worktree of an older commit) and
 * compares bytes and cold import time with this one.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const HANDLERS = ['webhook', 'apply', 'drift', 'api', 'monitor'] as const;
export type HandlerName = (typeof HANDLERS)[number];

/** Where a package's modules show up in the esbuild metafile inputs. */
const KAFKA_MARKERS = ['node_modules/@platformatic/kafka/', 'lib/adapters/kafka/'];

/**
 * The webhook's budget (issue 16: 600 KB) and what it must never bundle: the Kafka client, the model's schemas
 * (full zod, the config loader, the planner), other zod locales than English, the GitHub client, the S3 client. Checked by bench/bundles.ts and by
 * test/unit/functions/webhook-bundle.test.ts.
 */
export const WEBHOOK_BUNDLE_BUDGET_BYTES = 600_000;
export const WEBHOOK_FORBIDDEN_INPUTS: readonly { what: string; pattern: RegExp }[] = [
  { what: 'the Kafka client', pattern: /node_modules\/@platformatic\/kafka\/|lib\/adapters\/kafka\// },
  { what: 'full zod (the model schemas)', pattern: /node_modules\/zod\/v4\/classic\// },
  { what: 'a zod locale other than English', pattern: /node_modules\/zod\/v4\/locales\/(?!en\.js$)/ },
  {
    what: 'the model, config loader, engine or planner',
    pattern: /^lib\/(model\/(?!job\.ts$)|config\/|engine\/|plan\/)/,
  },
  { what: 'the GitHub client', pattern: /node_modules\/@octokit\// },
  { what: 'the S3 client (the webhook has no bucket)', pattern: /node_modules\/@aws-sdk\/client-s3\// },
];

export interface BundleResult {
  handler: HandlerName;
  outfile: string;
  bytes: number;
  inputs: string[];
  /** Bytes each input contributes to the output after tree shaking (inputs that contribute nothing are left out). */
  bytesByInput: Record<string, number>;
  containsKafka: boolean;
}

/** Inputs of a bundle matching WEBHOOK_FORBIDDEN_INPUTS, with what each one is. */
export function forbiddenWebhookInputs(bundle: BundleResult): string[] {
  const found: string[] = [];
  for (const input of Object.keys(bundle.bytesByInput)) {
    const rule = WEBHOOK_FORBIDDEN_INPUTS.find((r) => r.pattern.test(input));
    if (rule) found.push(`${input} (${rule.what})`);
  }
  return found;
}

/** Bytes per npm package (or per project folder) of a bundle, largest first. */
export function bytesByPackage(bundle: BundleResult): [string, number][] {
  const totals = new Map<string, number>();
  for (const [input, bytes] of Object.entries(bundle.bytesByInput)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input.split('/').slice(0, 2).join('/');
    totals.set(pkg, (totals.get(pkg) ?? 0) + bytes);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
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
    // As infra/constructs/landscape-function.ts deploys it: packages' ESM builds first. With esbuild's default for
    // platform node (`main` first) the AWS SDK's CommonJS builds were measured: 250 KB more in the webhook.
    mainFields: ['module', 'main'],
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
  const bytesByInput: Record<string, number> = {};
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (bytesInOutput > 0) bytesByInput[input] = (bytesByInput[input] ?? 0) + bytesInOutput;
    }
  }
  return {
    handler: name,
    outfile,
    bytes: (await stat(outfile)).size,
    inputs,
    bytesByInput,
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

/**
 * The webhook of `checkout` (bundled by that checkout's own bench/bundles.ts) against this one: cold imports
 * alternate between the two, five rounds, so both see the same machine load.
 */
async function compareWebhook(checkout: string, ours: string, work: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const theirs = (await import(pathToFileURL(join(resolve(checkout), 'bench', 'bundles.ts')).href)) as {
    bundleHandler: typeof bundleHandler;
  };
  const before = await theirs.bundleHandler('webhook', join(work, 'checkout-webhook'));
  const after = await stat(ours);
  const times: { before: number[]; after: number[] } = { before: [], after: [] };
  for (let round = 0; round < 5; round++) {
    times.before.push(await coldImportMs(before.outfile, env));
    times.after.push(await coldImportMs(ours, env));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[2] ?? Number.NaN;
  return [
    `\nwebhook, ${checkout} -> this checkout (cold imports alternating, median of 5 rounds of 9):`,
    `  bundle ${before.bytes} -> ${after.size} bytes; cold import ${median(times.before).toFixed(0)} -> ${median(times.after).toFixed(0)} ms`,
  ];
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'landscape-bundles-'));
  const rows: string[] = [];
  const failures: string[] = [];
  let webhookPackages: [string, number][] = [];
  // --checkout DIR: the webhook of another checkout (a worktree of an older commit) too, for before/after.
  const checkoutFlag = process.argv.indexOf('--checkout');
  const checkout = checkoutFlag > 0 ? process.argv[checkoutFlag + 1] : undefined;
  let comparison: string[] = [];
  try {
    const env = localHandlerEnv(join(work, 'state'));
    for (const name of HANDLERS) {
      const bundle = await bundleHandler(name, join(work, name));
      const ms = await coldImportMs(bundle.outfile, env);
      const text = await readFile(bundle.outfile, 'utf8');
      rows.push(
        `${name.padEnd(8)} ${(bundle.bytes / 1024).toFixed(0).padStart(6)} KiB  ${String(bundle.inputs.length).padStart(5)} modules  cold import ${ms.toFixed(0).padStart(5)} ms  kafka client: ${bundle.containsKafka ? 'yes' : 'no'}`,
      );
      if (name === 'webhook') {
        if (bundle.containsKafka || text.includes('@platformatic/kafka')) failures.push('contains the Kafka client');
        for (const input of forbiddenWebhookInputs(bundle)) failures.push(`bundles ${input}`);
        if (bundle.bytes > WEBHOOK_BUNDLE_BUDGET_BYTES) {
          failures.push(`is ${bundle.bytes} bytes, over its budget of ${WEBHOOK_BUNDLE_BUDGET_BYTES}`);
        }
        webhookPackages = bytesByPackage(bundle);
      }
    }
    if (checkout) comparison = await compareWebhook(checkout, join(work, 'webhook', 'index.mjs'), work, env);
    await writeFile(join(work, 'RESULTS.txt'), `${rows.join('\n')}\n`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  console.log(`handler   bundle (minified ESM, node24)        cold import (median of 9, fresh process)`);
  for (const row of rows) console.log(row);
  console.log('\nwebhook: largest packages (KiB after tree shaking)');
  for (const [pkg, bytes] of webhookPackages.slice(0, 12))
    console.log(`${(bytes / 1024).toFixed(0).padStart(6)}  ${pkg}`);
  for (const line of comparison) console.log(line);
  if (failures.length > 0) {
    for (const failure of failures) console.error(`FAIL: the webhook bundle ${failure}`);
    process.exitCode = 1;
  } else {
    console.log('OK: the webhook bundle is within its budget and bundles none of WEBHOOK_FORBIDDEN_INPUTS');
  }
}

if (import.meta.main) await main();
