import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MskIamTokenSource } from '../../../lib/adapters/kafka/auth/msk-iam.ts';
import { ensureAwsServices, MOTO_ENDPOINT } from '../../support/aws.ts';

/**
 * `sasl.roleArn`: the MSK IAM token is signed with the credentials of the assumed role, obtained from STS (the AWS
 * emulator's) with the default chain's credentials. The test broker knows only its generated identities, so this
 * checks the token itself: signed by the temporary key STS issued, with its session token.
 */
describe('MSK IAM token with an assumed role', () => {
  const saved = { ...process.env };

  beforeAll(async () => {
    await ensureAwsServices();
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: MOTO_ENDPOINT,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
    });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
  });
  afterAll(() => {
    process.env = saved;
  });

  const signedWith = async (source: MskIamTokenSource) => {
    const url = new URL(Buffer.from(await source.token(), 'base64url').toString('utf8'));
    return {
      accessKeyId: url.searchParams.get('X-Amz-Credential')?.split('/')[0],
      sessionToken: url.searchParams.get('X-Amz-Security-Token'),
    };
  };

  it('signs with the default chain without roleArn, and with the assumed role credentials with it', async () => {
    const own = await signedWith(new MskIamTokenSource({ region: 'eu-west-1' }));
    const assumed = await signedWith(
      new MskIamTokenSource({
        region: 'eu-west-1',
        roleArn: 'arn:aws:iam::123456789012:role/landscape-apply',
        roleSessionName: 'landscape-it',
      }),
    );

    expect(own).toEqual({ accessKeyId: 'test', sessionToken: null });
    expect(assumed.accessKeyId).toMatch(/^ASIA/);
    expect(assumed.sessionToken).toBeTruthy();
  });

  it('names the region when STS refuses, not a key', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:1';
    try {
      const source = new MskIamTokenSource({ region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/x' });

      await expect(source.token()).rejects.toThrow(/^signing an MSK IAM token for region eu-west-1: /);
    } finally {
      process.env.AWS_ENDPOINT_URL = MOTO_ENDPOINT;
    }
  });
});
