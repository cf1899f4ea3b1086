/**
 * Preloaded into every Node process of a test run (`NODE_OPTIONS=--import=…`, set by scripts/test.sh): a copy
 * of everything the process writes to stdout and stderr goes to `$LANDSCAPE_SCAN_DIR/output-<pid>.log`, so the
 * suite-wide secret scan also sees what CLI subprocesses, handlers under the Lambda runtime client and test
 * workers printed, including output a test captured and never showed.
 */
import { appendFileSync } from 'node:fs';

const dir = process.env.LANDSCAPE_SCAN_DIR;
if (dir) {
  const file = `${dir}/output-${process.pid}.log`;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      try {
        appendFileSync(file, typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array));
      } catch {
        // The scan is best effort per write; the test's own output must never fail because of it.
      }
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
}
