import type { z } from 'zod';
import { AlertRuleSpecSchema } from './alert-rule.ts';
import { AuditSinkSpecSchema } from './audit-sink.ts';
import { ChannelSpecSchema } from './channel.ts';
import type { MetadataSchema } from './common.ts';
import { DataPolicySpecSchema } from './data-policy.ts';
import { EnvironmentSpecSchema } from './environment.ts';
import { AccessRoleSpecSchema, AccessSpecSchema } from './kinds/access.ts';
import { AclSpecSchema } from './kinds/acl.ts';
import { AppSpecSchema } from './kinds/app.ts';
import { ConnectorSpecSchema } from './kinds/connector.ts';
import { IpQuotaSpecSchema } from './kinds/ip-quota.ts';
import { KubernetesManifestSpecSchema } from './kinds/kubernetes-manifest.ts';
import { QuotaSpecSchema } from './kinds/quota.ts';
import { SchemaSpecSchema } from './kinds/schema.ts';
import { TopicSpecSchema } from './kinds/topic.ts';
import { TopicDefaultsSpecSchema } from './kinds/topic-defaults.ts';
import { UserSpecSchema } from './kinds/user.ts';
import { PolicySpecSchema } from './policy.ts';

/** Every kind a config document may have, with its spec schema. */
export const SPEC_SCHEMAS = {
  Environment: EnvironmentSpecSchema,
  Topic: TopicSpecSchema,
  Acl: AclSpecSchema,
  Quota: QuotaSpecSchema,
  User: UserSpecSchema,
  Schema: SchemaSpecSchema,
  Connector: ConnectorSpecSchema,
  App: AppSpecSchema,
  KubernetesManifest: KubernetesManifestSpecSchema,
  AlertRule: AlertRuleSpecSchema,
  Channel: ChannelSpecSchema,
  DataPolicy: DataPolicySpecSchema,
  Policy: PolicySpecSchema,
  AuditSink: AuditSinkSpecSchema,
  IpQuota: IpQuotaSpecSchema,
  Access: AccessSpecSchema,
  AccessRole: AccessRoleSpecSchema,
  TopicDefaults: TopicDefaultsSpecSchema,
} as const;

export type Kind = keyof typeof SPEC_SCHEMAS;
export const KINDS = Object.keys(SPEC_SCHEMAS) as Kind[];
export type SpecOf<K extends Kind> = z.infer<(typeof SPEC_SCHEMAS)[K]>;

/** Where a document came from: used for every error and plan annotation. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** A validated document for one environment (overlays applied, defaults filled in). */
export interface ConfigDocument<K extends Kind = Kind> {
  apiVersion: string;
  kind: K;
  metadata: z.infer<typeof MetadataSchema>;
  spec: SpecOf<K>;
  source: SourceLocation;
  /** Locates a field path (e.g. ['spec', 'partitions']) in the source file; falls back to the document. */
  locate: (path: readonly (string | number)[]) => SourceLocation;
}

/** Narrows a document list to one kind, keeping the spec type. */
export function documentsOfKind<K extends Kind>(docs: readonly ConfigDocument[], kind: K): ConfigDocument<K>[] {
  return docs.filter((d): d is ConfigDocument<K> => d.kind === kind);
}

/** The whole landscape for one environment, ready to render and plan. */
export interface LoadedConfig {
  /** Config root on disk (for schema files referenced relatively). */
  root: string;
  environment: ConfigDocument<'Environment'>;
  documents: ConfigDocument[];
}
