import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { ReconcilerError } from '../../errors.ts';
import { describeSecretRef, type SecretRef } from '../../model/common.ts';
import type { SecretResolver } from '../../ports/secret-resolver.ts';

/** Picks `key` out of a JSON object or a `KEY=value` lines file; the whole text when no key is given. */
export function pickSecretKey(text: string, ref: SecretRef): string {
  const key = ref.secretRef.key;
  if (key === undefined) return text.replace(/\r?\n$/, '');
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as Record<string, unknown>;
      const value = parsed[key];
      if (typeof value === 'string') return value;
    } catch {
      // not JSON: fall through to KEY=value lines
    }
  } else {
    for (const line of trimmed.split(/\r?\n/)) {
      const eq = line.indexOf('=');
      if (eq > 0 && line.slice(0, eq).trim() === key) return line.slice(eq + 1).trim();
    }
  }
  throw new ReconcilerError('SecretUnavailable', `secret "${describeSecretRef(ref)}" has no key "${key}"`);
}

/**
 * Resolves `env` references from process environment variables and `file` references from files
 * (relative to `baseDir`). Any other provider is delegated to `fallback` (e.g. AWS Secrets Manager).
 */
export class LocalSecretResolver implements SecretResolver {
  readonly #env: NodeJS.ProcessEnv;
  readonly #baseDir: string;
  readonly #fallback: SecretResolver | undefined;
  readonly #envPrefix: string | undefined;
  readonly #files: boolean;
  readonly #fallbackNamePrefix: string | undefined;
  readonly #fallbackScope: string | undefined;

  constructor(
    options: {
      env?: NodeJS.ProcessEnv;
      baseDir?: string;
      fallback?: SecretResolver;
      /** Only variables with this prefix may be referenced (the functions: their own credentials are off limits). */
      envPrefix?: string;
      /** `file` references; default on. Off in the functions, where a file could be `/proc/self/environ`. */
      files?: boolean;
      /** Names the fallback (Secrets Manager) may be asked for: the platform's secrets, not the functions' own. */
      fallbackNamePrefix?: string;
      /** Who is limited to `fallbackNamePrefix`, for the refusal: `environment "staging"`. */
      fallbackScope?: string;
    } = {},
  ) {
    this.#env = options.env ?? process.env;
    this.#baseDir = options.baseDir ?? process.cwd();
    this.#fallback = options.fallback;
    this.#envPrefix = options.envPrefix;
    this.#files = options.files ?? true;
    this.#fallbackNamePrefix = options.fallbackNamePrefix;
    this.#fallbackScope = options.fallbackScope;
  }

  /** The refusals by name alone (SecretResolver.check): nothing is read. */
  check(ref: SecretRef): void {
    const { provider, name } = ref.secretRef;
    if (provider === 'env' && this.#envPrefix !== undefined && !name.startsWith(this.#envPrefix)) {
      throw new ReconcilerError(
        'SecretUnavailable',
        `secret "${describeSecretRef(ref)}": here, env references may only name variables starting with "${this.#envPrefix}" (rename it, or use aws-secretsmanager)`,
      );
    }
    if (provider === 'file' && !this.#files) {
      throw new ReconcilerError(
        'SecretUnavailable',
        `secret "${describeSecretRef(ref)}": file references are not read here (use aws-secretsmanager)`,
      );
    }
    if (
      provider !== 'env' &&
      provider !== 'file' &&
      this.#fallbackNamePrefix !== undefined &&
      !name.startsWith(this.#fallbackNamePrefix)
    ) {
      const who = this.#fallbackScope ? `the config of ${this.#fallbackScope}` : 'here, configs';
      throw new ReconcilerError(
        'SecretUnavailable',
        `secret "${describeSecretRef(ref)}": ${who} may only reference secrets named "${this.#fallbackNamePrefix}…"`,
      );
    }
  }

  async resolve(ref: SecretRef): Promise<string> {
    this.check(ref);
    const { provider, name } = ref.secretRef;
    if (provider === 'env') {
      const value = this.#env[name];
      if (value === undefined) {
        throw new ReconcilerError(
          'SecretUnavailable',
          `secret "${describeSecretRef(ref)}": environment variable "${name}" is not set`,
        );
      }
      return pickSecretKey(value, ref);
    }
    if (provider === 'file') {
      const path = isAbsolute(name) ? name : resolve(this.#baseDir, name);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        throw new ReconcilerError('SecretUnavailable', `secret "${describeSecretRef(ref)}": file cannot be read`, {
          cause: error,
        });
      }
      return pickSecretKey(text, ref);
    }
    if (this.#fallback) return this.#fallback.resolve(ref);
    throw new ReconcilerError(
      'SecretUnavailable',
      `secret "${describeSecretRef(ref)}": provider "${provider}" is not configured here`,
    );
  }
}
