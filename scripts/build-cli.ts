/**
 * The built CLI: `node scripts/build-cli.ts` bundles bin/landscape.ts into dist/cli/ (landscape.mjs and its
 * chunks), and `node scripts/build-cli.ts --pack` also makes the installable package, dist/landscape-VERSION.tgz
 * (`npm install -g ./dist/landscape-VERSION.tgz` gives a `landscape` that needs neither the repository nor
 * node_modules).
 *
 * Choices, for start-up time (bench/cli-startup.ts measures them):
 * - every package is bundled: no module resolution through node_modules at start, and nothing to install;
 * - code splitting: each command's `import()` in bin/landscape.ts is its own chunk, so `landscape --help` reads
 *   a few KiB and `landscape validate` never parses the Kafka, Kubernetes or AWS clients;
 * - minified, no source maps (LANDSCAPE_DEBUG=1 still prints stacks, with bundle positions).
 * The package is staged in dist/package with its own package.json (the repository's lists the dependencies
 * the Lambda bundles and tests need; the built CLI has none).
 */
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';

const run = promisify(execFile);
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface BuiltCli {
  /** The entry: `node <entry> ARGS` is `landscape ARGS`. */
  entry: string;
  outdir: string;
  metafile: Metafile;
}

/** Bundles bin/landscape.ts into `outdir` (emptied first): landscape.mjs plus chunks/*.mjs. */
export async function buildCli(outdir = join(ROOT, 'dist/cli')): Promise<BuiltCli> {
  await rm(outdir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { landscape: join(ROOT, 'bin/landscape.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    minify: true,
    sourcemap: false,
    metafile: true,
    logLevel: 'warning',
    // The Kafka client's WebAssembly helpers read a .wasm file next to their module; /bundled inlines it.
    alias: { '@platformatic/wasm-utils': '@platformatic/wasm-utils/bundled' },
    // CommonJS dependencies inside ESM chunks still call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __landscapeRequire } from 'node:module'; const require = __landscapeRequire(import.meta.url);",
    },
  });
  const entry = join(outdir, 'landscape.mjs');
  await chmod(entry, 0o755);
  return { entry, outdir, metafile: result.metafile };
}

/** The installable package: `distDir`/package (built CLI, README, package.json) packed into `distDir`. */
export async function packCli(distDir = join(ROOT, 'dist')): Promise<string> {
  const staging = join(distDir, 'package');
  await rm(staging, { recursive: true, force: true });
  await buildCli(join(staging, 'cli'));
  const root = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  const manifest = {
    name: root.name,
    version: root.version,
    description: root.description,
    license: root.license,
    type: 'module',
    engines: root.engines,
    bin: { landscape: 'cli/landscape.mjs' },
    files: ['cli/'],
  };
  await writeFile(join(staging, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await copyFile(join(ROOT, 'README.md'), join(staging, 'README.md'));
  await mkdir(distDir, { recursive: true });
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', distDir], { cwd: staging });
  const [packed] = JSON.parse(stdout) as { filename: string }[];
  if (!packed) throw new Error('npm pack printed no file name');
  return join(distDir, packed.filename);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--pack')) process.stdout.write(`${await packCli()}\n`);
  else process.stdout.write(`${(await buildCli()).entry}\n`);
}
