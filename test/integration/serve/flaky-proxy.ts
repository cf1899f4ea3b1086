import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a real service that the test can make unavailable: it resets the next `n`
 * connections (`refuseNext`) or every connection while `down()`, and otherwise forwards bytes both ways.
 * An outage is thus a number of refused connections, decided by the test, not a duration.
 */
export class FlakyProxy {
  /** Connections reset so far. */
  refused = 0;
  readonly #server: Server;
  readonly #target: { host: string; port: number };
  readonly #open = new Set<Socket>();
  #refuseLeft = 0;
  #down = false;

  private constructor(server: Server, target: { host: string; port: number }) {
    this.#server = server;
    this.#target = target;
  }

  static async start(target: { host: string; port: number }): Promise<FlakyProxy> {
    const server = createServer();
    const proxy = new FlakyProxy(server, target);
    server.on('connection', (socket) => proxy.#accept(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    const address = this.#server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  refuseNext(connections: number): void {
    this.#refuseLeft = connections;
  }

  down(): void {
    this.#down = true;
  }

  up(): void {
    this.#down = false;
    this.#refuseLeft = 0;
  }

  async close(): Promise<void> {
    for (const socket of this.#open) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    if (this.#down || this.#refuseLeft > 0) {
      if (this.#refuseLeft > 0) this.#refuseLeft--;
      this.refused++;
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(this.#target);
    for (const socket of [client, upstream]) {
      this.#open.add(socket);
      socket.on('close', () => this.#open.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
