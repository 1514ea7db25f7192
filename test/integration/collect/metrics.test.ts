import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, testDockerHost, testEsUrl } from '../../support/env.js';
import { dropPrefix, testEsClient, uniquePrefix } from '../../support/es.js';
import { pollUntil } from '../../support/poll.js';

/**
 * `rightsize collect --metrics-port 0` as an operator runs it (the built CLI in its own process,
 * the real Docker engine, the real Elasticsearch): its /metrics counts the engine's polls as
 * they happen, /healthz lists the target, SIGTERM flushes and exits 0.
 */

const client = testEsClient();
const prefix = uniquePrefix('collect-metrics');
const dir = mkdtempSync(join(tmpdir(), 'rs-collect-metrics-'));
let proc: ChildProcess | undefined;
let err = '';

afterAll(async () => {
  if (proc && proc.exitCode === null) proc.kill('SIGKILL');
  await dropPrefix(client, prefix);
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('collect --metrics-port', () => {
  it('serves per-target poll counters that grow, a health summary, and stops on SIGTERM', async () => {
    const cli = join(REPO_ROOT, 'dist', 'cli', 'main.js');
    if (!existsSync(cli)) throw new Error(`${cli} is missing: build first (npm test runs scripts/ensure-deps.sh, which builds)`);
    const config = join(dir, 'rightsize.yaml');
    writeFileSync(config, `elasticsearch:\n  url: ${testEsUrl()}\n  indexPrefix: ${prefix}\n  replicas: 0\ndocker:\n  intervalMs: 500\n  timeoutMs: 500\n`);
    const docker = testDockerHost();
    proc = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'rightsize.js'), 'collect', '--config', config, '--docker-host', docker, '--metrics-port', '0'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const base = await pollUntil('the metrics address in the log', 60_000, () => {
      if (proc!.exitCode !== null) throw new Error(`collect exited with ${proc!.exitCode}`);
      return Promise.resolve(/"address":"(http:\/\/[^"]+)"/.exec(err)?.[1]);
    }, 100).catch((e: Error) => {
      throw new Error(`${e.message}; stderr: ${err}`);
    });
    const polls = async (): Promise<number | undefined> => {
      const text = await (await fetch(`${base}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`rightsize_collector_polls_total{target="docker ${docker}"}`));
      return line === undefined ? undefined : Number(line.split(' ').at(-1));
    };
    const first = await pollUntil('a first docker poll in /metrics', 30_000, async () => ((await polls()) ?? 0) >= 1 ? polls() : undefined, 200);
    const later = await pollUntil('more docker polls', 30_000, async () => {
      const n = await polls();
      return n !== undefined && n >= first + 2 ? n : undefined;
    }, 200);
    expect(later).toBeGreaterThanOrEqual(first + 2);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain(`rightsize_collector_failed_polls_total{target="docker ${docker}"} 0`);
    expect(text).toMatch(/^rightsize_sink_dropped_documents_total 0$/m);
    expect(text).toMatch(/^rightsize_builds_pending \d+$/m);
    const health = (await (await fetch(`${base}/healthz`)).json()) as { status: string; targets: Array<{ target: string; consecutive_failures: number }> };
    expect(health.status).toBe('ok');
    expect(health.targets).toContainEqual({ target: `docker ${docker}`, consecutive_failures: 0 });
    const exited = new Promise<number | null>((resolve) => proc!.once('exit', (code) => resolve(code)));
    proc.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000))]);
    expect(code, `stderr: ${err.slice(-2000)}`).toBe(0);
  });
});
