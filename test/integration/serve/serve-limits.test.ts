import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../../lib/adapters/common/webhook-signature.ts';
import { GitHubWebhookVerifier } from '../../../lib/adapters/github/github-webhook-verifier.ts';
import { ROOT } from '../../support/paths.ts';
import { RawHttpClient } from './raw-http.ts';

/**
 * What an anonymous client can make `landscape serve` hold, on real sockets against serve in its own process
 * (so its memory is its own): bodies are read only after the headers could be genuine, at most a few
 * unverified bodies at once, slow uploads closed, a verified sender's 24 MB delivery still accepted.
 */
const SECRET = 'limits-webhook-secret-0123456789';
const TOKEN = 'limits-api-token-0123456789abcdef';
const MiB = 1024 * 1024;
const LIMITS = {
  maxUnverifiedBodies: 4,
  maxUnverifiedBytes: 48 * MiB,
  headersTimeoutMs: 2_000,
  requestTimeoutMs: 4_000,
  // Long enough that a refused client reads its answer however busy the machine; it closes first.
  refusedLingerMs: 120_000,
};
const FORGED = `sha256=${'0'.repeat(64)}`;
const verifier = new GitHubWebhookVerifier(SECRET);

let work: string;
let child: ChildProcess;
let url: string;
let port: number;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'landscape-serve-limits-'));
  // A store that has plans: a too-long id then reaches the file system (ENAMETOOLONG), not a missing folder.
  await mkdir(join(work, 'state', 'plans'), { recursive: true });
  child = spawn(
    process.execPath,
    [
      join(ROOT, 'test/integration/serve/serve-process.ts'),
      JSON.stringify({ stateDir: join(work, 'state'), limits: LIMITS }),
    ],
    {
      cwd: ROOT,
      env: { ...process.env, LANDSCAPE_WEBHOOK_SECRET: SECRET, LANDSCAPE_API_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  port = Number(new URL(url).port);
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  if (work) await rm(work, { recursive: true, force: true });
});

/** Peak resident memory of the serve process so far (kB), from the kernel. */
async function peakRssKb(): Promise<number> {
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
}

async function health(): Promise<{ unverifiedBodies: { bodies: number; bytes: number } }> {
  return (await (await fetch(`${url}/healthz`)).json()) as { unverifiedBodies: { bodies: number; bytes: number } };
}

/** Polls /healthz until the server holds no unverified body (it is released when the request ends). */
async function untilNoUnverifiedBody(): Promise<void> {
  while ((await health()).unverifiedBodies.bodies > 0) await new Promise((r) => setImmediate(r));
}

function webhookHead(length: number, signature = FORGED) {
  return {
    'content-type': 'application/json',
    'content-length': length,
    'x-github-event': 'push',
    'x-github-delivery': randomUUID(),
    'x-hub-signature-256': signature,
  };
}

/** Resolves once `count` of the promises have settled, with their values in settling order. */
function firstSettled<T>(promises: Promise<T>[], count: number): Promise<T[]> {
  const values: T[] = [];
  return new Promise((resolve) => {
    for (const p of promises) {
      void p.then((value) => {
        values.push(value);
        if (values.length === count) resolve([...values]);
      });
    }
  });
}

describe('landscape serve at the HTTP boundary', () => {
  it('answers an unsigned webhook and an unauthenticated API call from the headers, without reading the body', async () => {
    const unsigned = await RawHttpClient.open(port);
    const { 'x-hub-signature-256': _none, ...headers } = webhookHead(10_000_000);
    unsigned.head('POST', '/webhooks/github', headers);
    expect((await unsigned.response).status).toBe(401);

    const anonymous = await RawHttpClient.open(port);
    anonymous.head('POST', '/api/reapply', { 'content-type': 'application/json', 'content-length': 10_000_000 });
    expect((await anonymous.response).status).toBe(401);
    unsigned.close();
    anonymous.close();
  });

  it('holds at most the configured unverified bodies: of 150 concurrent 10 MB posts the rest get 503 unread', async () => {
    const before = await peakRssKb();
    const clients = await Promise.all(Array.from({ length: 150 }, () => RawHttpClient.open(port)));
    for (const client of clients) client.head('POST', '/webhooks/github', webhookHead(10_000_000));

    // The four that got a slot wait for their bodies; every other one is refused from its headers alone.
    const refused = await firstSettled(
      clients.map((c) => c.response),
      150 - LIMITS.maxUnverifiedBodies,
    );
    expect(refused.map((r) => r.status)).toEqual(Array(146).fill(503));
    expect(refused[0]?.text.toLowerCase()).toContain('retry-after: 5');
    expect((await health()).unverifiedBodies).toEqual({ bodies: 4, bytes: 40_000_000 });

    // The four send their 10 MB; the forged signature is found out once the body is complete.
    const pending = clients.filter((c) => c.status === undefined);
    expect(pending).toHaveLength(4);
    const chunk = Buffer.alloc(MiB, 0x20);
    await Promise.all(
      pending.map(async (client) => {
        for (let sent = 0; sent < 10_000_000; sent += chunk.length) {
          await client.send(chunk.subarray(0, Math.min(chunk.length, 10_000_000 - sent)));
        }
      }),
    );
    expect((await Promise.all(pending.map((c) => c.response))).map((r) => r.status)).toEqual([401, 401, 401, 401]);
    for (const client of clients) client.close();
    await untilNoUnverifiedBody();

    // 150 x 10 MB buffered would be 1.5 GB; four bodies and their copies on the way to the handler stay far below.
    const grownMiB = ((await peakRssKb()) - before) / 1024;
    expect(grownMiB).toBeLessThan(256);
  });

  it('lets a refused client that goes on sending its body read the answer (no reset)', async () => {
    // Prepare: every slot is held.
    const holders = await Promise.all(
      Array.from({ length: LIMITS.maxUnverifiedBodies }, () => RawHttpClient.open(port)),
    );
    for (const holder of holders) holder.head('POST', '/webhooks/github', webhookHead(10_000_000));
    while ((await health()).unverifiedBodies.bodies < LIMITS.maxUnverifiedBodies)
      await new Promise((r) => setImmediate(r));

    // Act: twenty more stream their 10 MB without waiting, stopping only once answered.
    const chunk = Buffer.alloc(MiB, 0x20);
    const senders = await Promise.all(Array.from({ length: 20 }, () => RawHttpClient.open(port)));
    await Promise.all(
      senders.map(async (client) => {
        client.head('POST', '/webhooks/github', webhookHead(10_000_000));
        for (let sent = 0; sent < 10_000_000 && client.status === undefined; sent += chunk.length) {
          if (!(await client.send(chunk.subarray(0, Math.min(chunk.length, 10_000_000 - sent))))) break;
        }
        await client.response;
      }),
    );

    // Assess
    expect(senders.map((c) => c.status)).toEqual(Array(20).fill(503));
    for (const client of [...holders, ...senders]) client.close();
    await untilNoUnverifiedBody();
  });

  it("accepts a verified sender's delivery up to GitHub's 25 MB cap", async () => {
    const ping = JSON.parse(await readFile(join(ROOT, 'events/github/ping.json'), 'utf8')) as Record<string, unknown>;
    const body = JSON.stringify({ ...ping, padding: 'x'.repeat(24_000_000) });
    const response = await fetch(`${url}/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'ping',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': await verifier.sign(body),
      },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'pong' });
  });

  it('closes a slow upload and slow headers with 408, and frees the slot', async () => {
    const slowBody = await RawHttpClient.open(port);
    slowBody.head('POST', '/webhooks/github', webhookHead(1000));
    await slowBody.send(Buffer.from('{"zen":'));
    const slowHeaders = await RawHttpClient.open(port);
    slowHeaders.socket.write('POST /webhooks/github HTTP/1.1\r\nhost: 127.0.0.1\r\n');

    expect((await slowBody.response).status).toBe(408);
    expect((await slowHeaders.response).status).toBe(408);
    await Promise.all([slowBody.closed, slowHeaders.closed]);
    await untilNoUnverifiedBody();
  });

  it('answers a validly signed empty body 400, not 401', async () => {
    const response = await fetch(`${url}/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': signBody(SECRET, ''),
      },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ status: 'bad-request', reason: 'the body is empty' });
  });

  it('answers a plan id longer than a file name 400, not 500', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const long = await fetch(`${url}/api/plans/${'a'.repeat(300)}`, { headers: auth });
    expect(long.status).toBe(400);
    expect(((await long.json()) as { error: { code: string } }).error.code).toBe('BadRequest');
    const approve = await fetch(`${url}/api/plans/${'b'.repeat(300)}/approve`, { method: 'POST', headers: auth });
    expect(approve.status).toBe(400);
    const missing = await fetch(`${url}/api/plans/20261125T101500Z-prod-1a2b3c4-9f8e7d6c`, { headers: auth });
    expect(missing.status).toBe(404);
  });
});
