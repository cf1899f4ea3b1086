import type { SchemaDesired } from '../../model/kinds/schema.ts';
import { type RegistryClient, RegistryHttpError, seg } from './registry-client.ts';

/** What the registry answered about one new version. */
export interface CompatibilityAnswer {
  compatible: boolean;
  reasons: string[];
  /** Which API answered: the Confluent endpoint, or Apicurio's native dry run. */
  via: 'ccompat' | 'apicurio-native';
}

/**
 * Apicurio Registry workarounds (measured against Apicurio 3.3.3, see docs in README.md of this folder):
 * its Confluent-compatible endpoint `POST /compatibility/subjects/{s}/versions/latest?verbose=true` answers
 * `{"is_compatible": false}` without `messages`, and answers 422 ("Syntax violation") for any schema with
 * references. Its native API can dry-run a registration (`POST /apis/registry/v3/groups/default/artifacts/{id}/
 * versions?dryRun=true`), which applies the same compatibility rule and lists the causes.
 *
 * Only used when the Confluent URL has Apicurio's shape (`.../apis/ccompat/vN`) and `/system/info` says Apicurio;
 * subjects of the Confluent API live in Apicurio's `default` group.
 */
export class ApicurioNativeApi {
  readonly #client: RegistryClient;
  #base: Promise<string | undefined> | undefined;

  constructor(client: RegistryClient) {
    this.#client = client;
  }

  /** The native API base URL, or undefined when the registry is not Apicurio. Asked once. */
  base(): Promise<string | undefined> {
    this.#base ??= (async () => {
      const match = /^(.*)\/apis\/ccompat\/v\d+$/.exec(this.#client.url);
      if (!match) return undefined;
      const base = `${match[1]}/apis/registry/v3`;
      try {
        const info = await this.#client.request<{ name?: string }>('GET', `${base}/system/info`, undefined);
        return typeof info?.name === 'string' && info.name.includes('Apicurio') ? base : undefined;
      } catch {
        return undefined;
      }
    })();
    return this.#base;
  }

  /** Dry-runs registering `want` as the next version; undefined when the native API is not there. */
  async dryRun(want: SchemaDesired): Promise<CompatibilityAnswer | undefined> {
    const base = await this.base();
    if (!base) return undefined;
    const body = {
      content: {
        content: want.schema,
        contentType: want.type === 'PROTOBUF' ? 'application/x-protobuf' : 'application/json',
        references: want.references.map((r) => ({
          groupId: 'default',
          artifactId: r.subject,
          version: String(r.version),
          name: r.name,
        })),
      },
    };
    try {
      await this.#client.request(
        'POST',
        `${base}/groups/default/artifacts/${seg(want.subject)}/versions?dryRun=true`,
        body,
        'application/json',
      );
      return { compatible: true, reasons: [], via: 'apicurio-native' };
    } catch (error) {
      if (!(error instanceof RegistryHttpError)) throw error;
      const problem = error.body as
        | { name?: string; causes?: { description?: string; context?: string }[] }
        | undefined;
      if (problem?.name !== 'RuleViolationException') return undefined;
      const reasons = (problem.causes ?? []).map(describeCause);
      return { compatible: false, reasons: reasons.length > 0 ? reasons : [error.detail], via: 'apicurio-native' };
    }
  }
}

/**
 * Apicurio's causes are terse: a field added (or removed) without a default is reported as just its name at
 * `/fields/N`; say what that means.
 */
function describeCause(cause: { description?: string; context?: string }): string {
  const description = cause.description ?? 'incompatible';
  if (cause.context && /^[A-Za-z_][A-Za-z0-9_]*$/.test(description) && /\/fields\/\d+$/.test(cause.context)) {
    return `field "${description}" (at ${cause.context}) was added or removed without a default`;
  }
  return cause.context ? `${description} (at ${cause.context})` : description;
}
