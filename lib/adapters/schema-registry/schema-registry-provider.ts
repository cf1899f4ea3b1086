import { AdapterError, HttpStatusError, messageOf } from '../../errors.ts';
import type { JsonObject } from '../../model/common.ts';
import type { EnvironmentSpec } from '../../model/environment.ts';
import { keys } from '../../model/keys.ts';
import type { SchemaType } from '../../model/kinds/schema.ts';
import { needsNewVersion, type SchemaDesired, type SchemaLive } from '../../model/kinds/schema.ts';
import type { ChangeResult, PlanNote, PlannedChange } from '../../model/plan.ts';
import type { DesiredResource, KindsOf, ObservedResource, ResourceKey } from '../../model/resource.ts';
import type { ProgressListener, ResourceProvider } from '../../ports/resource-provider.ts';
import type { SecretResolver } from '../../ports/secret-resolver.ts';
import { normalizeSchema } from '../../schemas/index.ts';
import { resolveHttpAuth } from '../common/http/http-auth.ts';
import { ApicurioNativeApi, type CompatibilityAnswer } from './apicurio.ts';
import { mapLimit, RegistryClient, RegistryHttpError, seg } from './registry-client.ts';

/** The resource kinds this provider serves: every `schemaRegistry` kind of RESOURCE_KINDS (checked in test/types). */
export const SCHEMA_REGISTRY_KINDS = ['Schema'] as const satisfies readonly KindsOf<'schemaRegistry'>[];

/** Concurrent registry calls while observing (each subject needs two reads). */
const OBSERVE_CONCURRENCY = 8;
const SUBJECT_PREFIX = keys.subject('');

interface LatestVersion {
  subject: string;
  version: number;
  id: number;
  schema: string;
  schemaType?: SchemaType;
  references?: { name: string; subject: string; version: number }[];
}

export type { CompatibilityAnswer };

const subjectOf = (key: ResourceKey) => key.slice(SUBJECT_PREFIX.length);

/**
 * Schema registry adapter for the Confluent REST API (Confluent Schema Registry, Karapace, Apicurio's
 * /apis/ccompat/v7). Kind `Schema`, one resource per subject: its latest version and its effective compatibility
 * level, normalized like the rendered desired state (canonical text, lib/schemas).
 *
 * - observe: lists subjects, reads the latest version and config of each (8 at a time).
 * - check: asks the registry whether each new version is compatible, with the reasons; checks references exist;
 *   finds "rollbacks" to an old schema, which registries silently refuse to register again.
 * - apply: sets the subject's compatibility, registers new versions (referenced subjects first); deletes are soft,
 *   then permanent only when the Environment sets `hardDeleteSchemas`.
 *
 * Credentials: `token` (Bearer), `username` + `password` (Basic) or `oauth` (client credentials), and `tls` (CA,
 * client certificate), from secret references, resolved once here (common/http/http-auth.ts).
 */
export async function createSchemaRegistryProvider(
  environmentName: string,
  environment: EnvironmentSpec,
  secrets: SecretResolver,
): Promise<ResourceProvider> {
  const connection = environment.schemaRegistry;
  if (!connection) {
    throw new AdapterError(`environment "${environmentName}" has no schemaRegistry connection`);
  }
  const client = new RegistryClient({
    url: connection.url,
    ...(await resolveHttpAuth(connection, secrets, 'spec.schemaRegistry')),
  });
  return new SchemaRegistryProvider(environment, client);
}

export class SchemaRegistryProvider implements ResourceProvider {
  readonly name = 'schema-registry';
  readonly kinds = SCHEMA_REGISTRY_KINDS;
  readonly #environment: EnvironmentSpec;
  readonly #client: RegistryClient;
  readonly #apicurio: ApicurioNativeApi;

  constructor(environment: EnvironmentSpec, client: RegistryClient) {
    this.#environment = environment;
    this.#client = client;
    this.#apicurio = new ApicurioNativeApi(client);
  }

  async observe(
    _desired: readonly DesiredResource[],
    options: { progress?: ProgressListener } = {},
  ): Promise<ObservedResource[]> {
    const subjects = await this.#client.request<string[]>('GET', '/subjects');
    let done = 0;
    const observed = await mapLimit([...subjects].sort(), OBSERVE_CONCURRENCY, async (subject) => {
      const resource = await this.#readSubject(subject);
      done++;
      if (done % 50 === 0 || done === subjects.length)
        options.progress?.({ phase: 'observe schemas', done, total: subjects.length });
      return resource;
    });
    return observed.filter((o): o is ObservedResource => o !== undefined);
  }

  async observeKeys(resourceKeys: readonly ResourceKey[]): Promise<ObservedResource[]> {
    const subjects = resourceKeys.filter((k) => k.startsWith(SUBJECT_PREFIX)).map(subjectOf);
    const observed = await mapLimit(subjects, OBSERVE_CONCURRENCY, (subject) => this.#readSubject(subject));
    return observed.filter((o): o is ObservedResource => o !== undefined);
  }

  /** The latest version and effective compatibility of one subject; undefined when it does not exist (any more). */
  async #readSubject(subject: string): Promise<ObservedResource | undefined> {
    let latest: LatestVersion;
    try {
      latest = await this.#client.request<LatestVersion>('GET', `/subjects/${seg(subject)}/versions/latest`);
    } catch (error) {
      if (error instanceof RegistryHttpError && error.status === 404) return undefined;
      throw wrap(error, `reading subject "${subject}"`);
    }
    const compatibility = await this.#compatibilityOf(subject);
    const type = latest.schemaType ?? 'AVRO';
    const references = (latest.references ?? []).map((r) => ({ name: r.name, subject: r.subject, version: r.version }));
    const normalized = normalizeSchema(
      type,
      latest.schema,
      references.map((r) => r.name),
    );
    const spec: SchemaLive = {
      subject,
      type,
      // A live schema this tool cannot parse is compared as text: it then differs from any valid desired schema.
      schema: normalized.ok ? normalized.canonical : latest.schema,
      references,
      compatibility,
      version: latest.version,
      id: latest.id,
    };
    return {
      key: keys.subject(subject),
      kind: 'Schema',
      name: subject,
      spec: spec as unknown as JsonObject,
      // The registry's identity of what the subject holds: a subject deleted and registered again starts over.
      identity: `version ${latest.version}, id ${latest.id}`,
    };
  }

  /** The effective level: the subject's own, else the global one (`defaultToGlobal`). */
  async #compatibilityOf(subject: string): Promise<string> {
    try {
      const config = await this.#client.request<{ compatibilityLevel?: string; compatibility?: string }>(
        'GET',
        `/config/${seg(subject)}?defaultToGlobal=true`,
      );
      return config.compatibilityLevel ?? config.compatibility ?? 'BACKWARD';
    } catch (error) {
      if (!(error instanceof RegistryHttpError && error.status === 404))
        throw wrap(error, `reading config of "${subject}"`);
      const global = await this.#client.request<{ compatibilityLevel?: string }>('GET', '/config');
      return global.compatibilityLevel ?? 'BACKWARD';
    }
  }

  async apply(
    changes: readonly PlannedChange[],
    context: { secrets: SecretResolver; progress?: ProgressListener },
  ): Promise<ChangeResult[]> {
    const results: ChangeResult[] = [];
    const forward = changes.filter((c) => c.action !== 'Delete');
    // Referenced subjects first: a new version may reference a version registered in the same wave.
    for (const level of referenceLevels(forward)) {
      results.push(...(await mapLimit(level, 4, (change) => this.#applyForward(change))));
      context.progress?.({ phase: 'apply schemas', done: results.length, total: changes.length });
    }
    results.push(...(await this.#applyDeletes(changes.filter((c) => c.action === 'Delete'))));
    return results;
  }

  async #applyForward(change: PlannedChange): Promise<ChangeResult> {
    const started = Date.now();
    const want = change.desired as unknown as SchemaDesired | undefined;
    const done = (outcome: ChangeResult['outcome'], message: string): ChangeResult => ({
      key: change.key,
      action: change.action,
      outcome,
      message,
      durationMs: Date.now() - started,
    });
    if (!want) return done('Failed', 'the plan has no desired schema for this change');
    const subject = want.subject;
    const steps: string[] = [];
    try {
      const compatibilityField = change.fields.find((f) => f.path === 'compatibility');
      if (change.action === 'Create' ? want.compatibility !== undefined : compatibilityField !== undefined) {
        if (want.compatibility !== undefined) {
          // Before registering: the new version is then checked against the level git asks for.
          await this.#client.request('PUT', `/config/${seg(subject)}`, { compatibility: want.compatibility });
          steps.push(
            compatibilityField?.before !== undefined
              ? `compatibility ${String(compatibilityField.before)} -> ${want.compatibility}`
              : `compatibility ${want.compatibility}`,
          );
        } else {
          await this.#deleteIgnoringMissing(`/config/${seg(subject)}`);
          steps.push('compatibility reset to the global level');
        }
      }
      if (change.action === 'Create' || needsNewVersion(change.fields)) {
        const registered = await this.#client.request<{ id: number }>(
          'POST',
          `/subjects/${seg(subject)}/versions`,
          registrationBody(want),
        );
        const latest = await this.#client.request<LatestVersion>('GET', `/subjects/${seg(subject)}/versions/latest`);
        if (latest.id !== registered.id) {
          return done(
            'Failed',
            `${steps.length > 0 ? `${steps.join('; ')}; ` : ''}the registry already has this schema as an earlier version of "${subject}" (id ${registered.id}) and did not add a new version: the latest is still version ${latest.version} (id ${latest.id}). Registries never register an old schema again; roll forward with a real change, or delete the newer versions on purpose`,
          );
        }
        steps.push(`registered version ${latest.version} (id ${registered.id})`);
      }
      return done('Succeeded', steps.join('; ') || 'nothing to do');
    } catch (error) {
      const prefix = steps.length > 0 ? `${steps.join('; ')}; then ` : '';
      return done('Failed', `${prefix}${describeRegistryFailure(error, subject, want.compatibility)}`);
    }
  }

  /** Soft deletes (then permanent ones if enabled); subjects still referenced are retried after the others. */
  async #applyDeletes(changes: readonly PlannedChange[]): Promise<ChangeResult[]> {
    const results = new Map<ResourceKey, ChangeResult>();
    let pending = [...changes];
    while (pending.length > 0) {
      const referenced: PlannedChange[] = [];
      for (const change of pending) {
        const result = await this.#deleteSubject(change);
        if (result === 'referenced') referenced.push(change);
        else results.set(change.key, result);
      }
      if (referenced.length === pending.length) {
        for (const change of referenced) {
          results.set(change.key, {
            key: change.key,
            action: 'Delete',
            outcome: 'Failed',
            message: `subject "${subjectOf(change.key)}" is still referenced by other subjects; delete or change those first`,
          });
        }
        break;
      }
      pending = referenced;
    }
    return changes.map((c) => results.get(c.key) as ChangeResult);
  }

  async #deleteSubject(change: PlannedChange): Promise<ChangeResult | 'referenced'> {
    const started = Date.now();
    const subject = subjectOf(change.key);
    const result = (outcome: ChangeResult['outcome'], message: string): ChangeResult => ({
      key: change.key,
      action: 'Delete',
      outcome,
      message,
      durationMs: Date.now() - started,
    });
    let message: string;
    try {
      const versions = await this.#client.request<number[]>('DELETE', `/subjects/${seg(subject)}`);
      message = `soft-deleted versions ${versions.join(', ')}`;
    } catch (error) {
      if (error instanceof RegistryHttpError && error.errorCode === 42206) return 'referenced';
      if (!(error instanceof RegistryHttpError && error.status === 404)) {
        return result('Failed', describeRegistryFailure(error, subject, undefined));
      }
      message = 'already soft-deleted';
    }
    if (!this.#environment.hardDeleteSchemas) {
      return result(
        'Succeeded',
        `${message} (soft delete: the versions stay readable by id; set hardDeleteSchemas: true on the Environment to delete them permanently)`,
      );
    }
    try {
      await this.#client.request('DELETE', `/subjects/${seg(subject)}?permanent=true`);
      return result('Succeeded', `${message}; permanently deleted`);
    } catch (error) {
      if (error instanceof RegistryHttpError && error.status === 404)
        return result('Succeeded', `${message}; already gone`);
      return result('Failed', `${message}; permanent delete: ${describeRegistryFailure(error, subject, undefined)}`);
    }
  }

  async #deleteIgnoringMissing(path: string): Promise<void> {
    try {
      await this.#client.request('DELETE', path);
    } catch (error) {
      if (!(error instanceof RegistryHttpError && error.status === 404)) throw error;
    }
  }

  /**
   * Plan-time questions only the registry can answer, one note per change: is the new version compatible (and
   * why not), do the referenced versions exist, is this a "rollback" the registry will not register again.
   * Errors block the change (the planner refuses it as `Incompatible`).
   */
  async check(changes: readonly PlannedChange[]): Promise<PlanNote[]> {
    const planned = new Map(changes.filter((c) => c.action !== 'Delete').map((c) => [subjectOf(c.key), c]));
    const notes = await mapLimit(
      changes.filter((c) => c.action !== 'Delete'),
      4,
      async (change) => {
        try {
          return await this.#checkChange(change, planned);
        } catch (error) {
          return [
            {
              key: change.key,
              level: 'warning' as const,
              message: `Schema "${change.name}": not checked against the registry: ${messageOf(error)}`,
              ...(change.source ? { source: change.source } : {}),
            },
          ];
        }
      },
    );
    return notes.flat();
  }

  async #checkChange(change: PlannedChange, planned: Map<string, PlannedChange>): Promise<PlanNote[]> {
    const want = change.desired as unknown as SchemaDesired;
    const note = (level: PlanNote['level'], message: string): PlanNote => ({
      key: change.key,
      level,
      message: `Schema "${want.subject}": ${message}`,
      ...(change.source ? { source: change.source } : {}),
    });
    const notes: PlanNote[] = [];
    const newVersion = change.action === 'Create' || needsNewVersion(change.fields);
    if (!newVersion) return notes;
    for (const ref of want.references) {
      if (planned.has(ref.subject)) continue; // registered earlier in the same apply
      try {
        await this.#client.request('GET', `/subjects/${seg(ref.subject)}/versions/${ref.version}`);
      } catch (error) {
        if (!(error instanceof RegistryHttpError && error.status === 404)) throw error;
        notes.push(
          note(
            'error',
            `reference "${ref.name}" points at subject "${ref.subject}" version ${ref.version}, which does not exist in the registry`,
          ),
        );
      }
    }
    if (change.action === 'Create' || notes.length > 0) return notes;

    const levelField = change.fields.find((f) => f.path === 'compatibility');
    const current =
      typeof levelField?.before === 'string' ? levelField.before : await this.#compatibilityOf(want.subject);
    const target = want.compatibility ?? (levelField ? 'the global level' : current);
    const rollback = await this.#findEarlierVersion(want);
    if (rollback) {
      notes.push(
        note(
          'error',
          `this schema is already version ${rollback.version} of the subject (the latest is version ${rollback.latest}); registries return the existing version instead of registering an old schema again, so it would not become the latest. Roll forward with a real change instead, or delete the newer versions on purpose`,
        ),
      );
      return notes;
    }
    if (target === 'NONE') {
      notes.push(note('info', 'compatibility is NONE: the registry accepts any new version (not checked)'));
      return notes;
    }
    const answer = await this.testCompatibility(want);
    const reasons =
      answer.reasons.length > 0 ? ` Reasons: ${answer.reasons.join('; ')}.` : ' The registry gave no reasons.';
    const via = answer.via === 'apicurio-native' ? " (answered by Apicurio's native API)" : '';
    if (answer.compatible) {
      notes.push(note('info', `the new version is compatible with the latest version under ${current}${via}`));
    } else if (target !== current) {
      notes.push(
        note(
          'warning',
          `the new version is NOT compatible with the latest version under the current level ${current}; this plan sets ${target} before registering, and the registry cannot check against ${target} in advance${via}.${reasons}`,
        ),
      );
    } else {
      notes.push(
        note(
          'error',
          `INCOMPATIBLE: the new version is not ${current}-compatible with the latest version, and the registry would reject it${via}.${reasons} Make the change compatible (for example give new fields a default) or change spec.compatibility on purpose.`,
        ),
      );
    }
    return notes;
  }

  /**
   * Asks the registry whether `want` may become the next version of its subject, with reasons.
   * Apicurio's Confluent endpoint answers without reasons and cannot check schemas with references (it answers
   * 422): both are asked again through Apicurio's native API (dry-run registration), which gives the causes.
   */
  async testCompatibility(want: SchemaDesired): Promise<CompatibilityAnswer> {
    try {
      const answer = await this.#client.request<{ is_compatible: boolean; messages?: string[] }>(
        'POST',
        `/compatibility/subjects/${seg(want.subject)}/versions/latest?verbose=true`,
        registrationBody(want),
      );
      const reasons = (answer.messages ?? []).map(String);
      if (answer.is_compatible || reasons.length > 0) {
        return { compatible: answer.is_compatible, reasons, via: 'ccompat' };
      }
      return (await this.#apicurio.dryRun(want)) ?? { compatible: false, reasons: [], via: 'ccompat' };
    } catch (error) {
      if (error instanceof RegistryHttpError && error.status === 404) {
        return { compatible: true, reasons: ['the subject has no version yet'], via: 'ccompat' };
      }
      if (error instanceof RegistryHttpError && error.status === 422 && want.references.length > 0) {
        const native = await this.#apicurio.dryRun(want);
        if (native) return native;
      }
      throw error instanceof RegistryHttpError
        ? new AdapterError(`the registry rejected the schema: ${error.detail}`, { cause: error })
        : error;
    }
  }

  /** An earlier (not latest) version with the same schema, if any: registering it again would change nothing. */
  async #findEarlierVersion(want: SchemaDesired): Promise<{ version: number; latest: number } | undefined> {
    try {
      const found = await this.#client.request<{ version: number }>(
        'POST',
        `/subjects/${seg(want.subject)}`,
        registrationBody(want),
      );
      const latest = await this.#client.request<LatestVersion>('GET', `/subjects/${seg(want.subject)}/versions/latest`);
      return found.version < latest.version ? { version: found.version, latest: latest.version } : undefined;
    } catch (error) {
      if (error instanceof RegistryHttpError && (error.status === 404 || error.status === 422)) return undefined;
      throw error;
    }
  }

  async close(): Promise<void> {
    // Only the TLS agent (private CA, client certificate) holds connections; fetch keeps none worth closing.
    this.#client.close();
  }
}

/** The Confluent registration body: `schemaType` only for non-Avro (Avro is the default everywhere). */
export function registrationBody(want: SchemaDesired): JsonObject {
  return {
    schema: want.schema,
    ...(want.type !== 'AVRO' ? { schemaType: want.type } : {}),
    ...(want.references.length > 0
      ? { references: want.references.map((r) => ({ name: r.name, subject: r.subject, version: r.version })) }
      : {}),
  };
}

/** Changes in dependency order: each level only references subjects of earlier levels (or outside the batch). */
function referenceLevels(changes: readonly PlannedChange[]): PlannedChange[][] {
  const bySubject = new Map(changes.map((c) => [subjectOf(c.key), c]));
  const depth = new Map<string, number>();
  const depthOf = (subject: string, seen: Set<string>): number => {
    const known = depth.get(subject);
    if (known !== undefined) return known;
    const change = bySubject.get(subject);
    const refs = (change?.desired as unknown as SchemaDesired | undefined)?.references ?? [];
    let d = 0;
    for (const ref of refs) {
      if (!bySubject.has(ref.subject) || seen.has(ref.subject)) continue; // outside the batch, or a cycle
      d = Math.max(d, depthOf(ref.subject, new Set([...seen, subject])) + 1);
    }
    depth.set(subject, d);
    return d;
  };
  const levels: PlannedChange[][] = [];
  for (const change of changes) {
    const d = depthOf(subjectOf(change.key), new Set());
    const level = levels[d] ?? [];
    level.push(change);
    levels[d] = level;
  }
  return levels.filter((level) => level !== undefined);
}

function describeRegistryFailure(error: unknown, subject: string, compatibility: string | undefined): string {
  if (error instanceof RegistryHttpError) {
    if (error.status === 409) {
      return `the registry rejected the new version of "${subject}" as incompatible${compatibility ? ` (${compatibility})` : ''}: ${error.detail}`;
    }
    if (error.status === 422) return `the registry rejected the schema of "${subject}": ${error.detail}`;
    return `schema registry: ${error.message}`;
  }
  return messageOf(error);
}

function wrap(error: unknown, doing: string): Error {
  // An HTTP status answer is given the call's context; other faults already name theirs.
  if (error instanceof AdapterError && !(error instanceof HttpStatusError)) return error;
  return new AdapterError(`${doing}: ${messageOf(error)}`, { cause: error, retryable: true });
}
