/**
 * Goal of issue 12: `GET /api/v1/jobs/{job}` over 13,000 jobs at 1,000 requests/s for 60 s on
 * loopback (autocannon) while the recommendation cache reloads at its default interval
 * (`api.refreshIntervalMs`, 30 s): p99 ≤ 10 ms and no errors; then with 130,000 jobs, p99 still
 * ≤ 10 ms. (Before the reload worker: p99 ~21 ms at 13,000 and 22–46 ms at 130,000, the reload's
 * garbage collections on the main thread; docs/api.md.)
 *
 * The production path, in three processes: a child serving a fake Elasticsearch `_search` over
 * N generated recommendation documents (src/emulators/elasticsearch, search_after paging, the
 * product header the client checks); a child running the server as serve builds it
 * (`recommendationCacheFor` from serve.ts: the reload worker reads the fake Elasticsearch with
 * its own client, in pages of `RELOAD_PAGE_SIZE`, and transfers the packed snapshot), reloaded by
 * the `Scheduler` every `--reload-ms`; and this process, the load generator.
 *
 * Prints, per job count: a warm-up's figures (not counted), autocannon's latency percentiles,
 * errors and non-2xx answers; the server's event-loop delay while a reload runs and while none
 * does, with the garbage collector's pauses in each, and the longest holds and GC pauses with
 * when they happened; each reload's wall time, pack time (in the worker) and snapshot size; the
 * server's RSS; the load generator's own event-loop delay (when it lags, so does its latency
 * figure); the load average before and after (`os.loadavg`, as `uptime` prints); PASS/FAIL.
 *
 * Run: npx tsx bench/api-jobs-load.ts [--jobs 13000,130000] [--rate 1000] [--seconds 60]
 *        [--reload-ms 30000] [--in-process] [--semi-space-mb 4] [--warmup-seconds 5]
 *        [--node-flags "--trace-gc"] [--pin]
 */
import { execFileSync, fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { createHistogram, monitorEventLoopDelay, PerformanceObserver, type RecordableHistogram } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { buildApp, RELOAD_PAGE_SIZE } from '../src/api/index.js';
import { recommendationCacheFor } from '../src/cli/commands/serve.js';
import { validateConfig } from '../src/config/index.js';
import { startRecommendationSearch } from '../src/emulators/elasticsearch/recommendationSearch.js';
import type { RecommendationDoc } from '../src/model/index.js';
import { Scheduler } from '../src/scheduler/index.js';
import { createEsClient } from '../src/store/index.js';
import { silentLogger } from '../src/util/index.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}
const RATE = Number(arg('--rate', '1000'));
const SECONDS = Number(arg('--seconds', '60'));
/** The reload interval; absent = config's default (api.refreshIntervalMs). */
const RELOAD_MS = Number(arg('--reload-ms', String(validateConfig({}).api.refreshIntervalMs)));
/** api.reloadInWorker: false (the main-thread path, for comparison). */
const IN_PROCESS = process.argv.includes('--in-process');
/** The server's young-generation size, MB (node's --max-semi-space-size); absent = node's default. */
const SEMI_SPACE_MB = arg('--semi-space-mb', '');
/** More V8 flags for the server, space-separated (e.g. `--single-threaded-gc`); absent = none. */
const NODE_FLAGS = arg('--node-flags', '').split(' ').filter((f) => f !== '');
/** Requests at the target rate before the measured run (JIT, connections), reported apart. */
const WARMUP_SECONDS = Number(arg('--warmup-seconds', '5'));
/**
 * `--pin`: the server process (main thread and reload worker) on CPU 0, the load generator and the
 * fake Elasticsearch on CPU 1 (`taskset`, Linux), as when the scheduler and Elasticsearch are other
 * machines; without it the three share both cores with whatever else runs.
 */
const PIN = process.argv.includes('--pin');

/** Pins every thread of `pid` to `cpu` (`taskset -a -cp`); a bench set-up step, so it throws. */
function pinTo(pid: number, cpu: number): void {
  execFileSync('taskset', ['-a', '-cp', String(cpu), String(pid)], { stdio: 'ignore' });
}
const MiB = 1024 * 1024;

const jobName = (i: number): string => `team-${i % 97}/service-${i}/build`;

function doc(i: number, nowMs: number): RecommendationDoc {
  return {
    '@timestamp': new Date(nowMs - (i % 3600) * 1000).toISOString(),
    workload: { kind: 'jenkins.job', key: jobName(i) },
    jenkins: { job: { name: jobName(i) }, label: `linux-${1 + (i % 4)}c` },
    current: { cpu_cores: 1 + (i % 4), memory_bytes: (1 + (i % 4)) * 1024 * MiB },
    recommended: { cpu_cores: 0.3 + (i % 7) / 10, memory_bytes: (256 + (i % 13) * 64) * MiB, lower: { cpu_cores: 0.2 }, upper: { cpu_cores: 1.2 } },
    basis: { builds: 20 + (i % 50), window_days: 30, cpu_percentile: 95, memory_percentile: 99, headroom: 1.15 },
    confidence: i % 3 === 0 ? 'high' : 'medium',
    reasons: i % 5 === 0 ? ['cpu_throttled'] : [],
    savings: { cpu_core_hours_per_week: (i * 7919) % 100, memory_gib_hours_per_week: (i * 104_729) % 50 },
    severity: i % 11 === 0 ? 'critical' : 'warning',
  };
}

/** Delay and GC figures of one stretch of time (the server's reloads, or the rest). */
interface LoopFigures {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly gcPauses: number;
  readonly gcMaxMs: number;
  readonly gcTotalMs: number;
}
/** One long hold of the server's event loop: when (s into the measured run), how long, in a reload or not. */
interface Stall {
  readonly atS: number;
  readonly ms: number;
  readonly inReload: boolean;
}
interface ServerReport {
  readonly reloads: ReadonlyArray<{ readonly atS: number; readonly wallMs: number; readonly packMs: number; readonly inWorker: boolean; readonly bytes: number }>;
  readonly rssMaxBytes: number;
  readonly heapUsedBytes: number;
  readonly duringReload: LoopFigures;
  readonly outsideReload: LoopFigures;
  readonly stalls: readonly Stall[];
  readonly gcLongest: readonly Stall[];
  readonly cpuMs: number;
}

const figures = (h: RecordableHistogram, gc: { n: number; max: number; total: number }): LoopFigures => ({
  p50Ms: h.count === 0 ? 0 : h.percentile(50) / 1e6,
  p99Ms: h.count === 0 ? 0 : h.percentile(99) / 1e6,
  maxMs: h.count === 0 ? 0 : h.max / 1e6,
  gcPauses: gc.n,
  gcMaxMs: gc.max,
  gcTotalMs: gc.total,
});

/** Keeps the `n` largest by `ms`. */
function keepTop(list: Stall[], s: Stall, n = 5): void {
  list.push(s);
  list.sort((a, b) => b.ms - a.ms);
  list.length = Math.min(list.length, n);
}

/** The fake Elasticsearch child: N documents behind `_search`; sends its URL. */
async function fakeEs(jobs: number): Promise<void> {
  const now = Date.now();
  const es = await startRecommendationSearch(Array.from({ length: jobs }, (_, i) => doc(i, now)));
  process.send?.({ url: es.url });
  process.on('message', (m: { stop?: boolean }) => {
    if (m.stop) void es.close().then(() => process.exit(0));
  });
}

async function server(esUrl: string): Promise<void> {
  // The event loop's delay while a reload runs and while none does (whatever held it: the reload,
  // requests, GC, the machine): a 1 ms timer records how late it fires. (monitorEventLoopDelay
  // cannot be split: re-enabled, its first sample spans the time it was off.)
  const during = createHistogram();
  const outside = createHistogram();
  const gcDuring = { n: 0, max: 0, total: 0 };
  const gcOutside = { n: 0, max: 0, total: 0 };
  const stalls: Stall[] = [];
  const gcLongest: Stall[] = [];
  let measuring = false;
  let runStartMs = 0;
  // Reload windows on the performance.now() timebase: a GC entry is reported later than it ran.
  const windows: Array<{ from: number; to: number }> = [];
  const inReload = (t: number): boolean => windows.some((w) => t >= w.from && t <= w.to);
  let last = performance.now();
  const sampler = setInterval(() => {
    const now = performance.now();
    const lateMs = Math.max(0, now - last - 1);
    last = now;
    if (!measuring) return;
    const r = inReload(now);
    (r ? during : outside).record(Math.max(1, Math.round(lateMs * 1e6)));
    if (lateMs >= 5) keepTop(stalls, { atS: (now - lateMs - runStartMs) / 1000, ms: lateMs, inReload: r });
  }, 1);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (!measuring || e.startTime < runStartMs) continue;
      const r = inReload(e.startTime);
      const g = r ? gcDuring : gcOutside;
      g.n++;
      g.max = Math.max(g.max, e.duration);
      g.total += e.duration;
      keepTop(gcLongest, { atS: (e.startTime - runStartMs) / 1000, ms: e.duration, inReload: r });
    }
  }).observe({ entryTypes: ['gc'] });
  const reloads: Array<ServerReport['reloads'][number]> = [];
  // The cache exactly as serve builds it (the reload worker with its own client, unless --in-process).
  const config = validateConfig({ elasticsearch: { url: esUrl }, api: { reloadInWorker: !IN_PROCESS } });
  const client = createEsClient(config.elasticsearch);
  const cache = recommendationCacheFor(config, client, silentLogger());
  let rssMax = 0;
  const rss = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage.rss())), 250);
  const scheduler = new Scheduler({ logger: silentLogger() });
  const job = cache.reloadJob(RELOAD_MS);
  scheduler.add({
    ...job,
    // Loaded once below before listening; the first scheduled reload comes one interval later.
    schedule: { everyMs: RELOAD_MS, initialDelayMs: RELOAD_MS },
    run: async (signal) => {
      const t0 = performance.now();
      const w = { from: t0, to: Infinity };
      windows.push(w);
      try {
        await job.run(signal);
      } finally {
        w.to = performance.now();
      }
      const b = cache.status().lastBuild;
      if (measuring) reloads.push({ atS: (t0 - runStartMs) / 1000, wallMs: performance.now() - t0, packMs: b?.packMs ?? 0, inWorker: b?.inWorker ?? false, bytes: b?.bytes ?? 0 });
    },
  });
  const app = buildApp({ cache, staleAfterMs: 600_000, version: 'bench', limits: { maxConnections: 4096 } });
  if (!(await cache.refresh())) throw new Error(`first load failed: ${cache.status().lastError?.message ?? '?'}`);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  scheduler.start();
  let cpu0 = process.cpuUsage();
  process.send?.({ address });
  process.on('message', (m: { measure?: boolean; stop?: boolean }) => {
    if (m.measure) {
      // The warm-up is over: what follows is the measured run.
      measuring = true;
      runStartMs = performance.now();
      cpu0 = process.cpuUsage();
      return;
    }
    if (!m.stop) return;
    measuring = false;
    clearInterval(sampler);
    void scheduler.stop().then(async () => {
      const c = process.cpuUsage(cpu0);
      clearInterval(rss);
      const report: ServerReport = {
        reloads,
        duringReload: figures(during, gcDuring),
        outsideReload: figures(outside, gcOutside),
        stalls,
        gcLongest,
        cpuMs: (c.user + c.system) / 1000,
        rssMaxBytes: rssMax,
        heapUsedBytes: process.memoryUsage().heapUsed,
      };
      process.send?.({ report });
      await app.close();
      await client.close();
      process.exit(0);
    });
  });
}

const f1 = (n: number): string => n.toFixed(1);
const loopLine = (f: LoopFigures): string => `p50 ${f1(f.p50Ms)}  p99 ${f1(f.p99Ms)}  max ${f1(f.maxMs)} ms; GC pauses ${f.gcPauses}, longest ${f1(f.gcMaxMs)} ms, total ${f1(f.gcTotalMs)} ms`;

async function run(jobs: number): Promise<boolean> {
  const load0 = loadavg();
  const es = fork(fileURLToPath(import.meta.url), ['--fake-es', String(jobs)], { execArgv: ['--import', 'tsx'] });
  const esUrl = await new Promise<string>((resolve) => es.once('message', (m: { url: string }) => resolve(m.url)));
  const child = fork(fileURLToPath(import.meta.url), ['--server', esUrl, ...process.argv.slice(2)], {
    execArgv: ['--import', 'tsx', ...(SEMI_SPACE_MB === '' ? [] : [`--max-semi-space-size=${SEMI_SPACE_MB}`]), ...NODE_FLAGS],
  });
  const address = await new Promise<string>((resolve) => child.once('message', (m: { address: string }) => resolve(m.address)));
  if (PIN) {
    pinTo(child.pid!, 0);
    pinTo(es.pid!, 1);
    pinTo(process.pid, 1);
  }
  let n = 0;
  const cannon = (seconds: number) =>
    autocannon({
      url: address,
      connections: 50,
      overallRate: RATE,
      duration: seconds,
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/v1/jobs/${jobName((n++ * 7919) % jobs)}` }) }],
    });
  const warm = WARMUP_SECONDS > 0 ? await cannon(WARMUP_SECONDS) : undefined;
  child.send({ measure: true });
  // The load generator's own event loop: when it lags, the latencies it records include its lag.
  const own = monitorEventLoopDelay({ resolution: 1 });
  own.enable();
  const result = await cannon(SECONDS);
  own.disable();
  child.send({ stop: true });
  const report = await new Promise<ServerReport>((resolve) => child.on('message', (m: { report?: ServerReport }) => m.report && resolve(m.report)));
  es.send({ stop: true });
  const load1 = loadavg();
  const l = result.latency;
  const pass = l.p99 <= 10 && result.errors === 0 && result.timeouts === 0 && result.non2xx === 0;
  const la = (a: number[]): string => a.map((x) => x.toFixed(2)).join(' ');
  console.log(`api-jobs-load: ${jobs} jobs, ${RATE} req/s target for ${SECONDS} s, reload every ${RELOAD_MS} ms (${IN_PROCESS ? 'on the main thread' : 'in the reload worker'}, fake Elasticsearch pages of ${RELOAD_PAGE_SIZE}, server semi-space ${SEMI_SPACE_MB === '' ? "node's default" : `${SEMI_SPACE_MB} MB`}${PIN ? ', server pinned to CPU 0, load generator and fake Elasticsearch to CPU 1' : ''}${NODE_FLAGS.length > 0 ? `, ${NODE_FLAGS.join(' ')}` : ''})`);
  console.log(`  load average (1, 5, 15 min) before ${la(load0)}, after ${la(load1)} (shared 2-core machine)`);
  if (warm)
    console.log(`  warm-up ${WARMUP_SECONDS} s (not counted): requests ${warm.requests.total}, errors ${warm.errors}, non-2xx ${warm.non2xx}, latency ms p50 ${warm.latency.p50}  p99 ${warm.latency.p99}  max ${warm.latency.max}`);
  console.log(`  requests ${result.requests.total} (${result.requests.average.toFixed(0)}/s), errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx}`);
  console.log(`  request latency ms: p50 ${l.p50}  p90 ${l.p90}  p97.5 ${l.p97_5}  p99 ${l.p99}  max ${l.max}`);
  console.log(
    `  reloads during the run: ${report.reloads.length}: ${report.reloads.map((r) => `at ${r.atS.toFixed(1)} s: ${(r.wallMs / 1000).toFixed(2)} s wall, pack ${f1(r.packMs)} ms ${r.inWorker ? 'in the worker' : 'on the main thread'}, ${(r.bytes / MiB).toFixed(1)} MiB`).join('; ') || 'none'}`,
  );
  console.log(`  server event-loop delay during reloads:  ${loopLine(report.duringReload)}`);
  console.log(`  server event-loop delay outside reloads: ${loopLine(report.outsideReload)}`);
  const stallLine = (l: readonly Stall[]): string => l.map((x) => `${f1(x.ms)} ms at ${x.atS.toFixed(1)} s${x.inReload ? ' (reload)' : ''}`).join(', ') || 'none';
  console.log(`  server's longest event-loop holds: ${stallLine(report.stalls)}`);
  console.log(`  server's longest GC pauses: ${stallLine(report.gcLongest)}`);
  console.log(`  server RSS max ${(report.rssMaxBytes / MiB).toFixed(0)} MiB, heap used at the end ${(report.heapUsedBytes / MiB).toFixed(0)} MiB`);
  console.log(`  server CPU (main thread and worker) ${(report.cpuMs / 1000).toFixed(1)} s over the run; load generator event-loop delay p99 ${f1(own.percentile(99) / 1e6)}  max ${f1(own.max / 1e6)} ms`);
  console.log(`  goal p99 ≤ 10 ms, no errors: ${pass ? 'PASS' : 'FAIL'}`);
  return pass;
}

async function main(): Promise<void> {
  let all = true;
  for (const jobs of arg('--jobs', '13000,130000').split(',').map(Number)) all = (await run(jobs)) && all;
  console.log(`api-jobs-load: ${all ? 'PASS' : 'FAIL'}`);
}

const at = process.argv.indexOf('--server');
const esAt = process.argv.indexOf('--fake-es');
if (at >= 0) await server(process.argv[at + 1] ?? '');
else if (esAt >= 0) await fakeEs(Number(process.argv[esAt + 1]));
else await main();
