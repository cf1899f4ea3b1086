import { CONFIG_API_VERSION, type Json, type JsonObject } from '../../model/common.ts';
import { keys } from '../../model/keys.ts';
import { QUOTA_KEYS } from '../../model/kinds/quota.ts';
import type { FieldChange } from '../../model/plan.ts';
import type { ObservedResource } from '../../model/resource.ts';
import type { KindRules } from '../kind-rules.ts';
import { slug, uniqueNames } from './export-names.ts';
import type { DocumentKindModule, ExportedDocument, Renderer, ResourceKindModule } from './kind-module.ts';

type QuotaSpec = { values: Record<string, number> };

/** A quota entity is owned whole by its document: a value removed from git is removed from the broker. */
export const quotaRules: KindRules = {
  diff({ desired, live }) {
    const want = (desired.spec as unknown as QuotaSpec).values;
    const have = (live.spec as unknown as QuotaSpec).values ?? {};
    const fields: FieldChange[] = [];
    for (const key of [...new Set([...Object.keys(want), ...Object.keys(have)])].sort()) {
      if (want[key] === have[key]) continue;
      fields.push({
        path: `values.${key}`,
        ...(have[key] !== undefined ? { before: have[key] as Json } : {}),
        ...(want[key] !== undefined ? { after: want[key] as Json } : { note: 'removed from git: quota value removed' }),
      });
    }
    return fields;
  },
};

export const renderQuota: Renderer<'Quota'> = (doc) => {
  const values: Record<string, number> = {};
  for (const [field, kafkaName] of Object.entries(QUOTA_KEYS)) {
    const value = doc.spec[field as keyof typeof QUOTA_KEYS];
    if (value !== undefined) values[kafkaName] = value;
  }
  const entity = {
    ...(doc.spec.user !== undefined ? { user: doc.spec.user } : {}),
    ...(doc.spec.clientId !== undefined ? { clientId: doc.spec.clientId } : {}),
  };
  return {
    resources: [
      {
        key: keys.quota(entity),
        kind: 'Quota',
        name: keys.quota(entity).slice('kafka/quota/'.length),
        spec: { entity, values },
        source: doc.source,
      },
    ],
    problems: [],
  };
};

function quotaDocumentOf(resource: ObservedResource, name: string): ExportedDocument {
  const spec = resource.spec as { entity?: { user?: string; clientId?: string }; values?: Record<string, number> };
  const values = spec.values ?? {};
  const fields: JsonObject = { ...(spec.entity ?? {}) };
  const names: Record<string, string> = {
    producer_byte_rate: 'producerByteRate',
    consumer_byte_rate: 'consumerByteRate',
    request_percentage: 'requestPercentage',
    controller_mutation_rate: 'controllerMutationRate',
  };
  for (const [kafkaName, value] of Object.entries(values)) {
    const field = names[kafkaName];
    if (field) fields[field] = value;
  }
  return {
    apiVersion: CONFIG_API_VERSION,
    kind: 'Quota',
    metadata: { name },
    spec: fields,
  };
}

export const quotaDocument: DocumentKindModule<'Quota'> = { kind: 'Quota', role: 'resource', render: renderQuota };

export const quotaKind: ResourceKindModule<'Quota'> = {
  kind: 'Quota',
  wave: 2,
  rules: quotaRules,
  export: {
    file: 'quotas.yaml',
    document: 'Quota',
    toDocuments(live) {
      const names = uniqueNames(
        live.map((r) => r.name),
        slug,
      );
      return live.map((resource) => quotaDocumentOf(resource, names.get(resource.name) as string));
    },
  },
};
