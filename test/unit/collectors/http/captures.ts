import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REAL_CAPTURES_DIR } from '../../../support/env.js';

/**
 * Reads one real capture in place from REAL_CAPTURES_DIR (never copied into the repo). Fails
 * with a message saying where the folder was looked for when it is absent.
 */
export function capture(relativePath: string): unknown {
  const path = join(requireCapturesDir(), relativePath);
  if (!existsSync(path)) throw new Error(`real capture ${relativePath} is missing from ${REAL_CAPTURES_DIR}`);
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

/** The JSON files of one capture folder (e.g. `mesos-master`), sorted. */
export function captureFiles(folder: string): string[] {
  return readdirSync(join(requireCapturesDir(), folder))
    .filter((f) => f.endsWith('.json'))
    .sort();
}

function requireCapturesDir(): string {
  if (!existsSync(REAL_CAPTURES_DIR)) {
    throw new Error(
      `real-captures folder not found at ${REAL_CAPTURES_DIR}: the conformance tests read the captured API responses from there ` +
        '(set RIGHTSIZE_REAL_CAPTURES to its path)',
    );
  }
  return REAL_CAPTURES_DIR;
}
