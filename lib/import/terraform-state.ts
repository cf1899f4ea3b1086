import { positiveInt, QUOTA_FIELDS, quotaDocument, topicDocument, userDocument } from './documents.ts';
import {
  aclOperation,
  aclPatternType,
  aclPermission,
  aclResourceType,
  binding,
  grantDocuments,
  inferIntents,
  type SourceBinding,
} from './grants.ts';
import { type Cursor, ImportFormatError, parseSource, type SourceFile } from './source.ts';
import type { ImportedDocument, Importer, ImportLoss, ImportNote, ImportOptions, ImportResult } from './types.ts';

interface Collected {
  documents: ImportedDocument[];
  losses: ImportLoss[];
  notes: ImportNote[];
  bindings: SourceBinding[];
}

/**
 * The JSON of `terraform show -json` (state, or a saved plan's `planned_values`) for the Kafka provider's
 * resources, in every module: `kafka_topic` (name, partitions, replication_factor, config), `kafka_acl`
 * (resource_name, resource_type, resource_pattern_type_filter, acl_principal, acl_host, acl_operation,
 * acl_permission_type), `kafka_quota` (entity_name, entity_type user / client-id / ip, config) and
 * `kafka_user_scram_credential` (username, scram_mechanism, scram_iterations; the password is never copied: a
 * secret reference to fill in). The values are what the provider applied, so they convert one to one; ACLs
 * become roles where a role generates exactly them.
 */
export const terraformStateImporter: Importer = {
  tool: 'terraform-state',
  reads: 'the JSON of terraform show -json',
  convert(files: readonly SourceFile[], options: ImportOptions): ImportResult {
    const out: Collected = { documents: [], losses: [], notes: [], bindings: [] };
    for (const file of files) {
      const trimmed = file.text.trimStart();
      if (!trimmed.startsWith('{'))
        throw new ImportFormatError(
          { file: file.path, line: 1 },
          'not the JSON of terraform show -json: expected a JSON object',
        );
      for (const root of parseSource(file)) {
        if (!root.isMap() || !root.get('format_version').present)
          root.fail('not the JSON of terraform show -json: expected "format_version" and "values"');
        const values = root.get('values').present ? root.get('values') : root.get('planned_values');
        if (!values.present)
          root.fail('not the JSON of terraform show -json: no "values" (state) or "planned_values" (plan)');
        convertModule(values.get('root_module'), out);
      }
    }
    const intents = inferIntents(out.bindings, (principal) => principal.replace(/^User:/, ''));
    out.documents.push(...grantDocuments(out.bindings, intents, options.access));
    return { documents: out.documents, losses: out.losses, notes: out.notes };
  },
};

function convertModule(module: Cursor, out: Collected): void {
  for (const resource of module.get('resources').items()) convertResource(resource, out);
  for (const child of module.get('child_modules').items()) convertModule(child, out);
}

function convertResource(resource: Cursor, out: Collected): void {
  const type = resource.get('type').string();
  const address = resource.get('address').optString() ?? type;
  const mode = resource.get('mode').optString() ?? 'managed';
  const values = resource.get('values');
  const at = resource.at;
  if (mode !== 'managed') {
    out.losses.push({ at, construct: `data source ${address}`, reason: 'reads, manages nothing: nothing to convert' });
    return;
  }
  switch (type) {
    case 'kafka_topic': {
      const name = values.get('name').string();
      const partitions = positiveInt(values.get('partitions')) ?? values.get('partitions').fail('is required');
      const replicationFactor =
        positiveInt(values.get('replication_factor')) ?? values.get('replication_factor').fail('is required');
      const config = values.get('config');
      out.documents.push(
        topicDocument(name, { partitions, replicationFactor, config: config.stringMap() }, config, at, out.losses),
      );
      return;
    }
    case 'kafka_acl': {
      out.bindings.push(
        binding(
          values.get('acl_principal').string(),
          aclResourceType(values.get('resource_type')),
          values.get('resource_name').string(),
          aclOperation(values.get('acl_operation')),
          at,
          {
            patternType: aclPatternType(values.get('resource_pattern_type_filter'), 'literal'),
            host: values.get('acl_host').optString() ?? '*',
            permission: aclPermission(values.get('acl_permission_type'), 'allow'),
          },
        ),
      );
      return;
    }
    case 'kafka_quota': {
      convertQuota(address, values, at, out);
      return;
    }
    case 'kafka_user_scram_credential': {
      const text = values.get('scram_mechanism').string();
      const mechanism =
        text === 'SCRAM-SHA-256' || text === 'SCRAM-SHA-512'
          ? text
          : values.get('scram_mechanism').fail(`expected SCRAM-SHA-256 or SCRAM-SHA-512, got "${text}"`);
      const name = values.get('username').string();
      const iterations = positiveInt(values.get('scram_iterations')) ?? 4096;
      // Several credentials of one user (one resource per mechanism) become one User with both.
      const existing = out.documents.find((d) => d.kind === 'User' && d.name === name);
      if (existing) {
        const spec = existing.spec as {
          scram?: unknown[];
          mechanism?: string;
          password?: unknown;
          iterations?: number;
        };
        const list = spec.scram ?? [
          { mechanism: spec.mechanism, password: spec.password, iterations: spec.iterations },
        ];
        const password = (list[0] as { password: unknown }).password;
        existing.spec = { scram: [...list, { mechanism, password, iterations }] };
        return;
      }
      out.documents.push(
        userDocument(name, [{ mechanism, iterations }], at, out.notes, `the Terraform state (${address})`),
      );
      return;
    }
    default:
      out.losses.push({
        at,
        construct: `${address} (${type})`,
        reason: 'only kafka_topic, kafka_acl, kafka_quota and kafka_user_scram_credential are converted',
      });
  }
}

function convertQuota(address: string, values: Cursor, at: { file: string; line: number }, out: Collected): void {
  const entityType = values.get('entity_type').string();
  const entityName = values.get('entity_name').optString() || '<default>';
  const config = values.get('config');
  if (entityType === 'ip') {
    const rate = config.get('connection_creation_rate').optNumber();
    if (rate !== undefined)
      out.documents.push({
        file: 'quotas.yaml',
        kind: 'IpQuota',
        name: `ip-${entityName.replace(/[<>]/g, '')}`,
        spec: { ip: entityName, connectionCreationRate: rate },
        from: at,
      });
    for (const key of config.keys())
      if (key !== 'connection_creation_rate')
        out.losses.push({ at: config.get(key).at, construct: `${address} config "${key}"`, reason: 'not an IP quota' });
    return;
  }
  if (entityType !== 'user' && entityType !== 'client-id')
    values.get('entity_type').fail(`expected user, client-id or ip, got "${entityType}"`);
  const quota: Record<string, number> = {};
  for (const [key, value] of config.entries()) {
    const field = QUOTA_FIELDS[key];
    const number = value.optNumber();
    if (field === undefined || number === undefined) {
      out.losses.push({ at: value.at, construct: `${address} config "${key}"`, reason: 'not converted' });
      continue;
    }
    quota[field] = number;
  }
  if (Object.keys(quota).length === 0) return;
  out.documents.push(quotaDocument(entityType === 'user' ? { user: entityName } : { clientId: entityName }, quota, at));
}
