import type { ConfigProblem } from '../errors.ts';
import type { LoadedConfig } from '../model/documents.ts';
import type { DesiredResource } from '../model/resource.ts';
import { documentKindModule } from './kinds/index.ts';
import type { RenderResult } from './kinds/kind-module.ts';

export type { RenderResult };

/**
 * Renders every document of the environment into desired resources, each through its kind's module
 * (lib/plan/kinds). Two documents that render the same key (the same topic twice, an App's ACL also written by
 * hand) are reported with both locations, except identical ACL bindings, which are merged because granting the
 * same access twice is harmless.
 */
export function renderDesired(config: LoadedConfig): RenderResult {
  const byKey = new Map<string, DesiredResource>();
  const problems: ConfigProblem[] = [];
  for (const doc of config.documents) {
    const result = documentKindModule(doc.kind).render(doc, config);
    problems.push(...result.problems);
    for (const resource of result.resources) {
      const previous = byKey.get(resource.key);
      if (previous === undefined) {
        byKey.set(resource.key, resource);
      } else if (resource.kind !== 'Acl') {
        const where = previous.source ? `${previous.source.file}:${previous.source.line}` : 'another document';
        problems.push({
          ...(resource.source ?? { file: config.root, line: 1, column: 1 }),
          resource: `${resource.kind} "${resource.name}"`,
          message: `declared twice (also at ${where})`,
          hint: 'keep one document per resource; use overlays for per-environment values',
        });
      }
    }
  }
  const resources = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { resources, problems };
}
