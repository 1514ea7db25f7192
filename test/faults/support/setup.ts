import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, testEsUrl } from '../../support/env.js';

/**
 * The fault suite needs the built CLI and an Elasticsearch it may kill and restart by its port
 * (scripts/es.sh on RIGHTSIZE_TEST_ES_URL's port). Missing prerequisites fail the run here.
 */
export default async function setup(): Promise<void> {
  const problems: string[] = [];
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli', 'main.js'))) problems.push('dist/ is missing: run `npm run build` (`npm run test:faults` builds first)');
  const es = testEsUrl();
  try {
    const res = await fetch(`${es}/_cluster/health`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) problems.push(`Elasticsearch at ${es} answered ${res.status}`);
  } catch (err) {
    problems.push(`Elasticsearch at ${es} is not reachable (${(err as Error).message}); run \`npm run es:start\``);
  }
  if (problems.length > 0) throw new Error('fault suite prerequisites missing:\n  ' + problems.join('\n  '));
}
