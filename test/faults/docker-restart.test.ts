/**
 * Fault 7 (issue 15): the Docker daemon restarted while `rightsize collect --print` (built CLI)
 * polls it → the collector reconnects when the engine is back and no CPU figure is negative or
 * absurd (the containers' CPU counters restart from zero, as they do when a daemon restart
 * restarts its containers).
 *
 * The engine is a local HTTP server speaking the Engine API (test/unit/collectors/docker/fakeEngine.ts),
 * not a second dockerd: the project's scripts/docker-engine.sh keeps its state under the
 * checkout's .cache/docker with no override for a second socket or data root, and restarting the
 * engine the other tests share would break them. Restarting it means what a client sees: the
 * socket refuses connections for RIGHTSIZE_FAULT_DOCKER_DOWN_S (10) seconds, then the same address
 * answers again with every CPU counter restarted from zero.
 */
import { describe, expect, it } from 'vitest';
import { pollUntil } from '../support/poll.js';
import { faultFixture } from './support/fixture.js';
import { FakeEngine } from '../unit/collectors/docker/fakeEngine.js';
import { Collector, printedDocs, say, startEmulator, sumOf, writeCollectConfig } from './support/processes.js';

const CASE = 'docker-restart';
const INTERVAL_MS = 1_000;
const DOWN_MS = Number(process.env['RIGHTSIZE_FAULT_DOCKER_DOWN_S'] ?? 10) * 1000;
const CORES = { a: 0.5, b: 1.5 } as const;

describe('fault: Docker daemon restarted', () => {
  const { dir, procs, onCleanup } = faultFixture('docker');
  const engine = new FakeEngine();
  let clock: NodeJS.Timeout | undefined;
  onCleanup(async () => {
    if (clock) clearInterval(clock);
    await engine.stop();
  });

  it('reconnects after the restart and never reports a negative or absurd CPU figure', async () => {
    const ids = { a: 'a'.repeat(64), b: 'b'.repeat(64) };
    engine.add({ id: ids.a, name: 'build-a', totalUsageNs: 0, read: new Date().toISOString(), nanoCpus: 2e9 });
    engine.add({ id: ids.b, name: 'build-b', totalUsageNs: 0, read: new Date().toISOString(), nanoCpus: 2e9 });
    // The containers burn CPU at a steady rate; `read` is the daemon's clock.
    let last = Date.now();
    clock = setInterval(() => {
      const now = Date.now();
      for (const k of ['a', 'b'] as const) {
        const c = engine.containers.get(ids[k])!;
        c.totalUsageNs += Math.round(CORES[k] * (now - last) * 1e6);
        c.read = new Date(now).toISOString();
      }
      last = now;
    }, 100);
    await engine.start();
    const host = engine.url.replace(/^http:/, 'tcp:');
    const em = await startEmulator(dir);
    procs.push(em.proc);
    const c = await Collector.start(writeCollectConfig(dir, { esUrl: 'http://127.0.0.1:9', prefix: 'unused', urls: em.urls, intervalMs: INTERVAL_MS, dockerHosts: [host] }), dir, ['--print']);
    procs.push(c);
    const target = `docker ${host}`;
    const dockerDocs = (): { cores: number; name: string; atMs: number }[] =>
      printedDocs(c)
        .filter((d) => (d['event'] as Record<string, unknown> | undefined)?.['dataset'] === 'docker.container')
        .flatMap((d) => {
          const cores = ((d['cpu'] as Record<string, unknown> | undefined)?.['cores'] as number | undefined) ?? undefined;
          const raw = (d['container'] as Record<string, unknown> | undefined)?.['name'];
          const name = typeof raw === 'string' ? raw : '';
          return cores === undefined ? [] : [{ cores, name, atMs: Date.parse(String(d['@timestamp'])) }];
        });
    await pollUntil('CPU figures from both containers', 60_000, () => Promise.resolve(new Set(dockerDocs().map((d) => d.name)).size === 2 || undefined), 250);

    await engine.stop();
    const downMs = Date.now();
    await pollUntil(`the ${DOWN_MS / 1000} s restart`, DOWN_MS + 10_000, () => Promise.resolve(Date.now() - downMs >= DOWN_MS || undefined), 500);
    const failedWhileDown = sumOf(await c.metrics(), 'rightsize_collector_failed_polls_total', `target="${target}"`);
    for (const k of ['a', 'b'] as const) engine.containers.get(ids[k])!.totalUsageNs = 0; // counters restart with the containers
    await engine.start(); // the same port it had
    const upMs = Date.now();
    const after = await pollUntil(
      'CPU figures from both containers after the restart',
      90_000,
      () => {
        const docs = dockerDocs().filter((d) => d.atMs > upMs);
        return Promise.resolve(new Set(docs.map((d) => d.name)).size === 2 ? docs : undefined);
      },
      250,
    );
    const reconnectMs = Math.min(...after.map((d) => d.atMs)) - upMs;
    const m = await c.metrics();
    const all = dockerDocs();
    const bad = all.filter((d) => !Number.isFinite(d.cores) || d.cores < 0 || d.cores > 4);
    const skipped = [...m].filter(([k]) => k.startsWith('rightsize_collector_skipped_items_total') && k.includes(target)).map(([k, v]) => `${/reason="([^"]+)"/.exec(k)?.[1]}=${v}`);
    say(CASE, `engine down ${DOWN_MS / 1000} s: ${failedWhileDown} failed polls counted; first CPU figure ${reconnectMs} ms after it answered again (interval ${INTERVAL_MS} ms)`);
    say(CASE, `${all.length} CPU figures, ${bad.length} negative or above the host's 4 CPUs; min ${Math.min(...all.map((d) => d.cores)).toFixed(3)}, max ${Math.max(...all.map((d) => d.cores)).toFixed(3)} (true rates ${CORES.a} and ${CORES.b}); skipped items ${skipped.join(', ')}`);
    expect(failedWhileDown).toBeGreaterThan(0);
    expect(bad).toEqual([]);
    expect((await c.stop('SIGTERM')).code).toBe(0);
  });
});
