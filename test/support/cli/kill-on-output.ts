/**
 * Preloaded into a CLI child process (`node --import`) by the crash tests: kills the process with SIGKILL (no
 * cleanup, no finally blocks) the moment it writes a stderr line containing `LANDSCAPE_TEST_KILL_ON`. The CLI
 * prints "kafka: creating topics: N/N" right after the broker answered the CreateTopics batch, so the kill
 * point is a step of the apply, not a timer. The product has no test hook for this.
 */
const marker = process.env.LANDSCAPE_TEST_KILL_ON;
if (marker) {
  const write = process.stderr.write.bind(process.stderr) as (chunk: string | Uint8Array) => boolean;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    const result = write(chunk);
    if (String(chunk).includes(marker)) process.kill(process.pid, 'SIGKILL');
    return result;
  }) as typeof process.stderr.write;
}
