/**
 * Issue 13: how the replay judges our policy, on three traces:
 *   1. the bundled generated trace (300 jobs × 120 builds, seed 42; evaluation half — the defaults
 *      were tuned on its first half),
 *   2. the Bitbrains "Rnd" VM trace at ../shared/real-traces/bitbrains-rnd/ (real data, not part of
 *      the project; read from there, never copied — skipped with one line when ../shared is absent),
 *   3. a generated trace with another seed (7) AND archetype mix (bursty, OOM-prone and step-change
 *      heavy) than the tuning one.
 * For each: the whole-cost table, the frontier check (some ours@margin=<v> has no higher UPR at
 * no higher cost than KRR-like / VPA-like, per resource) and the risk goals of the default
 * (memory UPR ≤ 0.5 %, CPU UPR ≤ 2 %, churn ≤ 2 per 100 builds), PASS/FAIL each.
 * With --svg (default on the bundled trace) it writes docs/img/frontier-{cpu,memory}.svg.
 *
 * Run: npx tsx bench/replay-policies.ts [--no-svg]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import {
  DEFAULT_SWEEP_MARGINS,
  clairvoyantPolicy,
  formatFrontier,
  frontierCheck,
  frontierPoint,
  frontierSvg,
  generateTrace,
  hindsightQuantilePolicy,
  krrPolicy,
  midpointMs,
  oursPolicy,
  replayTable,
  riskGoals,
  runReplay,
  staticOraclePolicy,
  statusQuoPolicy,
  sweepPolicies,
  toBuildRecord,
  TraceReader,
  vpaPolicy,
  wholeCostTable,
  type BuildRecord,
  type PlotSeries,
  type Resource,
} from '../src/analysis/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const writeSvg = !process.argv.includes('--no-svg');

const HIND_Q = [0.8, 0.9, 0.95, 0.98, 1];

function judge(name: string, records: readonly BuildRecord[], svg: boolean): void {
  const mid = midpointMs(records);
  const policies = [
    statusQuoPolicy(),
    krrPolicy(),
    vpaPolicy(),
    oursPolicy(),
    clairvoyantPolicy(),
    staticOraclePolicy(),
    ...sweepPolicies(DEFAULT_SWEEP_MARGINS),
    ...(svg ? HIND_Q.map((q) => hindsightQuantilePolicy(q)) : []),
  ];
  const t0 = performance.now();
  const res = runReplay(records, policies, { evalFromMs: mid, resamples: 200, seed: 1 });
  const s = (performance.now() - t0) / 1000;
  console.log(`\n######## ${name}: ${records.length} builds, evaluation half ${res.policies[0]!.builds} builds (${new Date(mid).toISOString()} …); ${policies.length} policies in ${s.toFixed(1)} s`);
  const shown = res.policies.filter((p) => !p.policy.startsWith('hindsight_'));
  console.log('== whole cost of a wrong size ==');
  process.stdout.write(wholeCostTable(shown));
  console.log('== ratios (bootstrap 95% CIs over jobs, 200 resamples) ==');
  process.stdout.write(replayTable(shown));
  console.log('== frontier check ==');
  process.stdout.write(formatFrontier(frontierCheck(res.policies)));
  console.log('== risk goals of the default (ours) ==');
  const ours = res.policies.find((p) => p.policy === 'ours')!;
  for (const g of riskGoals(ours))
    console.log(`${g.pass ? 'PASS' : 'FAIL'}  ${g.goal} ≤ ${g.goal === 'churn per 100 builds' ? g.limit : `${(g.limit * 100).toFixed(1)}%`}: ${g.goal === 'churn per 100 builds' ? g.value.toFixed(2) : `${(g.value * 100).toFixed(2)}%`}`);
  if (!svg) return;
  for (const r of ['cpu', 'memory'] as const satisfies readonly Resource[]) {
    const pick = (f: (n: string) => boolean) => res.policies.filter((p) => f(p.policy)).map((p) => frontierPoint(p, r));
    const series: PlotSeries[] = [
      { name: 'ours@margin (sweep)', line: true, color: '#1f77b4', points: pick((n) => n.startsWith('ours@margin=')) },
      { name: 'clairvoyant per-job quantile', line: true, dashed: true, color: '#999', points: pick((n) => n.startsWith('hindsight_')) },
      { name: 'krr', line: false, color: '#d62728', points: pick((n) => n === 'krr') },
      { name: 'vpa', line: false, color: '#ff7f0e', points: pick((n) => n === 'vpa') },
      { name: 'status_quo', line: false, color: '#2ca02c', points: pick((n) => n === 'status_quo') },
      { name: 'oracle_build', line: false, color: '#9467bd', points: pick((n) => n === 'oracle_build') },
      { name: 'oracle_static', line: false, color: '#8c564b', points: pick((n) => n === 'oracle_static') },
    ];
    const out = join(here, '..', 'docs', 'img', `frontier-${r}.svg`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, frontierSvg(`${r === 'cpu' ? 'CPU' : 'Memory'}: cost vs under-provisioning, ${name}`, series));
    console.log(`wrote ${out}`);
  }
}

judge('bundled trace (seed 42, uniform archetypes)', generateTrace({ jobs: 300, buildsPerJob: 120, seed: 42 }).map((d) => toBuildRecord(d)), writeSvg);

const bitbrains = join(here, '..', '..', 'shared', 'real-traces', 'bitbrains-rnd', 'builds.ndjson.gz');
if (!existsSync(bitbrains)) console.log(`\nskipped the Bitbrains trace: ${bitbrains} is absent (../shared is not beside this checkout)`);
else {
  const reader = new TraceReader();
  const records: BuildRecord[] = [];
  for (const line of gunzipSync(readFileSync(bitbrains)).toString('utf8').split('\n')) {
    const b = reader.line(line);
    if (b !== undefined) records.push(b);
  }
  judge(`Bitbrains Rnd (real; ${reader.refused} lines refused)`, records, false);
}

const mix = { steady: 1, bursty: 3, bimodal: 1, step_change: 2, slow_growth: 1, oom_prone: 2, rare_heavy: 1 };
judge(
  `generated, seed 7, mix ${Object.entries(mix).map(([k, v]) => `${k} ${v}`).join(', ')}`,
  generateTrace({ jobs: 300, buildsPerJob: 120, seed: 7, archetypeWeights: mix }).map((d) => toBuildRecord(d)),
  false,
);
