import { createHash } from 'node:crypto';

/** SHA-256 hex: the hash every plan and fingerprint uses. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
