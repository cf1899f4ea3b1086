import { appendAll, loadLandscape } from '../config/load-config.ts';
import { renderAndCheck } from '../engine/plan-environment.ts';
import { EXIT, out, printProblems } from './output.ts';

/** `landscape validate DIR`: every document, every environment, renderers and governance checks; no live calls. */
export async function validateCommand(dir: string): Promise<number> {
  // One read of the tree for every environment (loadLandscape): the cost does not multiply with them.
  const { problems, environments, configs } = await loadLandscape(dir);
  for (const config of configs.values()) appendAll(problems, renderAndCheck(config).problems);
  printProblems(problems);
  const errors = problems.filter((p) => p.severity !== 'warning').length;
  if (errors > 0) return EXIT.error;
  out(
    `configuration is valid (${environments.length} environment${environments.length === 1 ? '' : 's'}: ${environments.join(', ') || 'none'})`,
  );
  return EXIT.ok;
}
