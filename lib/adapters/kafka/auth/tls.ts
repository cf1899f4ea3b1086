import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { AdapterError, messageOf } from '../../../errors.ts';
import { describeSecretRef, isSecretRef, type SecretRef } from '../../../model/common.ts';
import type { KafkaConnection } from '../../../model/connections/kafka.ts';
import type { SecretResolver } from '../../../ports/secret-resolver.ts';

type KafkaTls = NonNullable<KafkaConnection['tls']>;

/**
 * The TLS options of a Kafka connection: CA, server name and, for mutual TLS, the client certificate and key
 * (resolved from secret references here, once). The certificate and key are parsed before any connection is
 * made, so a malformed PEM, a wrong passphrase or a key that does not belong to the certificate is reported as
 * such (naming the field and the secret reference, never the value) instead of as a handshake failure.
 */
export async function buildKafkaTls(tls: KafkaTls, secrets: SecretResolver): Promise<TlsConnectionOptions> {
  const options: TlsConnectionOptions = { rejectUnauthorized: tls.rejectUnauthorized };
  if (tls.ca !== undefined) options.ca = await secretOrText(secrets, tls.ca, 'spec.kafka.tls.ca');
  if (tls.serverName !== undefined) options.servername = tls.serverName;
  if (tls.clientCertificate !== undefined || tls.clientKey !== undefined) {
    // The schema demands both; this guards callers that build a connection without it.
    if (tls.clientCertificate === undefined || tls.clientKey === undefined) {
      throw new AdapterError('kafka mutual TLS needs both spec.kafka.tls.clientCertificate and clientKey');
    }
    const cert = await secretOrText(secrets, tls.clientCertificate, 'spec.kafka.tls.clientCertificate');
    const keyPem = await resolve(secrets, tls.clientKey, 'spec.kafka.tls.clientKey');
    const passphrase =
      tls.clientKeyPassphrase !== undefined
        ? await resolve(secrets, tls.clientKeyPassphrase, 'spec.kafka.tls.clientKeyPassphrase')
        : undefined;
    const certificate = parseCertificate(cert, where('spec.kafka.tls.clientCertificate', tls.clientCertificate));
    const key = parseKey(keyPem, passphrase, where('spec.kafka.tls.clientKey', tls.clientKey));
    if (!certificate.checkPrivateKey(key)) {
      throw new AdapterError(
        `kafka mutual TLS: the key in ${where('spec.kafka.tls.clientKey', tls.clientKey)} does not belong to the certificate in ${where('spec.kafka.tls.clientCertificate', tls.clientCertificate)} (subject ${certificate.subject.replaceAll('\n', ', ')})`,
      );
    }
    options.cert = cert;
    options.key = keyPem;
    if (passphrase !== undefined) options.passphrase = passphrase;
  }
  return options;
}

function where(field: string, value: string | SecretRef): string {
  return isSecretRef(value) ? `${field} (secret ${describeSecretRef(value)})` : field;
}

function parseCertificate(pem: string, what: string): X509Certificate {
  if (!/-----BEGIN CERTIFICATE-----/.test(pem)) {
    throw new AdapterError(`${what} is not a PEM certificate (no "-----BEGIN CERTIFICATE-----" block)`);
  }
  try {
    const certificate = new X509Certificate(pem);
    const notAfter = new Date(certificate.validTo);
    if (notAfter.getTime() < Date.now()) {
      throw new AdapterError(`${what}: the client certificate expired on ${notAfter.toISOString()}`);
    }
    return certificate;
  } catch (error) {
    if (error instanceof AdapterError) throw error;
    throw new AdapterError(`${what} is not a valid PEM certificate: ${opensslReason(error)}`, { cause: error });
  }
}

function parseKey(pem: string, passphrase: string | undefined, what: string): KeyObject {
  if (!/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(pem)) {
    throw new AdapterError(`${what} is not a PEM private key (no "-----BEGIN ... PRIVATE KEY-----" block)`);
  }
  const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem);
  if (encrypted && passphrase === undefined) {
    throw new AdapterError(`${what} is encrypted: set spec.kafka.tls.clientKeyPassphrase`);
  }
  try {
    return createPrivateKey(passphrase === undefined ? { key: pem } : { key: pem, passphrase });
  } catch (error) {
    const reason = opensslReason(error);
    if (encrypted) {
      throw new AdapterError(
        `${what} cannot be decrypted with spec.kafka.tls.clientKeyPassphrase (wrong passphrase?)`,
        {
          cause: error,
        },
      );
    }
    throw new AdapterError(`${what} is not a valid PEM private key: ${reason}`, { cause: error });
  }
}

/** OpenSSL's reason without anything of the input (its messages never quote key material). */
function opensslReason(error: unknown): string {
  return messageOf(error).split('\n')[0] ?? 'unknown error';
}

async function secretOrText(secrets: SecretResolver, value: string | SecretRef, field: string): Promise<string> {
  return isSecretRef(value) ? resolve(secrets, value, field) : value;
}

async function resolve(secrets: SecretResolver, ref: SecretRef, field: string): Promise<string> {
  try {
    return await secrets.resolve(ref);
  } catch (error) {
    // Resolver errors name the reference, never the value (SecretResolver contract).
    throw new AdapterError(`resolving ${field}: ${messageOf(error)}`, { cause: error });
  }
}
