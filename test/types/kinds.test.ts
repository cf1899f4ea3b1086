import { describe, expect, expectTypeOf, it } from 'vitest';
import type { CONNECT_KINDS } from '../../lib/adapters/connect/connect-provider.ts';
import type { KUBERNETES_KINDS } from '../../lib/adapters/k8s/kubernetes-provider.ts';
import type { KAFKA_HANDLERS } from '../../lib/adapters/kafka/kinds/index.ts';
import type { SCHEMA_REGISTRY_KINDS } from '../../lib/adapters/schema-registry/schema-registry-provider.ts';
import type { Kind as DocumentKind } from '../../lib/model/documents.ts';
import type { EnvironmentSpec } from '../../lib/model/environment.ts';
import { type Connection, type KindsOf, RESOURCE_KIND_NAMES, type ResourceKind } from '../../lib/model/resource.ts';
import { DOCUMENT_KIND_MODULES, RESOURCE_KIND_MODULES } from '../../lib/plan/kinds/index.ts';
import type { PROVIDER_FACTORIES } from '../../lib/wiring/providers.ts';

/**
 * Every kind has every part (docs/architecture.md, "How to add a kind"). These assertions are types: `tsc
 * --noEmit` (npm run check) fails on a kind that misses a part; vitest only lists the cases. The mapped types of
 * the registries catch most gaps by themselves; this covers what they can not (a `satisfies` over a union of
 * keys lets a key be missing from an `as const` list, and a connection without a provider).
 */
describe('every kind has every part', () => {
  it('a planner module per resource kind', () => {
    expectTypeOf<keyof typeof RESOURCE_KIND_MODULES>().toEqualTypeOf<ResourceKind>();
    expect(Object.keys(RESOURCE_KIND_MODULES)).toEqual(RESOURCE_KIND_NAMES);
  });

  it('a planner module per document kind', () => {
    expectTypeOf<keyof typeof DOCUMENT_KIND_MODULES>().toEqualTypeOf<DocumentKind>();
  });

  it('an adapter for every resource kind of each connection', () => {
    expectTypeOf<keyof typeof KAFKA_HANDLERS>().toEqualTypeOf<KindsOf<'kafka'>>();
    expectTypeOf<(typeof SCHEMA_REGISTRY_KINDS)[number]>().toEqualTypeOf<KindsOf<'schemaRegistry'>>();
    expectTypeOf<(typeof CONNECT_KINDS)[number]>().toEqualTypeOf<KindsOf<'connect'>>();
    expectTypeOf<(typeof KUBERNETES_KINDS)[number]>().toEqualTypeOf<KindsOf<'kubernetes'>>();
  });

  it('a provider per connection', () => {
    expectTypeOf<keyof typeof PROVIDER_FACTORIES>().toEqualTypeOf<Connection>();
  });

  it('a prune flag per resource kind', () => {
    expectTypeOf<keyof EnvironmentSpec['prune']>().toEqualTypeOf<ResourceKind>();
  });

  it('exports into a document kind', () => {
    expectTypeOf<(typeof RESOURCE_KIND_MODULES)[ResourceKind]['export']['document']>().toExtend<DocumentKind>();
    for (const module of Object.values(RESOURCE_KIND_MODULES)) {
      expect(DOCUMENT_KIND_MODULES[module.export.document].role).toBe('resource');
    }
  });
});
