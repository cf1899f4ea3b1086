import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ReconcilerError } from '../errors.ts';

export class BodyTooLargeError extends ReconcilerError {
  constructor() {
    super('PayloadTooLarge', 'request body too large');
    this.name = 'BodyTooLargeError';
  }
}

/** The server holds as many unverified bodies as it may: try again shortly. */
export class ServerBusyError extends Error {
  constructor() {
    super('too many requests being received');
    this.name = 'ServerBusyError';
  }
}

/**
 * Reads a request body up to `limit` bytes. `account` is told each chunk's size before it is kept and may
 * refuse it (a shared budget of unverified bodies): the read then stops with ServerBusyError.
 */
export async function readBody(
  req: IncomingMessage,
  limit: number,
  account: (bytes: number) => boolean = () => true,
): Promise<Buffer> {
  // With a Content-Length (Node's parser delivers exactly that many bytes) one buffer is filled in place,
  // so a body is never held twice while it is being assembled.
  const declared = Number(req.headers['content-length']);
  const whole =
    Number.isInteger(declared) && declared > 0 && declared <= limit ? Buffer.allocUnsafe(declared) : undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    if (size + buffer.length > limit) throw new BodyTooLargeError();
    if (!account(buffer.length)) throw new ServerBusyError();
    if (whole) buffer.copy(whole, size);
    else chunks.push(buffer);
    size += buffer.length;
  }
  return whole ? whole.subarray(0, size) : Buffer.concat(chunks);
}

/**
 * Turns a node:http request into the API Gateway HTTP API (payload v2) event the Lambda handlers take, so
 * `landscape serve` runs exactly the same middy stacks as AWS. The body travels base64-encoded, as API
 * Gateway sends binary bodies, so it reaches the handler as the exact bytes received (never decoded to text).
 */
export function toHttpEvent(req: IncomingMessage, body: Buffer, path: string): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const now = new Date();
  const method = req.method ?? 'GET';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: url.search.slice(1),
    headers,
    requestContext: {
      accountId: 'local',
      apiId: 'landscape-serve',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0,
  };
}

/** A Lambda context good enough for middy and Powertools (30 s budget per request, like API Gateway). */
export function localContext(functionName: string): Context {
  const deadline = Date.now() + 30_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/landscape/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

export function sendResult(res: ServerResponse, result: APIGatewayProxyStructuredResultV2 | undefined): void {
  const statusCode = result?.statusCode ?? 500;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(result?.headers ?? {})) headers[name] = String(value);
  res.writeHead(statusCode, headers);
  res.end(result?.body ?? '');
}
