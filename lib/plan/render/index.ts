import type { ConfigProblem } from '../../errors.ts';
import type { ConfigDocument, Kind, LoadedConfig } from '../../model/documents.ts';
import type { DesiredResource } from '../../model/resource.ts';
import { renderApp } from './app.ts';
import { renderConnector } from './connector.ts';
import { renderAcl, renderQuota, renderTopic, renderUser } from './kafka.ts';
import { renderKubernetesManifest } from './kubernetes-manifest.ts';
import { renderSchema } from './schema.ts';
import { nothing, type Renderer, type RenderResult } from './types.ts';

/** Kinds that configure Landscape itself (connections, alerts, governance) render no platform resources. */
const RENDERERS: { [K in Kind]: Renderer<K> } = {
  Environment: nothing,
  Topic: renderTopic,
  Acl: renderAcl,
  Quota: renderQuota,
  User: renderUser,
  Schema: renderSchema,
  Connector: renderConnector,
  App: renderApp,
  KubernetesManifest: renderKubernetesManifest,
  AlertRule: nothing,
  Channel: nothing,
  DataPolicy: nothing,
  Policy: nothing,
  AuditSink: nothing,
};

/**
 * Renders every document of the environment into desired resources. Two documents that render the same key
 * (the same topic twice, an App's ACL also written by hand) are reported with both locations, except identical
 * ACL bindings, which are merged because granting the same access twice is harmless.
 */
export function renderDesired(config: LoadedConfig): RenderResult {
  const byKey = new Map<string, DesiredResource>();
  const problems: ConfigProblem[] = [];
  for (const doc of config.documents) {
    const render = RENDERERS[doc.kind] as Renderer<Kind>;
    const result = render(doc as ConfigDocument<Kind>, config);
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
