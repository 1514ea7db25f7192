import { defineConfig } from 'vitest/config';

// Two tiers run by `npm test`: unit (pure code and shells against in-process doubles) and
// integration (real Elasticsearch and real dockerd started by scripts/test.sh; never skipped).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/regression/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          globalSetup: ['test/support/integration-setup.ts'],
        },
      },
    ],
  },
});
