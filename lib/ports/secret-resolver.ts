import type { SecretRef } from '../model/common.ts';

/**
 * Resolves secret references to values, inside the apply step only. Implementations must never log values,
 * and errors name the reference (provider/name/key), never the value.
 */
export interface SecretResolver {
  resolve(ref: SecretRef): Promise<string>;
  /**
   * The resolver for the work of one environment. The functions' resolver narrows itself here: an environment
   * may read only its own platform secrets (`<prefix><environment>/…`), with credentials tagged for it, and
   * outside an environment reads none. Resolvers without it read the same for every environment (local runs).
   */
  forEnvironment?(environment: string): SecretResolver;
  /**
   * Throws the refusal `resolve` would give for `ref` by its name alone (a name outside the environment's
   * prefix, an env variable or file that is off limits), reading nothing: plans check every reference of a
   * config with it before any connection or AWS call.
   */
  check?(ref: SecretRef): void;
}

/** `secrets` narrowed to `environment` when it can be (callers that work on one environment use this). */
export function secretsForEnvironment(secrets: SecretResolver, environment: string): SecretResolver {
  return secrets.forEnvironment?.(environment) ?? secrets;
}
