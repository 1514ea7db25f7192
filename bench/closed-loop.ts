/**
 * Bench (issue 12, point 3): the closed loop on the demo scenario. Does a Jenkins that takes
 * its labels from rightsize reserve less CPU and wait less in the queue?
 *
 *   1. before  the demo (model usage) with the built `rightsize collect` writing into
 *              Elasticsearch, until every job that asks has ≥ 5 builds documents (at least
 *              BENCH_WINDOW_MIN minutes). Nobody answers yet: the jobs run on their own labels.
 *   2. analyse `rightsize analyze --labels` once; then `rightsize serve`.
 *   3. after   the same scenario and seed again, so the same builds arrive at the same times
 *              with the same usage, for BENCH_WINDOW_MIN minutes, with `--ask-rightsize` pointing
 *              at the API: variant `as shipped` (the jobs marked `askRightsize` in the scenario)
 *              and, at the same time, variant `every job` (all jobs ask).
 *
 * Both phases are measured over the same window (their first BENCH_WINDOW_MIN minutes), from
 * the emulator's own state: reserved core-hours = Σ over Mesos tasks of cpus × the time the task
 * existed in the window; queue wait = Jenkins queuing time (waiting + buildable) of the builds
 * queued in the window, items still queued at its end counted with their wait so far.
 * PASS when, for `as shipped`, both the reserved core-hours and the p95 queue wait fall.
 *
 *   npx tsc -p tsconfig.build.json   # the bench runs the built CLI
 *   RIGHTSIZE_TEST_ES_URL=http://127.0.0.1:9200 npx tsx bench/closed-loop.ts
 *
 * Env: BENCH_SCENARIO (demo, or a scenario file), BENCH_WINDOW_MIN (10), BENCH_MAX_BEFORE_MIN (20),
 * BENCH_SEED (20261122, the demo's; another seed draws other arrivals, durations and usage).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@elastic/elasticsearch';
import { loadScenarioFile, resolveScenarioPath, startEmulatedCluster, validateScenario, type AskStats, type ClusterEngine, type RunningEmulator, type Scenario } from '../src/emulators/index.js';
import { percentile } from '../src/analysis/stats/index.js';
import { cleanUpBench } from './cleanup.js';

const ES_URL = process.env['RIGHTSIZE_TEST_ES_URL'] ?? 'http://127.0.0.1:9200';
const SCENARIO = process.env['BENCH_SCENARIO'] ?? 'demo';
const WINDOW_MS = Number(process.env['BENCH_WINDOW_MIN'] ?? 10) * 60_000;
const MAX_BEFORE_MS = Number(process.env['BENCH_MAX_BEFORE_MIN'] ?? 20) * 60_000;
const MIN_BUILDS = 5;
const REPO = join(import.meta.dirname, '..');
const CLI = join(REPO, 'bin', 'rightsize.js');
const SEED = Number(process.env['BENCH_SEED'] ?? 20261122);

interface Figures {
  readonly reservedCoreHours: number;
  readonly waitsMs: number[];
  readonly p95WaitMs: number;
  readonly builds: number;
  readonly oomKilled: number;
  /** Per job: builds started in the window by label. */
  readonly labels: Record<string, Record<string, number>>;
}

/** What the cluster reserved and how long builds queued in [fromMs, toMs] (pure, from the engine's state). */
export function measure(engine: ClusterEngine, fromMs: number, toMs: number): Figures {
  let coreMs = 0;
  for (const t of [...engine.completedTasks, ...engine.tasks.values()]) {
    const a = Math.max(fromMs, t.launchedMs);
    const b = Math.min(toMs, t.endedMs ?? toMs);
    if (b > a) coreMs += t.resources.cpus * (b - a);
  }
  const waits: number[] = [];
  const labels: Record<string, Record<string, number>> = {};
  let builds = 0;
  let oom = 0;
  for (const [name, job] of engine.jobs) {
    for (const b of job.builds) {
      if (b.inQueueSinceMs < fromMs || b.inQueueSinceMs >= toMs) continue;
      // Started after the window: it waited at least until the window's end.
      waits.push(b.startMs <= toMs ? b.waitingMs + b.buildableMs : toMs - b.inQueueSinceMs);
      if (b.startMs > toMs) continue;
      builds++;
      if (b.oomKilled === true) oom++;
      const l = (labels[name] ??= {});
      l[b.label] = (l[b.label] ?? 0) + 1;
    }
  }
  for (const item of engine.queue) if (item.state !== 'left' && item.inQueueSinceMs >= fromMs && item.inQueueSinceMs < toMs) waits.push(toMs - item.inQueueSinceMs);
  const p95 = percentile(waits, 0.95) ?? 0;
  return { reservedCoreHours: coreMs / 3_600_000, waitsMs: waits, p95WaitMs: p95, builds, oomKilled: oom, labels };
}

function run(args: string[], dir: string, log: string): ChildProcess {
  const p = spawn(process.execPath, [CLI, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RIGHTSIZE_LOG_LEVEL: 'warn' } });
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (out += d.toString()));
  p.on('exit', () => writeFileSync(join(dir, log), out));
  (p as ChildProcess & { output: () => string }).output = () => out;
  return p;
}

const output = (p: ChildProcess): string => (p as ChildProcess & { output: () => string }).output();

async function stop(p: ChildProcess | undefined): Promise<void> {
  if (!p || p.exitCode !== null) return;
  const done = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  await Promise.race([done, sleep(20_000)]);
  if (p.exitCode === null) p.kill('SIGKILL');
}

async function buildCounts(client: Client, prefix: string): Promise<Map<string, number>> {
  const res = await client
    .search({ index: `${prefix}-builds-*`, size: 0, ignore_unavailable: true, allow_no_indices: true, aggs: { j: { terms: { field: 'jenkins.job.name', size: 100 } } } })
    .catch(() => undefined);
  const buckets = ((res?.aggregations?.['j'] as { buckets?: Array<{ key: string; doc_count: number }> } | undefined)?.buckets ?? []);
  return new Map(buckets.map((b) => [b.key, b.doc_count]));
}

const fmtH = (v: number) => v.toFixed(3);
const fmtS = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  if (!existsSync(join(REPO, 'dist', 'cli', 'main.js'))) throw new Error('build first: npx tsc -p tsconfig.build.json');
  const base: Scenario = loadScenarioFile(resolveScenarioPath(SCENARIO));
  const asking = base.jobs.filter((j) => j.askRightsize).map((j) => j.name);
  if (asking.length === 0) throw new Error(`no job of scenario ${SCENARIO} has askRightsize: true`);
  const everyJob = validateScenario({ ...base, jobs: base.jobs.map((j) => ({ ...j, askRightsize: true })) });
  const dir = mkdtempSync(join(tmpdir(), 'rs-bench-loop-'));
  const prefix = `bench-loop-${Date.now().toString(36)}`;
  const client = new Client({ node: ES_URL });
  console.log(`closed loop on scenario ${SCENARIO} (seed ${SEED}, model usage), window ${WINDOW_MS / 60_000} min; asking as shipped: ${asking.join(', ')}`);
  console.log(`load average at start: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (${ES_URL}, prefix ${prefix})`);
  let em: RunningEmulator | undefined;
  let collect: ChildProcess | undefined;
  let serve: ChildProcess | undefined;
  const after: RunningEmulator[] = [];
  try {
    // 1. before
    em = await startEmulatedCluster(base, { usage: 'model', seed: SEED });
    const t0 = Date.now();
    const config = join(dir, 'rightsize.yaml');
    writeFileSync(
      config,
      [
        'elasticsearch:',
        `  url: ${ES_URL}`,
        `  indexPrefix: ${prefix}`,
        '  replicas: 0',
        'mesos:',
        '  intervalMs: 2000',
        '  timeoutMs: 2000',
        'jenkins:',
        `  username: ${em.urls.jenkins.user}`,
        `  token: ${em.urls.jenkins.token}`,
        '  intervalMs: 2000',
        '  timeoutMs: 2000',
        'api:',
        '  port: 0',
        '  refreshIntervalMs: 5000',
        'analysis:',
        '  decreaseEvidence: { minBuilds: 5, minDays: 0 }',
        '',
      ].join('\n'),
    );
    collect = run(['collect', '--config', config, '--jenkins-url', em.urls.jenkins.url, ...em.urls.masters.flatMap((m) => ['--mesos-master', m])], dir, 'collect.log');
    let counts = new Map<string, number>();
    for (let i = 1; ; i++) {
      await sleep(5_000);
      if (collect.exitCode !== null) throw new Error(`collect exited ${collect.exitCode}: ${output(collect).slice(-2000)}`);
      counts = await buildCounts(client, prefix);
      const elapsed = Date.now() - t0;
      const ready = asking.every((j) => (counts.get(j) ?? 0) >= MIN_BUILDS);
      if (i % 12 === 0) console.log(`   before ${(elapsed / 60_000).toFixed(1)} min: builds documents ${[...counts].map(([j, n]) => `${j} ${n}`).join(', ') || 'none'}`);
      if ((ready && elapsed >= WINDOW_MS) || elapsed >= MAX_BEFORE_MS) break;
    }
    const before = measure(em.cluster.engine, t0, t0 + WINDOW_MS);
    await stop(collect);
    collect = undefined;
    await em.stop();
    em = undefined;

    // 2. analyse, serve
    const analyze = run(['analyze', '--labels', '--config', config], dir, 'analyze.log');
    const code = await new Promise<number | null>((r) => analyze.once('exit', r));
    if (code !== 0) throw new Error(`analyze exited ${code}: ${output(analyze).slice(-2000)}`);
    console.log(output(analyze).trim().split('\n').map((l) => `   ${l}`).join('\n'));
    serve = run(['serve', '--config', config], dir, 'serve.log');
    let api: string | undefined;
    for (let i = 0; i < 120 && api === undefined; i++) {
      await sleep(500);
      api = /listening on (http:\/\/\S+)/.exec(output(serve))?.[1];
    }
    if (api === undefined) throw new Error(`serve did not start: ${output(serve).slice(-2000)}`);
    // serve listens before its first snapshot arrives from the reload worker (503 until then).
    let ready = false;
    for (let i = 0; i < 120 && !ready; i++) {
      ready = await fetch(`${api}/readyz`).then((r) => r.ok, () => false);
      if (!ready) await sleep(500);
    }
    if (!ready) throw new Error(`serve not ready within 60 s: ${output(serve).slice(-2000)}`);
    for (const j of base.jobs) {
      const r = await fetch(`${api}/api/v1/jobs/${j.name.split('/').map(encodeURIComponent).join('/')}?format=mesos-plugin`);
      const body = (await r.json()) as { label?: string; cpus?: number; mem?: number; fallback?: boolean };
      console.log(`   answer for ${j.name} (on ${j.label}): HTTP ${r.status} ${r.status === 200 ? `label ${body.label} (cpus ${body.cpus}, mem ${body.mem} MB${body.fallback ? ', fallback' : ''})` : ''}`);
    }

    // 3. after: both variants at once, same seed
    const t1 = Date.now();
    for (const s of [base, everyJob]) after.push(await startEmulatedCluster(s, { usage: 'model', seed: SEED, askRightsize: { url: api, timeoutMs: 2000 } }));
    await sleep(WINDOW_MS + 2_000);
    const res = after.map((e) => ({ fig: measure(e.cluster.engine, t1, t1 + WINDOW_MS), ask: e.cluster.askStats() }));

    const row = (name: string, f: Figures, ask?: AskStats) =>
      console.log(
        `${name.padEnd(14)} reserved ${fmtH(f.reservedCoreHours).padStart(7)} core-h   p95 queue wait ${fmtS(f.p95WaitMs).padStart(8)}   builds ${String(f.builds).padStart(4)}   OOM-killed ${f.oomKilled}` +
          (ask ? `   asked ${ask.asked}, answered ${ask.answered}, fallback ${JSON.stringify(ask.fallback)}` : ''),
      );
    console.log(`\nover the first ${WINDOW_MS / 60_000} min of each run:`);
    row('before', before);
    row('after (shipped)', res[0]!.fig, res[0]!.ask);
    row('after (every)', res[1]!.fig, res[1]!.ask);
    console.log('\nlabels the builds ran on (before → after shipped → after every job):');
    for (const j of base.jobs) {
      const l = (f: Figures) => JSON.stringify(f.labels[j.name] ?? {});
      console.log(`   ${j.name.padEnd(20)} ${l(before)} → ${l(res[0]!.fig)} → ${l(res[1]!.fig)}`);
    }
    const shipped = res[0]!.fig;
    const pct = (a: number, b: number) => (a === 0 ? 'n/a' : `${(((b - a) / a) * 100).toFixed(1)} %`);
    console.log(`\nas shipped: reserved ${fmtH(before.reservedCoreHours)} → ${fmtH(shipped.reservedCoreHours)} core-h (${pct(before.reservedCoreHours, shipped.reservedCoreHours)}), p95 queue wait ${fmtS(before.p95WaitMs)} → ${fmtS(shipped.p95WaitMs)} (${pct(before.p95WaitMs, shipped.p95WaitMs)})`);
    console.log(`every job:  reserved ${fmtH(before.reservedCoreHours)} → ${fmtH(res[1]!.fig.reservedCoreHours)} core-h (${pct(before.reservedCoreHours, res[1]!.fig.reservedCoreHours)}), p95 queue wait ${fmtS(before.p95WaitMs)} → ${fmtS(res[1]!.fig.p95WaitMs)} (${pct(before.p95WaitMs, res[1]!.fig.p95WaitMs)})`);
    console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    const pass = shipped.reservedCoreHours < before.reservedCoreHours && shipped.p95WaitMs < before.p95WaitMs;
    console.log(pass ? 'PASS: reserved core-hours and p95 queue wait both fall' : 'FAIL: reserved core-hours or p95 queue wait did not fall');
    process.exitCode = pass ? 0 : 1;
  } finally {
    for (const e of after) await e.stop();
    await em?.stop();
    await stop(collect);
    await stop(serve);
    await cleanUpBench(client, prefix, dir);
  }
}

await main();
