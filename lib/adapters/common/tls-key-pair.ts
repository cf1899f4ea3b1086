import { createPrivateKey, X509Certificate } from 'node:crypto';
import { AdapterError, messageOf } from '../../errors.ts';

/**
 * Checks a client certificate and its private key before the first handshake: TLS would otherwise fail with an
 * OpenSSL message that names neither the field nor the secret. `certWhat`/`keyWhat` name the fields (and the
 * secret references) for the errors; no PEM text is ever quoted.
 */
export function checkClientKeyPair(
  certificate: string,
  key: string,
  certWhat: string,
  keyWhat: string,
  passphrase?: string,
): void {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(certificate);
  } catch (error) {
    throw new AdapterError(`${certWhat} is not a PEM certificate: ${messageOf(error)}`);
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(passphrase !== undefined ? { key, passphrase } : key);
  } catch {
    // The library's message may quote what it could not parse: never shown.
    throw new AdapterError(
      `${keyWhat} is not a PEM private key (expected "-----BEGIN ... PRIVATE KEY-----"), or its passphrase is wrong`,
    );
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new AdapterError(
      `${keyWhat} is not the private key of ${certWhat} (subject "${x509.subject.replace(/\n/g, ', ')}")`,
    );
  }
}
