import { request } from 'node:http';
import { testDockerHost, testEsUrl } from './env.js';

function dockerPing(host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const opts = host.startsWith('unix://')
      ? { socketPath: host.slice('unix://'.length), path: '/_ping' }
      : { host: new URL(host.replace(/^tcp:/, 'http:')).hostname, port: Number(new URL(host.replace(/^tcp:/, 'http:')).port), path: '/_ping' };
    const req = request({ ...opts, method: 'GET', timeout: 3000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * Integration tests run against the real Elasticsearch and the real dockerd that
 * scripts/test.sh starts. They are never skipped: when either is missing, the run fails here
 * with a message that says how to start it.
 */
export default async function setup(): Promise<void> {
  const es = testEsUrl();
  const problems: string[] = [];
  try {
    const res = await fetch(`${es}/_cluster/health`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) problems.push(`Elasticsearch at ${es} answered ${res.status}`);
  } catch (err) {
    problems.push(`Elasticsearch at ${es} is not reachable (${(err as Error).message}); run \`npm run es:start\``);
  }
  const docker = testDockerHost();
  if (!(await dockerPing(docker))) problems.push(`Docker engine at ${docker} is not reachable; run \`npm run docker:start\``);
  if (problems.length > 0) throw new Error('integration prerequisites missing:\n  ' + problems.join('\n  '));
}
