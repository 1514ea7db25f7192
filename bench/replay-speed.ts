/**
 * Goal check (b) of issue 5: replay of 100,000 builds in ≤ 10 s.
 * Generates 1000 jobs × 100 builds (seeded), then times the walk-forward replay of each policy
 * alone and of all six together (with 1000 bootstrap resamples), printing seconds.
 *
 * Run: npx tsx bench/replay-speed.ts [jobs] [buildsPerJob]
 */
import { cpus, loadavg } from 'node:os';
import {
  clairvoyantPolicy,
  generateTrace,
  krrPolicy,
  midpointMs,
  oursPolicy,
  runReplay,
  staticOraclePolicy,
  statusQuoPolicy,
  toBuildRecord,
  vpaPolicy,
} from '../src/analysis/index.js';

const jobs = Number(process.argv[2] ?? 1000);
const perJob = Number(process.argv[3] ?? 100);
let t = performance.now();
const docs = generateTrace({ jobs, buildsPerJob: perJob, seed: 1 });
const records = docs.map((d) => toBuildRecord(d));
console.log(`generated ${records.length} builds in ${((performance.now() - t) / 1000).toFixed(2)} s`);
const mid = midpointMs(records);
const all = () => [statusQuoPolicy(), krrPolicy(), vpaPolicy(), oursPolicy(), clairvoyantPolicy(), staticOraclePolicy(records, mid)];

console.log(`machine: ${cpus().length} CPU(s), load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} (timings scale with contention)`);
let oursSeconds = 0;
for (const p of all()) {
  t = performance.now();
  runReplay(records, [p], { evalFromMs: mid, resamples: 0 });
  const s = (performance.now() - t) / 1000;
  if (p.name === 'ours') oursSeconds = s;
  console.log(`  ${p.name.padEnd(14)} ${s.toFixed(2)} s`);
}
t = performance.now();
runReplay(records, all(), { evalFromMs: mid, resamples: 1000 });
const s = (performance.now() - t) / 1000;
console.log(`all six policies + 1000 bootstrap resamples: ${s.toFixed(2)} s`);
console.log(`${oursSeconds <= 10 ? 'PASS' : 'FAIL'}  replay of ${records.length} builds with our policy ≤ 10 s: ${oursSeconds.toFixed(2)} s`);
console.log(`${s <= 10 ? 'PASS' : 'FAIL'}  replay of ${records.length} builds with all six policies + bootstrap ≤ 10 s: ${s.toFixed(2)} s`);
console.log(`load average after: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
