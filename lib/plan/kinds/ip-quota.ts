import { CONFIG_API_VERSION } from '../../model/common.ts';
import { DEFAULT_IP, ipQuotaKey } from '../../model/kinds/ip-quota.ts';
import { slug } from './export-names.ts';
import type { DocumentKindModule, Renderer, ResourceKindModule } from './kind-module.ts';

/** One IP entity per document; the resource is named by the IP (or `<default>`), as the broker reports it. */
export const renderIpQuota: Renderer<'IpQuota'> = (doc) => ({
  resources: [
    {
      key: ipQuotaKey(doc.spec.ip),
      kind: 'IpQuota',
      name: doc.spec.ip,
      spec: { ip: doc.spec.ip, connectionCreationRate: doc.spec.connectionCreationRate },
      source: doc.source,
    },
  ],
  problems: [],
});

export const ipQuotaDocument: DocumentKindModule<'IpQuota'> = {
  kind: 'IpQuota',
  role: 'resource',
  render: renderIpQuota,
};

/** The whole spec is the rate: the default differ (declared fields) fits, and deletes remove the quota. */
export const ipQuotaKind: ResourceKindModule<'IpQuota'> = {
  kind: 'IpQuota',
  wave: 2,
  rules: {},
  export: {
    file: 'ip-quotas.yaml',
    document: 'IpQuota',
    toDocuments: (live) =>
      live.map((resource) => ({
        apiVersion: CONFIG_API_VERSION,
        kind: 'IpQuota',
        // `<default>` is no valid document name: the default entity is exported as `default-ip`.
        metadata: { name: resource.name === DEFAULT_IP ? 'default-ip' : slug(resource.name) },
        spec: resource.spec,
      })),
  },
};
