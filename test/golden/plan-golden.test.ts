import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/load-config.ts';
import { sha256Hex } from '../../lib/engine/hash.ts';
import { renderAndCheck } from '../../lib/engine/plan-environment.ts';
import {
  type Inventory,
  type ObservedResource,
  RESOURCE_KIND_NAMES,
  type ResourceKind,
} from '../../lib/model/resource.ts';
import { computePlan } from '../../lib/plan/compute-plan.ts';
import { renderPlanMarkdown, renderPlanText } from '../../lib/plan/render-plan.ts';

const CASES = join(import.meta.dirname, 'plan');

/**
 * One golden case per folder: desired/*.yaml (with an Environment named "test"), observed.json (live
 * resources), optional inventory.json. The plan JSON and both renderings are compared with the files next
 * to them; update with `npx vitest run test/golden -u` and review the diff like code. Every resource kind is
 * observed (as if every provider were configured), and every kind must appear in some case.
 */
const observedOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'observed.json'), 'utf8')) as ObservedResource[];

describe('computePlan golden cases', () => {
  for (const name of readdirSync(CASES).sort()) {
    it(`plans "${name}" as recorded`, async () => {
      const dir = join(CASES, name);
      const config = await loadConfig(join(dir, 'desired'), 'test', { displayRoot: 'desired' });
      const { desired, problems, notes } = renderAndCheck(config);
      expect(problems).toEqual([]);
      const observed = observedOf(dir);
      const inventoryPath = join(dir, 'inventory.json');
      const inventory = existsSync(inventoryPath) ? (JSON.parse(readFileSync(inventoryPath, 'utf8')) as Inventory) : {};
      const plan = computePlan({
        environment: { name: 'test', spec: config.environment.spec },
        desired,
        observed,
        inventory,
        observedKinds: RESOURCE_KIND_NAMES,
        notes,
        source: { commit: '0123456789abcdef0123456789abcdef01234567' },
        toolVersion: 'golden',
        hash: sha256Hex,
      });
      // Paths are shown relative to the case folder (displayRoot), so the plan hash is the same on every machine.
      await expect(`${JSON.stringify(plan, null, 2)}\n`).toMatchFileSnapshot(join(dir, 'plan.golden.json'));
      await expect(`${renderPlanText(plan)}\n`).toMatchFileSnapshot(join(dir, 'plan.golden.txt'));
      await expect(renderPlanMarkdown(plan)).toMatchFileSnapshot(join(dir, 'comment.golden.md'));
    });
  }

  it('has a case for every resource kind (desired or observed)', async () => {
    const seen = new Set<ResourceKind>();
    for (const name of readdirSync(CASES)) {
      const dir = join(CASES, name);
      const config = await loadConfig(join(dir, 'desired'), 'test', { displayRoot: 'desired' });
      for (const resource of [...renderAndCheck(config).desired, ...observedOf(dir)]) seen.add(resource.kind);
    }
    expect(RESOURCE_KIND_NAMES.filter((kind) => !seen.has(kind))).toEqual([]);
  });
});
