import type { ConfigProblem } from '../../errors.ts';
import { isSecretRef, type Json, type JsonObject } from '../../model/common.ts';
import { keys } from '../../model/keys.ts';
import type { Renderer } from './types.ts';

/** Config keys that come from other spec fields (or from Connect itself): writing them in config is a mistake. */
const RESERVED_CONFIG_KEYS: Record<string, string> = {
  name: 'the connector name is metadata.name',
  'connector.class': 'use spec.class',
  'tasks.max': 'use spec.tasksMax',
};

/**
 * A Connector document becomes one connector on one Connect cluster:
 * `{ cluster, class, tasksMax, config, state, healthTimeout }`. Config values become strings (Connect stores
 * strings); secret references stay references, resolved only by the apply step.
 */
export const renderConnector: Renderer<'Connector'> = (doc, config) => {
  const problems: ConfigProblem[] = [];
  const resource = `Connector "${doc.metadata.name}"`;
  const clusters = config.environment.spec.connect;
  // No connect map at all is reported once for every connector by the planner ("needs a Connector connection").
  if (clusters !== undefined && clusters[doc.spec.cluster] === undefined) {
    const known = Object.keys(clusters).sort();
    problems.push({
      ...doc.locate(['spec', 'cluster']),
      resource,
      field: 'spec.cluster',
      message: `no Connect cluster "${doc.spec.cluster}" in Environment "${config.environment.metadata.name}"`,
      hint: known.length > 0 ? `known clusters: ${known.join(', ')}` : 'add it under spec.connect of the Environment',
    });
  }
  const settings: JsonObject = {};
  for (const [key, value] of Object.entries(doc.spec.config)) {
    const reserved = RESERVED_CONFIG_KEYS[key];
    if (reserved !== undefined) {
      problems.push({
        ...doc.locate(['spec', 'config', key]),
        resource,
        field: `spec.config.${key}`,
        message: `"${key}" is set by Landscape`,
        hint: reserved,
      });
      continue;
    }
    settings[key] = isSecretRef(value) ? (value as unknown as Json) : String(value);
  }
  if (problems.length > 0) return { resources: [], problems };
  return {
    resources: [
      {
        key: keys.connector(doc.spec.cluster, doc.metadata.name),
        kind: 'Connector',
        name: doc.metadata.name,
        spec: {
          cluster: doc.spec.cluster,
          class: doc.spec.class,
          tasksMax: doc.spec.tasksMax,
          config: settings,
          state: doc.spec.state,
          healthTimeout: doc.spec.healthTimeout,
        },
        source: doc.source,
      },
    ],
    problems: [],
  };
};
