import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Admin, SASLMechanisms } from '@platformatic/kafka';
import { SignatureV4 } from '@smithy/signature-v4';
import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupPrefix } from '../../../scripts/services/kafka-broker.ts';
import { uniquePrefix } from '../../support/kafka.ts';
import { env, kafkaAuthUp, notUpReason, topicVisibleOnlyTo } from './support.ts';

/**
 * The broker's IAM listener also takes MSK IAM as SASL/OAUTHBEARER, the form AWS's aws-msk-iam-sasl-signer
 * libraries produce (base64url of a presigned `https://kafka.<region>.amazonaws.com/?Action=kafka-cluster%3AConnect`
 * URL plus an unsigned User-Agent), and verifies it as strictly as the AWS_MSK_IAM payload
 * (scripts/services/auth/msk-iam: MskIamOAuthBearerCallbackHandler). Tokens come from AWS's own JavaScript signer,
 * or, for what that signer cannot be asked to do (sign in the past, be altered), are signed here with
 * @smithy/signature-v4 the same way; the client is @platformatic/kafka with a fixed token.
 */
describe.skipIf(!kafkaAuthUp)(
  `Kafka MSK IAM listener, SASL/OAUTHBEARER${kafkaAuthUp ? '' : ` (${notUpReason})`}`,
  { timeout: 60_000 },
  () => {
    const prefix = uniquePrefix('it-auth-iamob');
    const topic = `${prefix}visible`;
    const sessionTopic = `${prefix}session`;
    const region = () => env('MSK_IAM_REGION');
    const ci = () => ({
      accessKeyId: env('AUTH_AWS_ACCESS_KEY_ID'),
      secretAccessKey: env('AUTH_AWS_SECRET_ACCESS_KEY'),
    });
    const session = () => ({
      accessKeyId: env('AUTH_AWS_SESSION_ACCESS_KEY_ID'),
      secretAccessKey: env('AUTH_AWS_SESSION_SECRET_ACCESS_KEY'),
      sessionToken: env('AUTH_AWS_SESSION_TOKEN'),
    });

    /** A token from AWS's signer library, exactly as an MSK client gets it. */
    const signerToken = async (
      credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
      signingRegion = region(),
    ) =>
      (
        await generateAuthTokenFromCredentialsProvider({
          region: signingRegion,
          awsCredentialsProvider: async () => credentials,
        })
      ).token;

    /** The same token signed at `signedAt` (the signer library always signs now). */
    const tokenSignedAt = async (signedAt: Date) => {
      const host = `kafka.${region()}.amazonaws.com`;
      const signer = new SignatureV4({
        service: 'kafka-cluster',
        region: region(),
        credentials: ci(),
        sha256: NodeSha256,
      });
      const signed = await signer.presign(
        {
          method: 'GET',
          protocol: 'https:',
          hostname: host,
          path: '/',
          headers: { host },
          query: { Action: 'kafka-cluster:Connect' },
        },
        { expiresIn: 900, signingDate: signedAt },
      );
      return urlToken(host, { ...(signed.query as Record<string, string>), 'User-Agent': 'landscape-test' });
    };

    /** A valid token with one query parameter replaced after signing. */
    const tampered = async (name: string, value: string) => {
      const url = new URL(Buffer.from(await signerToken(ci()), 'base64url').toString('utf8'));
      const query = Object.fromEntries(url.searchParams);
      query[name] = value;
      return urlToken(url.hostname, query);
    };

    /** Topic names the principal the token proves may see; throws the broker's refusal. */
    const listAs = async (token: string): Promise<string[]> => {
      const admin = new Admin({
        clientId: 'landscape-it-iam-oauthbearer',
        bootstrapBrokers: [env('KAFKA_IAM_BOOTSTRAP')],
        tls: { ca: readFileSync(env('AUTH_CA_FILE'), 'utf8') },
        sasl: { mechanism: SASLMechanisms.OAUTHBEARER, token, authBytesValidator: failOnErrorStatus },
        retries: 0,
      });
      try {
        return await admin.listTopics();
      } finally {
        await admin.close();
      }
    };
    const refusal = (token: string) =>
      listAs(token).then(
        () => 'accepted',
        (error: unknown) => errorText(error),
      );

    beforeAll(async () => {
      await topicVisibleOnlyTo(topic, `User:${env('AUTH_AWS_ARN')}`);
      await topicVisibleOnlyTo(sessionTopic, `User:${env('AUTH_AWS_SESSION_ARN')}`);
    });
    afterAll(() => cleanupPrefix(prefix));

    it("authenticates the signer library's token as the principal User:<arn>", async () => {
      const topics = await listAs(await signerToken(ci()));

      expect(topics).toContain(topic);
      expect(topics).not.toContain(sessionTopic);
    });

    it('authenticates temporary credentials with their session token as the assumed-role ARN', async () => {
      const topics = await listAs(await signerToken(session()));

      expect(topics.filter((t) => t.startsWith(prefix))).toEqual([sessionTopic]);
    });

    it('refuses temporary credentials without their session token', async () => {
      const { sessionToken: _dropped, ...withoutToken } = session();

      expect(await refusal(await signerToken(withoutToken))).toMatch(/invalid_token: session token missing or wrong/);
    });

    it('refuses a token signed with the wrong secret, or by an unknown access key', async () => {
      const wrongSecret = await signerToken({ ...ci(), secretAccessKey: `${ci().secretAccessKey}x` });
      const unknownKey = await signerToken({ ...ci(), accessKeyId: 'AKIAUNKNOWNKEY000000' });

      expect(await refusal(wrongSecret)).toMatch(/invalid_token: signature does not match/);
      expect(await refusal(unknownKey)).toMatch(/invalid_token: unknown access key id/);
    });

    it('refuses a token signed for another region', async () => {
      const otherRegion = await signerToken(ci(), 'us-west-2');

      expect(await refusal(otherRegion)).toMatch(
        /invalid_token: token signed for host kafka\.us-west-2\.amazonaws\.com, this cluster is kafka\.eu-west-1/,
      );
    });

    it('refuses an expired token (signed 20 minutes ago, valid for 15) and accepts one signed 10 minutes ago', async () => {
      const expired = await tokenSignedAt(new Date(Date.now() - 20 * 60_000));
      const recent = await tokenSignedAt(new Date(Date.now() - 10 * 60_000));

      expect(await refusal(expired)).toMatch(/invalid_token: token expired at /);
      expect(await listAs(recent)).toContain(topic);
    });

    it('refuses a token altered after signing, and accepts one where only the unsigned User-Agent changed', async () => {
      expect(await refusal(await tampered('X-Amz-Expires', '899'))).toMatch(/invalid_token: signature does not match/);
      expect(await refusal(await tampered('Action', 'kafka-cluster:AlterCluster'))).toMatch(
        /invalid_token: action is not kafka-cluster:Connect/,
      );
      expect(await refusal(await tampered('X-Amz-Date', '20200101T000000Z'))).toMatch(
        /invalid_token: credential scope date differs|token expired/,
      );
      expect(await listAs(await tampered('User-Agent', 'someone-else'))).toContain(topic);
    });

    it('ends the session when the token expires: the client re-authenticates on the same connection with a fresh token', async () => {
      // A token with 40 s left: the broker announces that as the session lifetime and the client re-authenticates
      // at 80% of it, asking its token provider again. Everything asked before then gets the short-lived token.
      const shortLived = await tokenSignedAt(new Date(Date.now() - (15 * 60 - 40) * 1000));
      let phase: 'connect' | 'reauthenticate' = 'connect';
      let fresh = 0;
      const admin = new Admin({
        clientId: 'landscape-it-iam-reauth',
        bootstrapBrokers: [env('KAFKA_IAM_BOOTSTRAP')],
        tls: { ca: readFileSync(env('AUTH_CA_FILE'), 'utf8') },
        sasl: {
          mechanism: SASLMechanisms.OAUTHBEARER,
          token: async () => {
            if (phase === 'connect') return shortLived;
            fresh++;
            return signerToken(ci());
          },
          authBytesValidator: failOnErrorStatus,
        },
        retries: 0,
      });
      try {
        const [connection] = [...(await admin.connectToBrokers()).values()];
        if (!connection) throw new Error('no broker connection');
        const reauthenticated = new Promise<void>((resolve) =>
          connection.once('sasl:authentication:extended', resolve),
        );
        phase = 'reauthenticate';

        await reauthenticated;

        expect(fresh).toBeGreaterThanOrEqual(1);
        expect(await admin.listTopics()).toContain(topic);
      } finally {
        await admin.close();
      }
    });

    it('refuses what is not a signer token: a JWT-like string, another host, an extra parameter', async () => {
      const url = new URL(Buffer.from(await signerToken(ci()), 'base64url').toString('utf8'));
      const otherHost = urlToken('kafka.eu-west-1.amazonaws.com.example.org', Object.fromEntries(url.searchParams));
      const extra = urlToken(url.hostname, { ...Object.fromEntries(url.searchParams), 'X-Extra': '1' });

      expect(await refusal('eyJhbGciOiJub25lIn0.e30.')).toMatch(/invalid_token: token is not base64url/);
      expect(await refusal(otherHost)).toMatch(/invalid_token: token signed for host/);
      expect(await refusal(extra)).toMatch(/invalid_token: unexpected token URL parameter 'X-Extra'/);
    });
  },
);

/** base64url of `https://host/?<query>` with RFC 3986 escaping, the shape the signer library produces. */
function urlToken(host: string, query: Record<string, string>): string {
  const escapeRfc3986 = (s: string) =>
    encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const search = Object.entries(query)
    .map(([k, v]) => `${escapeRfc3986(k)}=${escapeRfc3986(v)}`)
    .join('&');
  return Buffer.from(`https://${host}/?${search}`, 'utf8').toString('base64url');
}

/** RFC 7628: a refusal is an error status in the server's first answer, which must not pass for success. */
function failOnErrorStatus(authBytes: Buffer, callback: (error: Error | null, value?: Buffer) => void): void {
  const text = authBytes.toString('utf8');
  if (text.startsWith('{')) {
    const status = (JSON.parse(text) as { status?: string }).status;
    if (status) {
      callback(new Error(`refused: ${status}`));
      return;
    }
  }
  callback(null, authBytes);
}

function errorText(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    parts.push(e.message);
    const inner = (e as { errors?: unknown[] }).errors;
    if (Array.isArray(inner)) parts.push(...inner.map(errorText));
  }
  return parts.join(' | ');
}

/** SHA-256 / HMAC-SHA-256 in the shape @smithy/signature-v4 expects. */
class NodeSha256 {
  readonly #hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Buffer {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}
