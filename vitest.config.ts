import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { REAL_CAPTURES_DIR } from './test/support/env.js';

// Three projects run by `npm test`:
// - unit: pure code and shells against in-process doubles;
// - conformance: the tests that read the real captures and traces in ../shared (never copied into the
//   project). On a clone without ../shared it is left out with one line saying so; under CI=true the
//   folder is required and its absence fails the run (test/support/conformance-setup.ts);
// - integration: real Elasticsearch and real dockerd started by scripts/test.sh; never skipped.
// The parser fuzz of fault case 5 (test/faults/fuzz/, fixed seed and run counts, seconds) is pure
// and runs in `unit`, not in `faults`, so it runs in every CI run and only once.
// Not in `npm test`'s default run:
// - faults: the fault suite (docs/faults.md): real processes of the BUILT CLI with Elasticsearch
//   killed, collectors SIGKILLed, upstreams failing; `npm run test:faults` builds first.
const CONFORMANCE = ['test/**/*.conformance.test.ts'];
const sharedPresent = existsSync(REAL_CAPTURES_DIR);
const ci = process.env['CI'] === 'true';
if (!sharedPresent && !ci) {
  process.stderr.write(`conformance suite skipped: ${REAL_CAPTURES_DIR} is absent (it ships beside the project, not in it; set RIGHTSIZE_REAL_CAPTURES)\n`);
}

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/regression/**/*.test.ts', 'test/faults/fuzz/**/*.test.ts'],
          exclude: CONFORMANCE,
          testTimeout: 20_000,
        },
      },
      ...(sharedPresent || ci
        ? [
            {
              test: {
                name: 'conformance',
                include: CONFORMANCE,
                testTimeout: 20_000,
                globalSetup: ['test/support/conformance-setup.ts'],
              },
            },
          ]
        : []),
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
      {
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          exclude: ['test/faults/fuzz/**'],
          testTimeout: 900_000,
          hookTimeout: 600_000,
          fileParallelism: false,
          globalSetup: ['test/faults/support/setup.ts'],
        },
      },
    ],
  },
});
