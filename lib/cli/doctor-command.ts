import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { doctorNeeds, renderDoctorReport, secretReferences } from '../model/doctor.ts';
import { renderDesired } from '../plan/render-desired.ts';
import { DEFAULT_DOCTOR_TIMEOUT_MS, environmentSecretRefs, runDoctor } from '../use-cases/doctor.ts';
import { doctorProbeFactory } from '../wiring/doctor.ts';
import { localContext } from '../wiring/local.ts';
import { loadOrReport } from './load-or-report.ts';
import { EXIT } from './output.ts';

const run = promisify(execFile);

export interface DoctorOptions {
  env: string;
  json?: boolean;
  state?: string;
  /** `owner/name` for the GitHub check; default the checkout's `origin` when it is on GitHub. */
  repo?: string;
  /** Seconds one call of a check may take (default 10). */
  timeoutSeconds?: number;
}

/**
 * `landscape doctor DIR --env E [--json]`: checks that every connection of the environment answers, accepts
 * its credentials and allows what Landscape needs for the resources DIR declares; one line per check with
 * the fix under each failure. Read-only. Exit 0 when nothing failed, 1 otherwise (or on config problems).
 */
export async function doctorCommand(dir: string, options: DoctorOptions): Promise<number> {
  const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_DOCTOR_TIMEOUT_MS / 1000;
  if (!(Number.isFinite(timeoutSeconds) && timeoutSeconds > 0)) {
    process.stderr.write('--timeout takes a number of seconds above 0\n');
    return EXIT.error;
  }
  const config = await loadOrReport(dir, options.env);
  if (!config) return EXIT.error;
  const { secrets } = localContext(options.state, dir);
  const spec = config.environment.spec;
  const desired = renderDesired(config).resources;
  const secretRefs = [
    ...environmentSecretRefs(spec).map((s) => ({ ...s, path: `Environment "${options.env}" ${s.path}` })),
    ...config.documents.flatMap((doc) =>
      secretReferences(doc.spec, 'spec').map((s) => ({ ...s, path: `${doc.kind} "${doc.metadata.name}" ${s.path}` })),
    ),
  ];
  const token = process.env.GITHUB_TOKEN || undefined;
  const report = await runDoctor(
    {
      secrets,
      probesFor: doctorProbeFactory({
        token,
        repo: options.repo ?? (token ? await githubRepoOf(dir) : undefined),
        apiUrl: process.env.GITHUB_API_URL,
        unsetReason: 'no GitHub token here: set GITHUB_TOKEN to check the token the pipeline uses',
      }),
      now: () => new Date(),
    },
    {
      environment: options.env,
      spec,
      needs: doctorNeeds(desired, spec),
      secretRefs,
      timeoutMs: timeoutSeconds * 1000,
    },
  );
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderDoctorReport(report));
  return report.ok ? EXIT.ok : EXIT.error;
}

/** `owner/name` of the checkout's origin when it is a GitHub remote. */
async function githubRepoOf(dir: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['-C', dir, 'remote', 'get-url', 'origin']);
    return /github\.com[:/]([^/\s]+\/[^/\s]+?)(\.git)?\s*$/.exec(stdout)?.[1];
  } catch {
    return undefined;
  }
}
