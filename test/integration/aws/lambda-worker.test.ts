import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateFunctionCommand } from '@aws-sdk/client-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { LambdaWorker } from '../../../lib/adapters/aws/index.ts';
import { clients, ensureAwsServices, MOTO_ENDPOINT } from '../../support/aws.ts';
import { uniqueName } from '../../support/unique-name.ts';

const functionName = uniqueName('landscape-apply');

/** moto wants the execution role to exist; IAM is a query API, so a form POST is enough. */
async function createRole(name: string): Promise<string> {
  const body = new URLSearchParams({
    Action: 'CreateRole',
    Version: '2010-05-08',
    RoleName: name,
    AssumeRolePolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    }),
  });
  const res = await fetch(`${MOTO_ENDPOINT}/`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20261125/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
    },
  });
  const text = await res.text();
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(text)?.[1];
  if (!arn) throw new Error(`creating role "${name}" in moto: ${res.status} ${text.slice(0, 200)}`);
  return arn;
}

/** An empty zip archive (end-of-central-directory record only): moto stores the code, it never runs it. */
const EMPTY_ZIP = new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);

beforeAll(async () => {
  await ensureAwsServices();
  const role = await createRole(uniqueName('apply-role'));
  await clients.lambda().send(
    new CreateFunctionCommand({
      FunctionName: functionName,
      Runtime: 'nodejs22.x',
      Role: role,
      Handler: 'index.handler',
      Code: { ZipFile: EMPTY_ZIP },
    }),
  );
});

describe('LambdaWorker', () => {
  it('queues the apply with an Event invocation (moto answers 202)', async () => {
    const invoker = new LambdaWorker({ functionName, lambda: clients.lambda() });
    await expect(invoker.invokeApply({ environment: 'dev', planId: 'p-1' })).resolves.toBeUndefined();
  });

  it('sends exactly { environment, planId } as an asynchronous invocation', async () => {
    // moto does not show the payload it got, so a recording endpoint checks the wire format.
    const seen: { url: string; headers: IncomingHttpHeaders; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        seen.push({ url: req.url ?? '', headers: req.headers, body });
        res.writeHead(202).end();
      });
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const port = (server.address() as AddressInfo).port;
      const invoker = new LambdaWorker({
        functionName: 'landscape-apply',
        lambda: clients.lambda(`http://127.0.0.1:${port}`),
      });
      await invoker.invokeApply({ environment: 'prod', planId: 'p-42' });
      expect(seen).toHaveLength(1);
      expect(seen[0]?.url).toBe('/2015-03-31/functions/landscape-apply/invocations');
      expect(seen[0]?.headers['x-amz-invocation-type']).toBe('Event');
      expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ environment: 'prod', planId: 'p-42' });
    } finally {
      server.close();
    }
  });

  it('raises a retryable AdapterError naming the plan when Lambda is unreachable', async () => {
    const invoker = new LambdaWorker({
      functionName,
      lambda: clients.lambda('http://127.0.0.1:9'),
    });
    await expect(invoker.invokeApply({ environment: 'dev', planId: 'p-9' })).rejects.toMatchObject({
      name: 'AdapterError',
      retryable: true,
      message: expect.stringContaining('starting the apply of plan "p-9" for environment "dev"'),
    });
  });
});
