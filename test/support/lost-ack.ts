import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

/** Kafka's Produce API key: the requests whose acknowledgement this fault drops. */
const PRODUCE = 0;

/**
 * A deterministic "the broker wrote the batch but its acknowledgement never arrived": the next Produce
 * response on any Kafka connection this process opens is swallowed and that connection reset, exactly the
 * situation in which a client retries a batch the broker already holds. Kafka frames are read from the bytes
 * (4-byte size; requests: api key, version, correlation id; responses: correlation id), so the fault hits the
 * Produce response and nothing else. Call `restore()` when done.
 */
export function loseNextProduceAck(): { readonly lost: number; restore(): void } {
  const original = net.createConnection;
  const state = { armed: true, lost: 0 };
  const patched = function (this: unknown, ...args: Parameters<typeof net.createConnection>) {
    const socket = original.apply(this, args);
    watch(socket, state);
    return socket;
  } as typeof net.createConnection;
  net.createConnection = patched;
  syncBuiltinESMExports();
  return {
    get lost() {
      return state.lost;
    },
    restore() {
      net.createConnection = original;
      syncBuiltinESMExports();
    },
  };
}

function watch(socket: net.Socket, state: { armed: boolean; lost: number }): void {
  const produceIds = new Set<number>();
  const outgoing = frameStarts((frame) => {
    if (frame.readInt16BE(4) === PRODUCE) produceIds.add(frame.readInt32BE(8));
  }, 12);
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (Buffer.isBuffer(chunk)) outgoing(chunk);
    return write(chunk, ...rest);
  }) as typeof socket.write;

  let swallow = false;
  const incoming = frameStarts((frame) => {
    if (state.armed && produceIds.has(frame.readInt32BE(4))) {
      state.armed = false;
      state.lost++;
      swallow = true;
    }
  }, 8);
  const emit = socket.emit.bind(socket) as (event: string | symbol, ...args: unknown[]) => boolean;
  socket.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event === 'data' && Buffer.isBuffer(args[0])) {
      incoming(args[0]);
      if (swallow) {
        swallow = false;
        socket.destroy();
        return false;
      }
    }
    return emit(event, ...args);
  }) as typeof socket.emit;
}

/** Feeds a byte stream of size-prefixed frames; calls `onStart` with the first `need` bytes of each frame. */
function frameStarts(onStart: (start: Buffer) => void, need: number): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  let skip = 0; // bytes of the current frame still to pass over
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      if (skip > 0) {
        const n = Math.min(skip, pending.length);
        pending = pending.subarray(n);
        skip -= n;
        if (skip > 0) return;
      }
      if (pending.length < need) return;
      onStart(pending.subarray(0, need));
      skip = 4 + pending.readInt32BE(0);
    }
  };
}
