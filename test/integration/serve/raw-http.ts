import { connect, type Socket } from 'node:net';

/**
 * An HTTP/1.1 client on a bare socket: the test decides exactly which bytes go out and when (headers only,
 * part of a body, nothing more), which fetch cannot. `response` settles with the status line's code once the
 * server answers, or with 0 when the connection closes without an answer.
 */
export class RawHttpClient {
  readonly socket: Socket;
  readonly response: Promise<{ status: number; text: string }>;
  readonly closed: Promise<void>;
  /** The status code once answered (0: closed without an answer); undefined while waiting. */
  status: number | undefined;
  #received = '';

  private constructor(socket: Socket) {
    this.socket = socket;
    this.socket.on('error', () => {}); // a reset after the server's answer is expected when refusing a body
    const answered = new Promise<{ status: number; text: string }>((resolve) => {
      this.socket.on('data', (chunk: Buffer) => {
        this.#received += chunk.toString('latin1');
        const status = /^HTTP\/1\.1 (\d{3})/.exec(this.#received);
        if (status && this.#received.includes('\r\n\r\n')) resolve({ status: Number(status[1]), text: this.#received });
      });
      this.socket.on('close', () => resolve({ status: 0, text: this.#received }));
    });
    this.response = answered.then((r) => {
      this.status = r.status;
      return r;
    });
    this.closed = new Promise((resolve) => this.socket.on('close', () => resolve()));
  }

  static async open(port: number): Promise<RawHttpClient> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawHttpClient(socket);
  }

  /** Writes the request line and headers (with the blank line that ends them). */
  head(method: string, path: string, headers: Record<string, string | number>): this {
    const lines = [`${method} ${path} HTTP/1.1`, 'host: 127.0.0.1'];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    this.socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    return this;
  }

  /** Writes bytes, waiting while the socket's buffer is full; false once the connection is gone. */
  async send(bytes: Buffer): Promise<boolean> {
    if (this.socket.destroyed) return false;
    if (this.socket.write(bytes)) return true;
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        this.socket.off('drain', onDrain);
        this.socket.off('close', onClose);
        resolve(ok);
      };
      const onDrain = () => done(true);
      const onClose = () => done(false);
      this.socket.once('drain', onDrain);
      this.socket.once('close', onClose);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
