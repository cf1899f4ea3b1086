import { pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { ScramMechanismName } from './normalize.ts';

const pbkdf2Async = promisify(pbkdf2);

const HASH: Record<ScramMechanismName, { digest: 'sha256' | 'sha512'; length: number }> = {
  'SCRAM-SHA-256': { digest: 'sha256', length: 32 },
  'SCRAM-SHA-512': { digest: 'sha512', length: 64 },
};

/** Salt length in bytes; RFC 5802 sets no size, Kafka's own tooling uses a comparable amount of entropy. */
const SALT_BYTES = 32;

/** What AlterUserScramCredentials takes for one upsertion (the password itself never leaves this process). */
export interface ScramCredential {
  salt: Buffer;
  saltedPassword: Buffer;
  iterations: number;
}

/**
 * Computes a SCRAM credential locally (RFC 5802 section 3, RFC 7677):
 * `SaltedPassword := Hi(password, salt, i)`, where `Hi` is PBKDF2 with HMAC of the mechanism's hash and an
 * output as long as the hash. The broker derives StoredKey and ServerKey from it, so the clear password is
 * never sent. Like Kafka's own ScramFormatter, the password's UTF-8 bytes are used without SASLprep.
 *
 * @example
 * const credential = await computeScramCredential('SCRAM-SHA-512', password, 8192);
 */
export async function computeScramCredential(
  mechanism: ScramMechanismName,
  password: string,
  iterations: number,
  salt: Buffer = randomBytes(SALT_BYTES),
): Promise<ScramCredential> {
  const { digest, length } = HASH[mechanism];
  // Async PBKDF2 runs on the libuv pool: thousands of iterations per user must not block the event loop.
  const saltedPassword = await pbkdf2Async(Buffer.from(password, 'utf8'), salt, iterations, length, digest);
  return { salt, saltedPassword, iterations };
}
