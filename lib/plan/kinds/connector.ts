import type { ConfigProblem } from '../../errors.ts';
import { describeSecretRef, isSecretRef, type Json, type JsonObject, type SecretRef } from '../../model/common.ts';
import { keys } from '../../model/keys.ts';
import {
  type ConnectorDesired,
  type ConnectorLive,
  REDACTED,
  SECRET_KEYS_CONFIG,
  SENSITIVE_KEY,
} from '../../model/kinds/connector.ts';
import type { FieldChange } from '../../model/plan.ts';
import { canonicalJson } from '../canonical-json.ts';
import type { KindRules } from '../kind-rules.ts';
import { exportEach } from './export-names.ts';
import type { DocumentKindModule, Renderer, ResourceKindModule } from './kind-module.ts';

export { type ConnectorDesired, type ConnectorLive, REDACTED, SECRET_KEYS_CONFIG, SENSITIVE_KEY };

const describeRef = (ref: SecretRef): string => `secret ${describeSecretRef(ref)}`;

/** `{key: reference}` of the secret-backed config keys: compared with what was applied last, never values. */
function secretReferences(want: ConnectorDesired): Record<string, SecretRef> {
  const refs: Record<string, SecretRef> = {};
  for (const key of Object.keys(want.config).sort()) {
    const value = want.config[key];
    if (isSecretRef(value)) refs[key] = value;
  }
  return refs;
}

function appliedReferences(digest: string | undefined): Record<string, unknown> | undefined {
  if (digest === undefined) return undefined;
  try {
    const parsed = JSON.parse(digest) as unknown;
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Connectors. The document owns the connector's whole config (Connect replaces it on every update), so a live
 * key that is not in git is shown as removed. Secret values never appear: a secret-backed key is "changed" when
 * its reference differs from the one applied last (recorded as the reference, not the value); a rotated value
 * behind the same reference is picked up by the next apply of that connector, not detected by a plan.
 */
export const connectorRules: KindRules = {
  diff({ desired, live, inventory }) {
    const want = desired.spec as unknown as ConnectorDesired;
    const have = live.spec as unknown as Partial<ConnectorLive>;
    const haveConfig = have.config ?? {};
    const applied = appliedReferences(inventory?.secretDigest);
    const fields: FieldChange[] = [];
    if (want.class !== have.class) {
      fields.push({ path: 'class', ...(have.class !== undefined ? { before: have.class } : {}), after: want.class });
    }
    if (want.tasksMax !== have.tasksMax) {
      fields.push({
        path: 'tasksMax',
        ...(have.tasksMax !== undefined ? { before: have.tasksMax } : {}),
        after: want.tasksMax,
      });
    }
    for (const key of Object.keys(want.config).sort()) {
      const value = want.config[key];
      const current = haveConfig[key];
      const path = `config.${key}`;
      if (isSecretRef(value)) {
        if (current === undefined) {
          fields.push({ path, after: `set from ${describeRef(value)}`, secret: true });
        } else if (applied !== undefined && canonicalJson(applied[key]) !== canonicalJson(value)) {
          fields.push({ path, before: 'set', after: `changed (${describeRef(value)})`, secret: true });
        }
      } else if (current === REDACTED) {
        // A plain value on a key whose live value is hidden: compare with what was applied last, if recorded.
        if (applied !== undefined && key in applied && applied[key] !== value) {
          fields.push({ path, before: 'set', after: 'changed', secret: true });
        }
      } else if (current !== value) {
        fields.push({ path, ...(current !== undefined ? { before: current } : {}), after: value as string });
      }
    }
    for (const key of Object.keys(haveConfig).sort()) {
      if (key in want.config) continue;
      const current = haveConfig[key] as string;
      const secret = current === REDACTED;
      fields.push({
        path: `config.${key}`,
        before: secret ? 'set' : current,
        note: 'not in git: removed when the config is replaced',
        ...(secret ? { secret: true } : {}),
      });
    }
    const haveState = have.state ?? 'running';
    if (want.state !== haveState) fields.push({ path: 'state', before: haveState, after: want.state });
    return fields;
  },

  createFields(desired) {
    const want = desired.spec as unknown as ConnectorDesired;
    const fields: FieldChange[] = [
      { path: 'cluster', after: want.cluster },
      { path: 'class', after: want.class },
      { path: 'tasksMax', after: want.tasksMax },
    ];
    for (const key of Object.keys(want.config).sort()) {
      const value = want.config[key];
      fields.push(
        isSecretRef(value)
          ? { path: `config.${key}`, after: `set from ${describeRef(value)}`, secret: true }
          : SENSITIVE_KEY.test(key)
            ? { path: `config.${key}`, after: 'set', secret: true }
            : { path: `config.${key}`, after: value as string },
      );
    }
    fields.push({ path: 'state', after: want.state });
    return fields;
  },

  /**
   * References of secret-backed keys, plus plain values of keys the adapter redacts (they are in git already),
   * so that the next plan can say changed/unchanged without reading a secret.
   */
  secretDigest(desired) {
    const want = desired.spec as unknown as ConnectorDesired;
    const recorded: Record<string, Json> = { ...(secretReferences(want) as unknown as JsonObject) };
    for (const [key, value] of Object.entries(want.config)) {
      if (!isSecretRef(value) && SENSITIVE_KEY.test(key)) recorded[key] = value;
    }
    return Object.keys(recorded).length > 0 ? canonicalJson(recorded) : undefined;
  },

  /** A different connector class is a different connector under the same name: gated like a delete. */
  isDestructiveUpdate(fields) {
    return fields.some((f) => f.path === 'class');
  },

  exportSpec(live) {
    const have = live.spec as unknown as ConnectorLive;
    const config: JsonObject = {};
    for (const [key, value] of Object.entries(have.config)) {
      config[key] =
        value === REDACTED
          ? {
              secretRef: {
                provider: 'env',
                name: `${live.name}_${key}`.toUpperCase().replace(/[^A-Z0-9]+/g, '_'),
              },
            }
          : value;
    }
    return {
      cluster: have.cluster,
      class: have.class,
      tasksMax: have.tasksMax,
      config,
      state: have.state === 'paused' ? 'paused' : 'running',
    };
  },
};

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

export const connectorDocument: DocumentKindModule<'Connector'> = {
  kind: 'Connector',
  role: 'resource',
  render: renderConnector,
  policyFacts: (doc) => ({ config: doc.spec.config }),
};

export const connectorKind: ResourceKindModule<'Connector'> = {
  kind: 'Connector',
  wave: 5,
  rules: connectorRules,
  export: { file: 'connectors.yaml', document: 'Connector', toDocuments: exportEach('Connector', connectorRules) },
};
