import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { exportDocuments } from '../plan/export-documents.ts';
import { localContext } from '../wiring/local.ts';
import { loadOrReport } from './load-or-report.ts';
import { withProviders } from './local-plan.ts';
import { EXIT, out, progressPrinter } from './output.ts';

/** `landscape export DIR --env E --out OUT`: writes YAML that reproduces the live platform (plans to no changes). */
export async function exportCommand(
  dir: string,
  options: { env: string; out: string; state?: string },
): Promise<number> {
  const config = await loadOrReport(dir, options.env);
  if (!config) return EXIT.error;
  const context = localContext(options.state, dir);
  const observed = await withProviders(config, context.secrets, async (providers) =>
    (await Promise.all(providers.map((p) => p.observe([], { progress: progressPrinter() })))).flat(),
  );
  // The inventory holds what the platform cannot reveal (the secret references user passwords were set
  // from): without it an exported user would re-plan as "password changed".
  const inventory = await context.store.getInventory(options.env);
  const files = exportDocuments(observed, config.environment.spec, inventory);
  await mkdir(options.out, { recursive: true });
  const environmentDoc = {
    apiVersion: config.environment.apiVersion,
    kind: 'Environment',
    metadata: { name: config.environment.metadata.name },
    spec: config.environment.spec,
  };
  await writeFile(join(options.out, 'environment.yaml'), stringify(environmentDoc));
  let count = 0;
  for (const [file, documents] of files) {
    count += documents.length;
    await writeFile(join(options.out, file), documents.map((d) => stringify(d)).join('---\n'));
  }
  out(`exported ${count} document(s) from "${options.env}" to ${options.out}: ${[...files.keys()].join(', ')}`);
  const users = observed.filter((r) => r.kind === 'User' && r.protectedBy === undefined);
  const placeholders = users.filter((r) => inventory[r.key]?.secretDigest === undefined).length;
  if (placeholders > 0)
    out(
      `note: ${placeholders} SCRAM user(s) exported with placeholder secret references (passwords cannot be read back); point them at your secrets.`,
    );
  const reserved = observed.filter((r) => r.protectedBy !== undefined);
  if (reserved.length > 0)
    out(
      `note: not exported (protected, never managed): ${reserved.map((r) => `${r.kind} "${r.name}" (${r.protectedBy})`).join(', ')}`,
    );
  return EXIT.ok;
}
