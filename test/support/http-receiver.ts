import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A local HTTP endpoint (127.0.0.1, random port) that records every request: stands in for Slack, PagerDuty,
 * webhook and audit receivers. `status(path)` decides the answer (202 by default).
 */
export async function startReceiver(status: (path: string) => number = () => 202): Promise<{
  url: string;
  received: Received[];
  take(prefix: string): Received[];
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({
        method: req.method ?? 'GET',
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const code = status(path);
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(code < 300 ? { status: 'success' } : { status: 'error' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    /** Removes and returns what arrived on paths starting with `prefix`. */
    take(prefix: string) {
      const taken = received.filter((r) => r.path.startsWith(prefix));
      for (const r of taken) received.splice(received.indexOf(r), 1);
      return taken;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
