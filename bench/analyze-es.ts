/**
 * Goal check (c) of issue 5: `rightsize analyze` over 13,000 jobs and 90,000 builds indexed in the
 * local Elasticsearch in ≤ 30 s, with Node's peak RSS ≤ 512 MB.
 *
 * Generates a seeded trace (13,000 jobs × 7 builds over 28 days, minus the newest build of the
 * first 1,000 jobs = 90,000 builds), bulk-indexes it into a fresh prefix (not timed), then runs
 * `node bin/rightsize.js analyze` as a child process under `/usr/bin/time -v` twice: a first run
 * (no previous recommendations: writes 13,000 latest + 13,000 history documents) and a second
 * (reads them back for hysteresis; nothing changed, only history is added). Prints wall time and
 * "Maximum resident set size" of each, PASS/FAIL against the goals, and the load average.
 * Cleans up the prefix (indices and templates) at the end, also on failure.
 *
 * Needs the build output: `npx tsc -p tsconfig.build.json` (the bench runs it unless --no-build).
 * Run: npx tsx bench/analyze-es.ts [--jobs 13000] [--builds 90000] [--no-build] [--page-size 500]
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTrace } from '../src/analysis/index.js';
import type { BuildDoc } from '../src/model/index.js';
import { createEsClient, idFor, indexFor, installTemplates } from '../src/store/index.js';
import { cleanUpBench } from './cleanup.js';
import { REPO_ROOT, testEsUrl } from '../test/support/env.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}
const JOBS = Number(arg('--jobs', '13000'));
const BUILDS = Number(arg('--builds', '90000'));
const PAGE_SIZE = arg('--page-size', '500');
const GOAL_S = 30;
const GOAL_MB = 512;
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

const url = testEsUrl();
const prefix = `rs-bench-analyze-${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'rs-bench-analyze-'));
const client = createEsClient({ url, requestTimeoutMs: 120_000 });

/** Generates exactly `builds` builds over `jobs` jobs (seeded): ⌈builds/jobs⌉ per job, the surplus newest builds dropped from the first jobs. */
function trace(): BuildDoc[] {
  const perJob = Math.ceil(BUILDS / JOBS);
  const docs = generateTrace({ jobs: JOBS, buildsPerJob: perJob, seed: 5, days: 28 });
  let surplus = docs.length - BUILDS;
  // generateTrace emits each job's builds together, oldest first: drop the last one of the first `surplus` jobs.
  const out: BuildDoc[] = [];
  for (let i = 0; i < docs.length; i++) {
    const d = docs[i]!;
    const next = docs[i + 1];
    const lastOfJob = next === undefined || next.jenkins.job.name !== d.jenkins.job.name;
    if (lastOfJob && surplus > 0) {
      surplus--;
      continue;
    }
    out.push(d);
  }
  return out;
}

async function index(docs: readonly BuildDoc[]): Promise<void> {
  for (let i = 0; i < docs.length; i += 5000) {
    const operations: unknown[] = [];
    for (const doc of docs.slice(i, i + 5000)) {
      const sample = { kind: 'build' as const, doc };
      operations.push({ create: { _index: indexFor(sample, prefix), _id: idFor(sample) } }, doc);
    }
    const r = await client.bulk({ operations });
    if (r.errors) {
      const bad = r.items.find((it) => Object.values(it)[0]?.error !== undefined);
      throw new Error(`bulk indexing failed: ${JSON.stringify(bad)}`);
    }
  }
  await client.indices.refresh({ index: `${prefix}-builds-*` });
}

interface Run {
  readonly seconds: number;
  readonly maxRssMb: number;
  readonly code: number;
  readonly summary: string;
  readonly tableRows: number;
}

/** Runs the built CLI under /usr/bin/time -v; stdout (the table) is counted, not kept. */
function runAnalyze(cfg: string, nowMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(
      '/usr/bin/time',
      ['-v', process.execPath, join(REPO_ROOT, 'bin', 'rightsize.js'), 'analyze', '--config', cfg, '--now', String(nowMs), '--format', 'table', '--page-size', PAGE_SIZE],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RIGHTSIZE_LOG_LEVEL: 'warn' } },
    );
    let rows = 0;
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      for (const c of d) if (c === 10) rows++;
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
      const summary = err.split('\n').find((l) => l.startsWith('analyzed ')) ?? err.split('\n').slice(0, 5).join(' | ');
      resolve({ seconds, maxRssMb: m ? Number(m[1]) / 1024 : NaN, code: code ?? -1, summary, tableRows: Math.max(0, rows - 2) });
    });
  });
}

async function main(): Promise<void> {
  console.log(`machine: ${cpus().length} CPU(s), load average ${load()} (shared machine; timings scale with contention)`);
  if (!process.argv.includes('--no-build')) {
    const b = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('npx tsc -p tsconfig.build.json failed (the bench runs the built CLI in dist/)');
  }
  let t = performance.now();
  const docs = trace();
  const jobs = new Set(docs.map((d) => d.jenkins.job.name)).size;
  const nowMs = Math.max(...docs.map((d) => d.build.end)) + 1;
  console.log(`generated ${docs.length} builds of ${jobs} jobs in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  await installTemplates(client, { prefix, shards: 1, replicas: 0 });
  t = performance.now();
  await index(docs);
  console.log(`indexed into ${prefix}-builds-* in ${((performance.now() - t) / 1000).toFixed(1)} s (not timed for the goal)`);
  const cfg = join(dir, 'rightsize.yaml');
  writeFileSync(cfg, `elasticsearch:\n  url: ${url}\n  indexPrefix: ${prefix}\n  replicas: 0\n  requestTimeoutMs: 120000\n`);

  let pass = true;
  for (const name of ['first run (no previous)', 'second run (previous read back)']) {
    const r = await runAnalyze(cfg, nowMs);
    const ok = r.code === 0 && r.seconds <= GOAL_S && r.maxRssMb <= GOAL_MB;
    pass &&= ok;
    console.log(`${name}: exit ${r.code}; ${r.summary}; ${r.tableRows} table rows`);
    console.log(
      `${ok ? 'PASS' : 'FAIL'}  analyze ${docs.length} builds / ${jobs} jobs: ${r.seconds.toFixed(1)} s (goal ≤ ${GOAL_S} s), peak RSS ${r.maxRssMb.toFixed(0)} MB (goal ≤ ${GOAL_MB} MB); load average ${load()}`,
    );
  }
  await client.indices.refresh({ index: `${prefix}-recommendations*` });
  const hist = await client.count({ index: `${prefix}-recommendations-history-*` });
  const latest = await client.count({ index: `${prefix}-recommendations` });
  console.log(`stored: ${latest.count} latest recommendations, ${hist.count} history documents`);
  console.log(pass ? 'PASS (both runs)' : 'FAIL');
}

try {
  await main();
} finally {
  await cleanUpBench(client, prefix, dir);
}
