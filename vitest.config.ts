import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Guards against hangs only: a file of many CLI runs can take minutes on a loaded two-core machine.
    testTimeout: 180_000,
    hookTimeout: 240_000,
    pool: 'forks',
    // Files wait on brokers, JVM clients and the apiserver more than on the CPU: three at a time halve a warm run
    // on two cores. Each file uses its own names (see test/support/unique-name.ts), so they can share the services.
    maxWorkers: 3,
    // Inert unless LANDSCAPE_SCAN_DIR is set: scripts/test.sh records what the suite stores for the secret scan.
    setupFiles: ['test/support/scan/tap-records.ts'],
    reporters: ['default'],
  },
});
