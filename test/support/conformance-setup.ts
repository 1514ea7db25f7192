import { existsSync } from 'node:fs';
import { REAL_CAPTURES_DIR } from './env.js';

/**
 * The conformance suite reads real Mesos, Docker and Jenkins responses from ../shared/real-captures.
 * vitest.config.ts leaves the suite out on a clone without that folder; under CI=true it is
 * required, and its absence fails the run here with the path that was looked for.
 */
export default function setup(): void {
  if (!existsSync(REAL_CAPTURES_DIR)) {
    throw new Error(`conformance suite: ${REAL_CAPTURES_DIR} is required under CI=true and is absent (set RIGHTSIZE_REAL_CAPTURES to its path)`);
  }
}
