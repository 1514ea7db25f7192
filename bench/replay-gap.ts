/**
 * Why does our policy reserve more CPU than a baseline? Per job and per mechanism of the
 * recommender, in core-hours over the replay's evaluation half (issue 13, docs/recommender.md §7a).
 *
 * The replay runs `ours` and the baseline (default `krr`), and beside them an instrumented copy of
 * `ours` that, at every allocation, calls `recommendCore` on the same builds, request and previous
 * allocation with the mechanisms switched on one at a time (a telescoping chain, so the columns
 * add up to ours − baseline exactly):
 *   estimator  Q: the weighted p95 of per-build p95s (change-point rule included), no censoring,
 *              no headroom, no floor, a fine ladder (1e-4 core) — minus the baseline's allocation;
 *   headroom   × (1 + headroom) × margin;
 *   starved    the CPU-censoring rules: a starved build among the newest `cpuCensorLookbackBuilds`
 *              gives the probe max(p95, request × cpuCensorFactor) × margin and never below the
 *              request (before issue 13's second round the probe also entered the signal, so it got
 *              the headroom too and stayed in the percentile for the whole window);
 *   floor, ladder, evidence (bigger decreases need more builds),
 *   deadband   small increases held, hysteresis (small decreases held), step (decrease ≤ 50 %).
 * The instrumented copy must give exactly ours' allocations; the script checks that first.
 * With --ablate it also replays variants of the policy (one mechanism changed, the whole state
 * path replayed) with their margin sweeps, and prints cost, UPR, churn and the frontier verdicts.
 *
 * Run: npx tsx bench/replay-gap.ts [--trace f.ndjson[.gz]] [--baseline krr|vpa] [--top 15] [--ablate]
 *      [--check-allocations f.ndjson]   (the CLI's `replay --allocations` file of the same trace)
 * Default trace: ../shared/real-traces/bitbrains-rnd/builds.ndjson.gz (read in place, never copied).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import {
  DEFAULT_POLICY,
  DEFAULT_SWEEP_MARGINS,
  formatFrontier,
  frontierCheck,
  isCpuCensored,
  krrPolicy,
  midpointMs,
  oursPolicy,
  recommendCore,
  runReplay,
  statusQuoPolicy,
  sweepPolicies,
  TraceReader,
  vpaPolicy,
  withPolicy,
  type BuildRecord,
  type PolicyMetrics,
  type RecommenderPolicy,
  type ReplayPolicy,
} from '../src/analysis/index.js';
import { DAY_MS, HOUR_MS } from '../src/util/units.js';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const tracePath = arg('--trace') ?? join(here, '..', '..', 'shared', 'real-traces', 'bitbrains-rnd', 'builds.ndjson.gz');
const baselineName = arg('--baseline') ?? 'krr';
const top = Number(arg('--top') ?? 15);

const STAGES = ['estimator', 'headroom', 'starved', 'floor', 'ladder', 'evidence', 'deadband', 'hysteresis', 'step'] as const;
type Stage = (typeof STAGES)[number];

/** The policy chain: stage k switches on the first k+1 mechanisms of `base`. */
function chain(base: RecommenderPolicy): Array<{ stage: Stage; policy: RecommenderPolicy; current: boolean; previous: boolean }> {
  const off = withPolicy(
    {
      throttledRatioCensor: Infinity,
      cpuP95NearLimit: Infinity,
      cpuCensorLookbackBuilds: 0,
      bigDecreaseFraction: 1,
      increaseDeadband: 0,
      hysteresisFraction: 0,
      maxDecreaseStepFraction: 1,
      margin: 1,
      cpu: { headroom: 0, floor: 0, ladder: [{ below: Infinity, step: 1e-4 }] },
    },
    base,
  );
  const out: Array<{ stage: Stage; policy: RecommenderPolicy; current: boolean; previous: boolean }> = [];
  let p = off;
  const add = (stage: Stage, patch: Parameters<typeof withPolicy>[0], current: boolean, previous: boolean): void => {
    p = withPolicy(patch, p);
    out.push({ stage, policy: p, current, previous });
  };
  add('estimator', {}, false, false);
  add('headroom', { margin: base.margin, cpu: { headroom: base.cpu.headroom, headroomAbsolute: base.cpu.headroomAbsolute } }, false, false);
  add('starved', { throttledRatioCensor: base.throttledRatioCensor, cpuP95NearLimit: base.cpuP95NearLimit, cpuCensorLookbackBuilds: base.cpuCensorLookbackBuilds }, true, false);
  add('floor', { cpu: { floor: base.cpu.floor } }, true, false);
  add('ladder', { cpu: { ladder: base.cpu.ladder } }, true, false);
  add('evidence', { bigDecreaseFraction: base.bigDecreaseFraction }, true, false);
  add('deadband', { increaseDeadband: base.increaseDeadband }, true, true);
  add('hysteresis', { hysteresisFraction: base.hysteresisFraction }, true, true);
  add('step', { maxDecreaseStepFraction: base.maxDecreaseStepFraction }, true, true);
  return out;
}

interface Instrumented {
  builds: BuildRecord[];
  last?: number;
  lastMem?: number;
  dirty: boolean;
}

/** Per evaluated build (job#number): the CPU value after each stage, undefined = no recommendation (cold start). */
const stageValues = new Map<string, Array<number | undefined>>();

/** `ours` with the chain evaluated at every allocation (the same windowing as oursPolicy). */
function instrumented(base: RecommenderPolicy): ReplayPolicy<Instrumented> {
  const stages = chain(base);
  const windowMs = base.windowDays * DAY_MS;
  return {
    name: 'ours_instrumented',
    init: () => ({ builds: [], dirty: false }),
    observe: (st, b) => {
      if (b.result === 'ABORTED' || b.result === 'NOT_BUILT') return;
      st.builds.push(b);
      st.dirty = true;
    },
    allocate: (st, b) => {
      const id = `${b.key}#${b.number}`;
      if (!st.dirty) {
        const prev = stageValues.get(`${b.key}#prev`);
        if (prev) stageValues.set(id, prev);
        return st.last !== undefined ? { cpuCores: st.last, ...(st.lastMem !== undefined ? { memoryBytes: st.lastMem } : {}) } : {};
      }
      const newestFirst: BuildRecord[] = [];
      for (let i = st.builds.length - 1; i >= 0 && newestFirst.length < base.maxBuilds; i--) {
        const x = st.builds[i]!;
        if (x.endMs < b.startMs - windowMs) break;
        newestFirst.push(x);
      }
      const current = {
        ...(b.requestCpuCores !== undefined ? { cpu_cores: b.requestCpuCores } : {}),
        ...(b.requestMemoryBytes !== undefined ? { memory_bytes: b.requestMemoryBytes } : {}),
      };
      const values = stages.map((s) => {
        const prev = s.previous && st.last !== undefined ? { cpu_cores: st.last } : undefined;
        return recommendCore(newestFirst, s.current ? current : {}, prev, s.policy).cpu?.value;
      });
      const full = recommendCore(newestFirst, current, st.last !== undefined || st.lastMem !== undefined ? { ...(st.last !== undefined ? { cpu_cores: st.last } : {}), ...(st.lastMem !== undefined ? { memory_bytes: st.lastMem } : {}) } : undefined, base);
      st.dirty = false;
      if (full.cpu !== undefined || full.memory !== undefined) {
        st.last = full.cpu?.value;
        st.lastMem = full.memory?.value;
      }
      stageValues.set(id, values);
      stageValues.set(`${b.key}#prev`, values);
      return { ...(full.cpu ? { cpuCores: full.cpu.value } : {}), ...(full.memory ? { memoryBytes: full.memory.value } : {}) };
    },
  };
}

function loadTrace(path: string): BuildRecord[] {
  const raw = readFileSync(path);
  const text = (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  const reader = new TraceReader();
  const out: BuildRecord[] = [];
  for (const line of text.split('\n')) {
    const b = reader.line(line);
    if (b !== undefined) out.push(b);
  }
  console.log(`${path}: ${out.length} builds, ${reader.refused} lines refused`);
  return out;
}

const fmt = (v: number, d = 0): string => v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const pad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

const records = loadTrace(tracePath);
const evalFromMs = midpointMs(records);
const baseline = baselineName === 'vpa' ? vpaPolicy() : krrPolicy();

interface Row {
  job: string;
  build: BuildRecord;
  ours: number;
  base: number;
  check: number;
}
const rows = new Map<string, Row>();
const t0 = performance.now();
runReplay(records, [statusQuoPolicy(), baseline, oursPolicy(), instrumented(DEFAULT_POLICY)], {
  evalFromMs,
  resamples: 0,
  onAllocation: (policy, b, cpu) => {
    const id = `${b.key}#${b.number}`;
    const r = rows.get(id) ?? { job: b.key, build: b, ours: NaN, base: NaN, check: NaN };
    if (policy === 'ours') r.ours = cpu;
    else if (policy === baselineName) r.base = cpu;
    else if (policy === 'ours_instrumented') r.check = cpu;
    rows.set(id, r);
  },
});
console.log(`replay (status quo, ${baselineName}, ours, instrumented ours) in ${((performance.now() - t0) / 1000).toFixed(1)} s; evaluation from ${new Date(evalFromMs).toISOString()}, ${rows.size} builds`);

let mismatches = 0;
for (const r of rows.values()) if (Math.abs(r.ours - r.check) > 1e-9) mismatches++;
if (mismatches > 0) {
  console.log(`the instrumented copy differs from ours on ${mismatches} builds: the attribution would not add up; stopping`);
  process.exit(1);
}

// The CLI's `replay --allocations` file of the same trace, if given, must hold the same values.
const allocFile = arg('--check-allocations');
if (allocFile !== undefined) {
  let seen = 0;
  let differ = 0;
  for (const line of readFileSync(allocFile, 'utf8').split('\n')) {
    if (line === '') continue;
    const a = JSON.parse(line) as { policy: string; job: string; build: number; cpu_cores: number };
    if (a.policy !== 'ours' && a.policy !== baselineName) continue;
    const r = rows.get(`${a.job}#${a.build}`);
    seen++;
    if (r === undefined || Math.abs((a.policy === 'ours' ? r.ours : r.base) - a.cpu_cores) > 1e-9) differ++;
  }
  console.log(`${allocFile}: ${seen} allocations of ours and ${baselineName}, ${differ} differ from this replay`);
}

// Attribution: per build, Δ_stage = value after stage − value before (estimator: Q − baseline), × hours.
type Attr = Record<Stage | 'cold', number>;
const zero = (): Attr => ({ cold: 0, estimator: 0, headroom: 0, starved: 0, floor: 0, ladder: 0, evidence: 0, deadband: 0, hysteresis: 0, step: 0 });
interface JobAttr {
  attr: Attr;
  ours: number;
  base: number;
  sq: number;
  builds: number;
  starvedBuilds: number;
  guardBuilds: number;
  maxRequest: number;
}
const perJob = new Map<string, JobAttr>();
const total = zero();
let oursTotal = 0;
let baseTotal = 0;
let guardBuilds = 0;
let floorBuilds = 0;
/** Core-h of ours above both the status quo and the baseline: what ours asks beyond today's request (a replay of recorded usage cannot credit it). */
let aboveSq = 0;
let aboveSqBuilds = 0;
let baseFloorBuilds = 0;
for (const [id, r] of rows) {
  const h = r.build.durationMs / HOUR_MS;
  const j = perJob.get(r.job) ?? { attr: zero(), ours: 0, base: 0, sq: 0, builds: 0, starvedBuilds: 0, guardBuilds: 0, maxRequest: 0 };
  j.ours += r.ours * h;
  j.base += r.base * h;
  j.sq += (r.build.requestCpuCores ?? 0) * h;
  j.builds++;
  j.maxRequest = Math.max(j.maxRequest, r.build.requestCpuCores ?? 0);
  if (isCpuCensored(r.build, DEFAULT_POLICY)) j.starvedBuilds++;
  oursTotal += r.ours * h;
  const sq = r.build.requestCpuCores ?? r.ours;
  if (r.ours > sq + 1e-9) {
    aboveSq += (r.ours - Math.max(sq, r.base)) * h;
    aboveSqBuilds++;
  }
  baseTotal += r.base * h;
  if (r.ours <= 0.3 + 1e-9) floorBuilds++;
  if (r.base <= 0.3 + 1e-9) baseFloorBuilds++;
  const v = stageValues.get(id)!;
  if (v[v.length - 1] === undefined) {
    j.attr.cold += (r.ours - r.base) * h;
    total.cold += (r.ours - r.base) * h;
  } else {
    let prev = r.base;
    STAGES.forEach((s, k) => {
      const d = (v[k]! - prev) * h;
      j.attr[s] += d;
      total[s] += d;
      prev = v[k]!;
    });
    if (v[2]! > v[1]! + 1e-9) {
      guardBuilds++;
      j.guardBuilds++;
    }
  }
  perJob.set(r.job, j);
}

const excess = oursTotal - baseTotal;
console.log(`\nCPU reserved over the evaluation half: ours ${fmt(oursTotal)} core-h, ${baselineName} ${fmt(baseTotal)} core-h, excess ${fmt(excess)} core-h (${((excess / baseTotal) * 100).toFixed(1)} %)`);
console.log(`allocations ≤ 0.3 core: ours ${((floorBuilds / rows.size) * 100).toFixed(1)} %, ${baselineName} ${((baseFloorBuilds / rows.size) * 100).toFixed(1)} %; builds where the starved rules raised ours: ${guardBuilds} (${((guardBuilds / rows.size) * 100).toFixed(1)} %)`);
console.log(`ours above the status quo on ${aboveSqBuilds} builds; the part above max(status quo, ${baselineName}) is ${fmt(aboveSq)} core-h (${((aboveSq / excess) * 100).toFixed(1)} % of the excess)`);
console.log('\nattribution of the excess (core-h; positive = ours reserves more because of it):');
console.log(`${'mechanism'.padEnd(12)} ${pad('core-h', 10)} ${pad('share', 8)}`);
for (const s of ['cold', ...STAGES] as const) console.log(`${s.padEnd(12)} ${pad(fmt(total[s]), 10)} ${pad(`${((total[s] / excess) * 100).toFixed(1)} %`, 8)}`);

const jobs = [...perJob.entries()].sort((a, b) => b[1].ours - b[1].base - (a[1].ours - a[1].base));
const cols = ['estimator', 'headroom', 'starved', 'floor', 'ladder', 'deadband', 'hysteresis', 'step'] as const;
console.log(`\ntop ${top} jobs by excess (core-h; starved = evaluated builds CPU-censored by isCpuCensored, raised = days the starved rules raised ours):`);
console.log(
  `${'job'.padEnd(24)} ${pad('req', 5)} ${pad('sq', 8)} ${pad(baselineName, 8)} ${pad('ours', 8)} ${pad('excess', 8)} ${cols.map((c) => pad(c.slice(0, 8), 8)).join(' ')} ${pad('starved', 7)} ${pad('raised', 6)}`,
);
for (const [name, j] of jobs.slice(0, top)) {
  console.log(
    `${name.padEnd(24)} ${pad(fmt(j.maxRequest, 0), 5)} ${pad(fmt(j.sq), 8)} ${pad(fmt(j.base), 8)} ${pad(fmt(j.ours), 8)} ${pad(fmt(j.ours - j.base), 8)} ${cols.map((c) => pad(fmt(j.attr[c]), 8)).join(' ')} ${pad(`${j.starvedBuilds}/${j.builds}`, 7)} ${pad(String(j.guardBuilds), 6)}`,
  );
}
const share = (k: number): number => jobs.slice(0, k).reduce((s, [, j]) => s + j.ours - j.base, 0) / excess;
console.log(`the top 5 jobs hold ${(share(5) * 100).toFixed(0)} % of the excess, the top 15 ${(share(15) * 100).toFixed(0)} %, of ${jobs.length} jobs`);

if (process.argv.includes('--ablate')) {
  const variants: Array<[string, Parameters<typeof withPolicy>[0]]> = [
    ['defaults', {}],
    ['no CPU censoring at all', { throttledRatioCensor: Infinity, cpuP95NearLimit: Infinity }],
    ['censor factor 1 (probe = request)', { cpuCensorFactor: 1 }],
    ['hysteresis 0, deadband 0', { hysteresisFraction: 0, increaseDeadband: 0 }],
  ];
  const extra = arg('--variants');
  if (extra !== undefined) for (const [k, v] of Object.entries(JSON.parse(extra) as Record<string, Parameters<typeof withPolicy>[0]>)) variants.push([k, v]);
  console.log('\nablations (whole state path replayed; cost = CPU reserved / status quo):');
  for (const [label, patch] of variants) {
    const p = withPolicy(patch);
    const t1 = performance.now();
    const res = runReplay(records, [statusQuoPolicy(), krrPolicy(), vpaPolicy(), oursPolicy(p), ...sweepPolicies(DEFAULT_SWEEP_MARGINS, p)], { evalFromMs, resamples: 0 });
    const o = res.policies.find((m) => m.policy === 'ours')!;
    const line = (m: PolicyMetrics): string =>
      `cpu ${m.cpuVsStatusQuo.value.toFixed(3)} / ${(m.cpuUpr.value * 100).toFixed(2)} %, memory ${m.memVsStatusQuo.value.toFixed(3)} / ${(m.memUpr.value * 100).toFixed(2)} %, churn ${m.churnPer100.toFixed(2)}, whole cost ${fmt(m.wholeCost.coreHours)} core-h, build-h lost ${fmt(m.wholeCost.buildHoursLost)}`;
    console.log(`-- ${label} (${((performance.now() - t1) / 1000).toFixed(1)} s): margin 1: ${line(o)}`);
    process.stdout.write(formatFrontier(frontierCheck(res.policies)).split('\n').filter((l) => l.includes('cpu')).map((l) => `   ${l}`).join('\n') + '\n');
  }
}
