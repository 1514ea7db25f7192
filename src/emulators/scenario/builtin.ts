import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's `scenarios/` folder (same relative place from `src/` and `dist/`). */
export const SCENARIOS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'scenarios');

/** `demo` (or another bundled name) → `scenarios/<name>.yaml`; anything else is a file path. */
export function resolveScenarioPath(nameOrFile: string): string {
  if (/^[a-z0-9-]+$/.test(nameOrFile)) {
    const bundled = join(SCENARIOS_DIR, `${nameOrFile}.yaml`);
    if (existsSync(bundled)) return bundled;
  }
  return resolve(nameOrFile);
}
