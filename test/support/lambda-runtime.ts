import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { freePort } from './net.ts';
import { ROOT, SERVICES } from './paths.ts';

const run = promisify(execFile);

export interface RunningFunction {
  /** A client of the function's Invoke API. */
  client: LambdaClient;
  /** Stops the runtime and its emulator; never throws. */
  stop(): Promise<void>;
}

/**
 * Runs the bundle in `fnDir` (`index.handler`) under the real Lambda runtime interface client behind the
 * Invoke API emulator (scripts/services/lambda.sh, LAMBDA_MODE=emulator), on free ports, as function `name`,
 * with this process's environment plus `env`. Pid files and logs go under `runDir`.
 */
export async function startFunction(
  fnDir: string,
  options: { name: string; runDir: string; env: NodeJS.ProcessEnv },
): Promise<RunningFunction> {
  const [invokePort, runtimePort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    LAMBDA_MODE: 'emulator',
    LAMBDA_PORT: String(invokePort),
    LAMBDA_RUNTIME_PORT: String(runtimePort),
    TI_RUN: options.runDir,
    FUNCTION_NAME: options.name,
  };
  const stop = async () => {
    await run('bash', [join(SERVICES, 'lambda.sh'), 'stop'], { env }).catch(() => undefined);
    client.destroy();
  };
  const client = new LambdaClient({
    endpoint: `http://127.0.0.1:${invokePort}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  try {
    await run('bash', [join(SERVICES, 'lambda.sh'), 'start', fnDir, 'index.handler'], {
      env,
      cwd: ROOT,
      timeout: 600_000,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { client, stop };
}

/** Invokes function `name` with `payload` (JSON text) and returns its parsed result; a function error throws. */
export async function invokeFunction(client: LambdaClient, name: string, payload: string): Promise<unknown> {
  const out = await client.send(new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode(payload) }));
  const text = new TextDecoder().decode(out.Payload);
  if (out.FunctionError) throw new Error(`function error: ${text}`);
  return JSON.parse(text) as unknown;
}

/** Invokes an HTTP function (API Gateway payload 2.0) and parses the JSON body of its answer. */
export async function invokeHttpFunction<Body = Record<string, unknown>>(
  client: LambdaClient,
  name: string,
  event: string,
): Promise<{ statusCode: number; body: Body }> {
  const result = (await invokeFunction(client, name, event)) as { statusCode: number; body: string };
  return { statusCode: result.statusCode, body: JSON.parse(result.body) as Body };
}
