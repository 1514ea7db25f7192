/**
 * Goal check of issue 10: one evaluation round of 50 rules (10 grouped by label over 200 labels)
 * over a 30-day store of demo-like documents in the local Elasticsearch takes ≤ 1 s.
 *
 * Indexes (not timed) into a fresh prefix: 30 days of leader `mesos.master` documents every 30 s
 * (86,400), `jenkins.queue` every 30 s (86,400), `jenkins.queue.label` for 200 labels every 15 min
 * (576,000) and 20 jobs × 48 builds a day (28,800 builds documents). Then runs the real
 * AlertEngine round (lease, silences, one aggregation search per rule, state writes, events) with
 * the clock at the end of the span, ROUNDS times, and prints the time per round (min, median,
 * max) and PASS/FAIL against 1 s. Deletes the prefix at the end, also on failure.
 *
 * Run: RIGHTSIZE_TEST_ES_URL=http://127.0.0.1:9440 npx tsx bench/alerts-eval.ts [--rounds 10] [--keep]
 */
import { loadavg } from 'node:os';
import { compileRules, type AlertRule, type RuleSpec } from '../src/alerts/index.js';
import { AlertEngine, AlertStore, capacityEs, observeAllEs, observeEs } from '../src/alerts/service/index.js';
import { createEsClient, deleteTemplates, indexName, installTemplates } from '../src/store/index.js';
import { ManualClock, silentLogger } from '../src/util/index.js';
import { testEsUrl } from '../test/support/env.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}
const ROUNDS = Number(arg('--rounds', '10'));
const DAYS = 30;
const LABELS = 200;
const END = Date.parse('2026-11-30T00:00:00Z');
const START = END - DAYS * 86_400_000;
const prefix = `bench-alerts-${Date.now().toString(36)}`;
const client = createEsClient({ url: testEsUrl(), requestTimeoutMs: 120_000 });

function* documents(): Generator<[string, Record<string, unknown>]> {
  let seed = 42;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let t = START; t < END; t += 30_000) {
    const day = ((t - START) / 3_600_000) % 24;
    const load = 0.5 + 0.45 * Math.sin((day / 24) * 2 * Math.PI) * rnd();
    const iso = new Date(t).toISOString();
    yield [indexName(prefix, 'cluster', t), { '@timestamp': iso, event: { dataset: 'mesos.master' }, mesos: { master: { url: 'http://m:5050', elected: true }, cpus: { total: 64, used: 64 * load, percent: load }, mem: { total_bytes: 2 ** 38, used_bytes: 2 ** 38 * load * 0.8, percent: load * 0.8 }, agents: { active: 8, inactive: rnd() < 0.01 ? 1 : 0 } } }];
    yield [indexName(prefix, 'queue', t), { '@timestamp': iso, event: { dataset: 'jenkins.queue' }, queue: { length: Math.floor(rnd() * 10), oldest_wait_ms: Math.floor(rnd() * 900_000) } }];
    if ((t - START) % 900_000 === 0) {
      for (let l = 0; l < LABELS; l++) {
        yield [indexName(prefix, 'queue', t), { '@timestamp': iso, event: { dataset: 'jenkins.queue.label' }, jenkins: { label: `label-${l}` }, queue: { length: Math.floor(rnd() * 5), wait_ms: { p95: Math.floor(rnd() * 1_200_000), max: Math.floor(rnd() * 1_500_000) } } }];
      }
    }
    if ((t - START) % 1_800_000 === 0) {
      for (let j = 0; j < 20; j++) {
        yield [indexName(prefix, 'builds', t), { '@timestamp': iso, jenkins: { job: { name: `job-${j}` }, build: { number: Math.floor((t - START) / 1_800_000) }, label: `label-${j % LABELS}` }, build: { start: t - 600_000, end: t, duration_ms: 600_000 }, outcome: { oom_killed: rnd() < 0.02 }, waste: { cpu_core_seconds: rnd() * 1200 } }];
      }
    }
  }
}

function rules(): RuleSpec[] {
  const out: RuleSpec[] = [];
  const aggs = ['avg', 'max', 'min', 'sum', 'count', 'p95'] as const;
  for (let i = 0; i < 10; i++) {
    out.push({ id: `label-${i}`, kind: 'threshold', dataset: 'jenkins.queue.label', field: i % 2 === 0 ? 'queue.wait_ms.p95' : 'queue.wait_ms.max', aggregation: aggs[i % aggs.length], threshold: 600_000 + i * 10_000, window: `${15 + i * 5}m`, groupBy: 'jenkins.label', for: '5m' });
  }
  const fields = ['mesos.cpus.percent', 'mesos.mem.percent', 'mesos.agents.inactive', 'mesos.cpus.used'];
  for (let i = 0; i < 28; i++) {
    out.push({ id: `master-${i}`, kind: 'threshold', dataset: 'mesos.master', filter: { 'mesos.master.elected': true }, field: fields[i % fields.length], aggregation: aggs[i % aggs.length], threshold: 0.5 + (i % 5) * 0.1, window: `${2 + i}m`, for: '10m', ...(i % 7 === 0 ? { explain: 'cpu' as const } : {}) });
  }
  for (let i = 0; i < 6; i++) out.push({ id: `nodata-${i}`, kind: 'nodata', dataset: i % 2 === 0 ? 'mesos.master' : 'jenkins.queue', after: `${5 + i}m` });
  for (let i = 0; i < 3; i++) out.push({ id: `oom-${i}`, kind: 'job-oom', window: `${1 + i}d` });
  for (let i = 0; i < 3; i++) out.push({ id: `waste-${i}`, kind: 'job-waste', threshold: 5 + i * 5, window: '7d' });
  return out;
}

async function main(): Promise<void> {
  await installTemplates(client, { prefix, shards: 1, replicas: 0 });
  const t0 = Date.now();
  let batch: unknown[] = [];
  let n = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const res = await client.bulk({ operations: batch });
    if (res.errors) throw new Error('bulk errors while loading');
    batch = [];
  };
  for (const [index, doc] of documents()) {
    batch.push({ create: { _index: index } }, doc);
    n += 1;
    if (batch.length >= 20_000) await flush();
  }
  await flush();
  await client.indices.refresh({ index: `${prefix}-*` });
  await client.indices.forcemerge({ index: `${prefix}-*`, max_num_segments: 1 }).catch(() => undefined);
  console.log(`loaded ${n} documents over ${DAYS} days in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const compiled = compileRules(rules(), { intervalMs: 60_000, receivers: [] });
  const clock = new ManualClock(END);
  const engine = new AlertEngine({
    store: new AlertStore(client, prefix),
    rules: compiled,
    observe: (rule, nowMs, signal) => observeEs(client, prefix, rule, nowMs, 500, signal),
    ...(process.argv.includes('--no-msearch') ? {} : { observeAll: (rs: readonly AlertRule[], nowMs: number, signal: AbortSignal) => observeAllEs(client, prefix, rs, nowMs, 500, signal) }),
    capacity: (resource, nowMs, signal) => capacityEs(client, prefix, resource, nowMs, 120_000, 10_000, signal),
    flapping: { maxChanges: 4, windowMs: 3_600_000, stableForMs: 1_800_000 },
    maxAgeMs: 86_400_000,
    leaseTtlMs: 90_000,
    owner: 'bench',
    clock,
    logger: silentLogger(),
  });
  engine.attach({ enqueue: () => 'queued', receivers: () => [] });
  const signal = new AbortController().signal;
  const times: number[] = [];
  for (let r = 0; r < ROUNDS + 1; r++) {
    clock.set(END - 60_000 * (ROUNDS - r));
    const s = process.hrtime.bigint();
    await engine.round(compiled, signal);
    const ms = Number(process.hrtime.bigint() - s) / 1e6;
    if (r > 0) times.push(ms); // the first round also loads the (empty) state and creates the lease
    else console.log(`first round (lease created, state loaded): ${ms.toFixed(0)} ms`);
  }
  await engine.flush();
  // The queries alone (all 50 searches in parallel, as a round runs them), at the end of the span.
  const qTimes: number[] = [];
  for (let r = 0; r < 5; r++) {
    const s = process.hrtime.bigint();
    await Promise.all(compiled.map((rule) => observeEs(client, prefix, rule, END, 500, signal)));
    qTimes.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  const mTimes: number[] = [];
  for (let r = 0; r < 5; r++) {
    const s = process.hrtime.bigint();
    await observeAllEs(client, prefix, compiled, END, 500, signal);
    mTimes.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  console.log(`per round: ${times.map((t) => t.toFixed(0)).join(', ')} ms; the 50 searches alone, in parallel: ${qTimes.map((t) => t.toFixed(0)).join(', ')} ms, as one _msearch: ${mTimes.map((t) => t.toFixed(0)).join(', ')} ms`);
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  const alerts = engine.states();
  console.log(`rules: ${compiled.length} (10 grouped by jenkins.label over ${LABELS} labels); alerts with state: ${alerts.length}, firing: ${alerts.filter((a) => a.status === 'firing').length}`);
  console.log(`round time over ${times.length} rounds: min ${sorted[0]?.toFixed(0)} ms, median ${median.toFixed(0)} ms, max ${sorted[sorted.length - 1]?.toFixed(0)} ms; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`goal ≤ 1000 ms per round: ${median <= 1000 ? 'PASS' : 'FAIL'} (median)`);
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(async () => {
    if (!process.argv.includes('--keep')) {
      await client.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true }).catch(() => undefined);
      await deleteTemplates(client, prefix).catch(() => undefined);
    }
    await client.close();
  });
