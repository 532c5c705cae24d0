import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure logic, no cluster, fast) and `integration`
// (one real etcd + kube-apiserver per run, started in globalSetup).
export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          // Property tests run hundreds of cases: a loaded CI machine needs more than 5 s.
          testTimeout: 30_000,
          include: [
            'operator/**/*.test.ts',
            'actions-runtime/**/*.test.ts',
            'hack/**/*.test.ts',
            'test/bench/**/*.test.ts',
            'test/faults/**/*.test.ts',
          ],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // Each file spawns operator and worker processes; two cores cannot
          // run many files at once without starving the API server.
          fileParallelism: false,
        },
      },
    ],
  },
});
