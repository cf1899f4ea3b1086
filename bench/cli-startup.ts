/**
 * CLI start-up cost beside bare Node, in the same run (`node bench/cli-startup.ts [--runs N]`).
 *
 * Each command runs N times (default 15) in a fresh process; a preloaded probe (--import) records that
 * process's own CPU time (user + system, from process.resourceUsage(), which counts from process start) and
 * its peak RSS when it exits. Printed: the median CPU and wall time, the largest peak RSS, and CPU as a multiple
 * of `node -e 0`. Commands: bare Node; `landscape --help` and `landscape validate examples/kafka` from the
 * sources (node bin/landscape.ts, type stripping) and from the built CLI (scripts/build-cli.ts, built into
 * bench/out/cli first). Goals (issue "The CLI starts instantly"): built `--help` <= 3x bare Node's CPU, built
 * `validate examples/kafka` <= 0.3 s CPU. `--checkout DIR` adds the same two commands from the sources of another
 * checkout (a worktree of an older commit, with its node_modules): before and after in one run.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildCli, ROOT } from '../scripts/build-cli.ts';

const run = promisify(execFile);

const PROBE = `import { writeFileSync } from 'node:fs';
process.on('exit', () => {
  const u = process.resourceUsage();
  writeFileSync(process.env.LANDSCAPE_BENCH_PROBE_OUT, JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRssKiB: u.maxRSS }));
});
`;

interface Sample {
  cpuMs: number;
  wallMs: number;
  maxRssKiB: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function measure(args: readonly string[], probe: string, out: string, runs: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await run(process.execPath, ['--import', probe, ...args], {
      cwd: ROOT,
      env: { ...process.env, LANDSCAPE_BENCH_PROBE_OUT: out },
    });
    const wallMs = performance.now() - started;
    const { cpuMs, maxRssKiB } = JSON.parse(await readFile(out, 'utf8')) as Omit<Sample, 'wallMs'>;
    samples.push({ cpuMs, wallMs, maxRssKiB });
  }
  return samples;
}

async function main(): Promise<void> {
  const runsFlag = process.argv.indexOf('--runs');
  const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 15;
  const work = join(ROOT, 'bench/out');
  await mkdir(work, { recursive: true });
  const probe = join(work, 'cli-startup-probe.mjs');
  await writeFile(probe, PROBE);
  // --checkout DIR: also the sources of another checkout (e.g. a worktree of an older commit), for before/after.
  const checkoutFlag = process.argv.indexOf('--checkout');
  const other = checkoutFlag > 0 ? process.argv[checkoutFlag + 1] : undefined;
  const built = await buildCli(join(work, 'cli'));
  const cases: [string, string[]][] = [
    ['node -e 0', ['-e', '0']],
    ...(other
      ? ([
          ['checkout: landscape --help', [join(other, 'bin/landscape.ts'), '--help']],
          [
            'checkout: landscape validate examples/kafka',
            [join(other, 'bin/landscape.ts'), 'validate', 'examples/kafka'],
          ],
        ] as [string, string[]][])
      : []),
    ['source: landscape --help', ['bin/landscape.ts', '--help']],
    ['source: landscape validate examples/kafka', ['bin/landscape.ts', 'validate', 'examples/kafka']],
    ['built:  landscape --help', [built.entry, '--help']],
    ['built:  landscape validate examples/kafka', [built.entry, 'validate', 'examples/kafka']],
  ];
  const rows: { name: string; cpu: number; wall: number; rss: number }[] = [];
  for (const [name, args] of cases) {
    const samples = await measure(args, probe, join(work, 'cli-startup-probe.json'), runs);
    rows.push({
      name,
      cpu: median(samples.map((s) => s.cpuMs)),
      wall: median(samples.map((s) => s.wallMs)),
      rss: Math.max(...samples.map((s) => s.maxRssKiB)) / 1024,
    });
  }
  await rm(join(work, 'cli-startup-probe.json'), { force: true });
  const bare = rows[0]?.cpu ?? Number.NaN;
  const lines = [
    `${runs} runs each, Node ${process.version}; median CPU (user+sys) and wall time, largest peak RSS`,
    '',
    '| command                                     | CPU     | x node | wall    | max RSS  |',
    '| ------------------------------------------- | ------- | ------ | ------- | -------- |',
    ...rows.map(
      (r) =>
        `| ${r.name.padEnd(43)} | ${`${r.cpu.toFixed(0)} ms`.padStart(7)} | ${`${(r.cpu / bare).toFixed(1)}x`.padStart(6)} | ${`${r.wall.toFixed(0)} ms`.padStart(7)} | ${`${r.rss.toFixed(0)} MiB`.padStart(8)} |`,
    ),
  ];
  const help = rows.find((r) => r.name === 'built:  landscape --help');
  const validate = rows.find((r) => r.name === 'built:  landscape validate examples/kafka');
  lines.push(
    '',
    `goal built --help <= 3x node: ${help && help.cpu <= 3 * bare ? 'met' : 'NOT met'} (${((help?.cpu ?? 0) / bare).toFixed(1)}x)`,
    `goal built validate <= 300 ms CPU: ${validate && validate.cpu <= 300 ? 'met' : 'NOT met'} (${validate?.cpu.toFixed(0)} ms)`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
