import type { SecretRef } from '../model/common.ts';

/**
 * Resolves secret references to values, inside the apply step only. Implementations must never log values,
 * and errors name the reference (provider/name/key), never the value.
 */
export interface SecretResolver {
  resolve(ref: SecretRef): Promise<string>;
}
