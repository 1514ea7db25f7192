/**
 * Goal of issue 11: `rightsize report weekly` over a 13,000-job week from the local Elasticsearch
 * in ≤ 20 s with Node's peak RSS ≤ 512 MB.
 *
 * Generates a seeded trace (13,000 jobs × 6 builds over 21 days: every job builds in the report
 * week and in the week before), bulk-indexes it with hourly Mesos master documents into a fresh
 * prefix, runs `rightsize analyze` once so the recommendations the report reads are stored (not
 * timed), then runs `node bin/rightsize.js report weekly --week <w> --out <dir>` (stores the report
 * in <prefix>-reports, writes HTML, Markdown and CSV) as a child process under `/usr/bin/time -v`
 * twice. Prints wall time and "Maximum resident set size" of each, PASS/FAIL against the goals,
 * and the load average. Cleans up the prefix at the end, also on failure.
 *
 * Needs the build output (the bench runs `tsc -p tsconfig.build.json` unless --no-build).
 * Run: npx tsx bench/report-weekly.ts [--jobs 13000] [--builds-per-job 6] [--no-build]
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTrace } from '../src/analysis/index.js';
import type { ClusterDoc, Sample } from '../src/model/index.js';
import { asOfMs, isoWeekOf, previousWeek, weekLabel, weekRange } from '../src/reports/weekly/index.js';
import { createEsClient, idFor, indexFor, installTemplates } from '../src/store/index.js';
import { cleanUpBench } from './cleanup.js';
import { REPO_ROOT, testEsUrl } from '../test/support/env.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}
const JOBS = Number(arg('--jobs', '13000'));
const PER_JOB = Number(arg('--builds-per-job', '6'));
const GOAL_S = 20;
const GOAL_MB = 512;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

const url = testEsUrl();
const prefix = `rs-bench-report-${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'rs-bench-report-'));
const client = createEsClient({ url, requestTimeoutMs: 120_000 });

async function index(samples: readonly Sample[]): Promise<void> {
  for (let i = 0; i < samples.length; i += 5000) {
    const operations: unknown[] = [];
    for (const s of samples.slice(i, i + 5000)) operations.push({ create: { _index: indexFor(s, prefix), _id: idFor(s) } }, s.doc);
    const r = await client.bulk({ operations });
    if (r.errors) throw new Error(`bulk indexing failed: ${JSON.stringify(r.items.find((it) => Object.values(it)[0]?.error !== undefined))}`);
  }
  await client.indices.refresh({ index: `${prefix}-*` });
}

interface Run {
  readonly seconds: number;
  readonly maxRssMb: number;
  readonly code: number;
  readonly err: string;
}

function timed(args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-v', process.execPath, join(REPO_ROOT, 'bin', 'rightsize.js'), ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, RIGHTSIZE_LOG_LEVEL: 'warn' },
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
      resolve({ seconds: (performance.now() - t0) / 1000, maxRssMb: m ? Number(m[1]) / 1024 : NaN, code: code ?? -1, err });
    });
  });
}

async function main(): Promise<void> {
  console.log(`machine: ${cpus().length} CPU(s), load average ${load()} (shared machine; timings scale with contention)`);
  if (!process.argv.includes('--no-build')) {
    const b = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('npx tsc -p tsconfig.build.json failed (the bench runs the built CLI in dist/)');
  }
  // 21 days ending on a Monday 00:00 UTC: the last two ISO weeks are complete.
  const endMs = Date.parse('2026-11-23T00:00:00Z');
  const docs = generateTrace({ jobs: JOBS, buildsPerJob: PER_JOB, seed: 17, days: 21, startMs: endMs - 21 * DAY }).filter((d) => d.build.end < endMs);
  const week = previousWeek(isoWeekOf(endMs, 'UTC'));
  const range = weekRange(week, 'UTC');
  const inWeek = docs.filter((d) => d.build.end >= range.startMs && d.build.end < range.endMs);
  const jobsInWeek = new Set(inWeek.map((d) => d.jenkins.job.name)).size;
  const masters: ClusterDoc[] = [];
  for (let t = endMs - 28 * DAY; t < endMs; t += HOUR)
    masters.push({ '@timestamp': new Date(t).toISOString(), event: { dataset: 'mesos.master' }, mesos: { master: { url: 'http://m:5050', elected: true }, cpus: { total: 4000, used: 2500 + ((t / HOUR) % 24) * 20 }, mem: { total_bytes: 16e12, used_bytes: 9e12 } } });
  console.log(`generated ${docs.length} builds of ${JOBS} jobs; week ${weekLabel(week)}: ${inWeek.length} builds of ${jobsInWeek} jobs`);
  await installTemplates(client, { prefix, shards: 1, replicas: 0 });
  let t = performance.now();
  await index([...docs.map((doc) => ({ kind: 'build' as const, doc })), ...masters.map((doc) => ({ kind: 'cluster' as const, doc }))]);
  console.log(`indexed into ${prefix}-* in ${((performance.now() - t) / 1000).toFixed(1)} s (not timed)`);
  const cfg = join(dir, 'rightsize.yaml');
  writeFileSync(cfg, `elasticsearch:\n  url: ${url}\n  indexPrefix: ${prefix}\n  replicas: 0\n  requestTimeoutMs: 120000\nanalysis:\n  prices: { perCoreHour: 0.04, perGibHour: 0.005, currency: EUR }\n`);
  t = performance.now();
  const a = await timed(['analyze', '--config', cfg, '--now', String(asOfMs(range.endMs)), '--format', 'csv']);
  if (a.code !== 0) throw new Error(`analyze failed: ${a.err.slice(0, 2000)}`);
  console.log(`analyze (stores the recommendations the report reads): ${((performance.now() - t) / 1000).toFixed(1)} s, not timed`);

  let pass = true;
  for (const name of ['first run', 'second run (replaces the stored report)']) {
    const out = join(dir, `out-${name.length}`);
    const r = await timed(['report', 'weekly', '--config', cfg, '--week', weekLabel(week), '--out', out]);
    const ok = r.code === 0 && r.seconds <= GOAL_S && r.maxRssMb <= GOAL_MB;
    pass &&= ok;
    const summary = r.err.split('\n').filter((l) => l.startsWith('report ') || l.startsWith('stored ')).join('; ');
    const files = r.code === 0 ? readdirSync(out).map((f) => `${f} ${(statSync(join(out, f)).size / 1024).toFixed(0)} KiB`).join(', ') : r.err.slice(0, 2000);
    console.log(`${name}: exit ${r.code}; ${summary}; ${files}`);
    console.log(
      `${ok ? 'PASS' : 'FAIL'}  report weekly, ${jobsInWeek} jobs / ${inWeek.length} builds in the week: ${r.seconds.toFixed(1)} s (goal ≤ ${GOAL_S} s), peak RSS ${r.maxRssMb.toFixed(0)} MB (goal ≤ ${GOAL_MB} MB); load average ${load()}`,
    );
  }
  console.log(pass ? 'PASS (both runs)' : 'FAIL');
}

try {
  await main();
} finally {
  await cleanUpBench(client, prefix, dir);
}
