import { writeFile } from 'node:fs/promises';
import { renderPlanText } from '../plan/render-plan.ts';
import { type PlanOptions, planDirectory, refusalError } from './local-plan.ts';
import { EXIT, out, paintPlan } from './output.ts';

/**
 * `landscape plan DIR --env E [--out plan.json] [--json]`: exit 0 no changes, 2 changes, 1 error (invalid
 * configuration, or a change the plan refuses; then no plan file is written).
 */
export async function planCommand(dir: string, options: PlanOptions): Promise<number> {
  const made = await planDirectory(dir, options);
  if (typeof made === 'number') return made;
  const { plan } = made;
  const error = refusalError(plan);
  if (options.out && !error) await writeFile(options.out, `${JSON.stringify(plan, null, 2)}\n`);
  out(options.json ? JSON.stringify(plan, null, 2) : paintPlan(renderPlanText(plan)));
  if (error) {
    process.stderr.write(`${error}\n${options.out ? `no plan written to ${options.out}\n` : ''}`);
    return EXIT.error;
  }
  if (options.out && !options.json)
    out(`\nplan written to ${options.out}; apply it with: landscape apply ${options.out}`);
  return plan.changes.length > 0 ? EXIT.changes : EXIT.ok;
}
