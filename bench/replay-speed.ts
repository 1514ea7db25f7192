/**
 * Goal check of issue 13 point 6: `rightsize replay` of 1,000,000 builds of 13,000 jobs with all
 * six policies (and 1000 bootstrap resamples) in ≤ 30 s with a peak RSS ≤ 1 GB.
 *
 * Writes a seeded generated trace (13,000 jobs × 77 builds, one job at a time: the generator never
 * holds it) to a temporary NDJSON file, then runs the built CLI (`node bin/rightsize.js replay
 * --trace <file>`) as a child process under `/usr/bin/time -v` and reads its wall time and
 * maximum resident set size (the whole process: V8 heap, typed arrays, buffers).
 * Build the CLI first: `npx tsc -p tsconfig.build.json`.
 *
 * Run: npx tsx bench/replay-speed.ts [jobs] [buildsPerJob]
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTraceJobs } from '../src/analysis/index.js';

const jobs = Number(process.argv[2] ?? 13_000);
const perJob = Number(process.argv[3] ?? 77);
const dir = mkdtempSync(join(tmpdir(), 'rightsize-replay-speed-'));
const file = join(dir, 'trace.ndjson');
try {
  let t = performance.now();
  const fd = openSync(file, 'w');
  let builds = 0;
  let chunk = '';
  for (const job of generateTraceJobs({ jobs, buildsPerJob: perJob, seed: 1 })) {
    for (const d of job) chunk += JSON.stringify(d) + '\n';
    builds += job.length;
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
  console.log(`wrote ${builds} builds of ${jobs} jobs (${(statSync(file).size / 1e6).toFixed(0)} MB NDJSON) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  console.log(`machine: ${cpus().length} CPU(s), load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} (timings scale with contention)`);

  t = performance.now();
  const run = spawnSync('/usr/bin/time', ['-v', process.execPath, 'bin/rightsize.js', 'replay', '--trace', file, '--format', 'json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const wallS = (performance.now() - t) / 1000;
  if (run.status !== 0) {
    console.error(run.stderr);
    throw new Error(`replay exited ${run.status}`);
  }
  const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1] ?? NaN);
  const userS = Number(/User time \(seconds\): ([\d.]+)/.exec(run.stderr)?.[1] ?? NaN);
  const sysS = Number(/System time \(seconds\): ([\d.]+)/.exec(run.stderr)?.[1] ?? NaN);
  const out = JSON.parse(run.stdout) as { policies: Array<{ policy: string; builds: number }> };
  const rssMb = rssKb / 1024;
  console.log(`replay: ${out.policies.map((p) => p.policy).join(', ')}; ${out.policies[0]?.builds} evaluated builds`);
  console.log(`wall ${wallS.toFixed(1)} s (user ${userS.toFixed(1)} s, sys ${sysS.toFixed(1)} s), peak RSS ${rssMb.toFixed(0)} MiB`);
  console.log(`${wallS <= 30 ? 'PASS' : 'FAIL'}  replay of ${builds} builds with all policies ≤ 30 s: ${wallS.toFixed(1)} s`);
  console.log(`${rssMb <= 1024 ? 'PASS' : 'FAIL'}  peak RSS ≤ 1 GB: ${rssMb.toFixed(0)} MiB`);
  console.log(`load average after: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
