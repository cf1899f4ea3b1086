import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration suites share one broker/apiserver per run; files run in parallel but each uses its own names.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Files wait on brokers, JVM clients and the apiserver more than on the CPU: three at a time halve a warm run
    // on two cores. Each file uses its own names (see test/support/unique-name.ts), so they can share the services.
    maxWorkers: 3,
    // Inert unless LANDSCAPE_SCAN_DIR is set: scripts/test.sh records what the suite stores for the secret scan.
    setupFiles: ['test/support/scan/tap-records.ts'],
    reporters: ['default'],
  },
});
