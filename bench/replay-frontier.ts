/**
 * The cost-vs-UPR frontier of our policy family next to the KRR-like and VPA-like baselines
 * (issue 5, goal a), on the bundled replay trace (300 jobs × 120 builds, seed 42).
 *
 * Prints per resource, sorted by reserved cost relative to the status quo: each policy's cost
 * ratio, under-provisioning rate (UPR) and whether it Pareto-dominates KRR (K) / VPA (V) — no
 * higher UPR at lower cost, or lower UPR at no higher cost — and whether it meets the UPR goal
 * (CPU ≤ 2%, memory ≤ 0.5%). Below the causal policies, two clairvoyant reference families that
 * no walk-forward policy can beat at the same UPR (they see the evaluation builds): the per-job
 * hindsight quantile of the evaluation builds (`hindsight_q*`, the replay's hindsightQuantilePolicy) and a sliding ±W-build window quantile
 * (`slide_W*_q*`, which also tracks steps and growth). If a clairvoyant point at a given UPR costs
 * more than a baseline, no estimator of that kind can dominate the baseline there.
 *
 * Choices are made on the tuning half (default; rightsizing.md §5 rule 2); `eval` reports the
 * evaluation half. Variants use only existing `RecommenderPolicy` knobs.
 *
 * Run: nice -n 19 npx tsx bench/replay-frontier.ts [tune|eval]
 */
import {
  DEFAULT_POLICY,
  generateTrace,
  hindsightQuantilePolicy,
  krrPolicy,
  oursPolicy,
  percentile,
  roundUpToLadder,
  runReplay,
  statusQuoPolicy,
  toBuildRecord,
  vpaPolicy,
  withPolicy,
  type BuildRecord,
  type PolicyMetrics,
  type ReplayPolicy,
} from '../src/analysis/index.js';

const half = process.argv[2] ?? 'tune';
if (half !== 'tune' && half !== 'eval') throw new Error(`usage: replay-frontier.ts [tune|eval], got ${half}`);

const records = generateTrace({ jobs: 300, buildsPerJob: 120, seed: 42 }).map((d) => toBuildRecord(d));
let lo = Infinity;
let hi = -Infinity;
for (const r of records) {
  lo = Math.min(lo, r.startMs);
  hi = Math.max(hi, r.endMs);
}
const mid = lo + (hi - lo) / 2;
// Tuning half: the first 50% of the range, evaluated on [25%, 50%) after a 25% warm-up (as bench/replay-policies.ts).
const [fromMs, toMs] = half === 'tune' ? [lo + (hi - lo) * 0.25, mid] : [mid, Infinity];

const noHysteresis = { hysteresisFraction: 0, increaseDeadband: 0, maxDecreaseStepFraction: 1 } as const;
/** Each variant sets both resources (the two are independent in the replay metrics). */
const variants: Record<string, Parameters<typeof withPolicy>[0]> = {
  'c p90 ×1.15 H10 | m p50∨max10 ×1.06': { cpu: { percentile: 0.9 }, memory: { percentile: 0.5, maxOfLastBuilds: 10, headroom: 0.06, headroomAbsolute: 0 } },
  'c p90 ×1 H20 | m p99∨max5 ×1.05': { cpu: { percentile: 0.9, headroom: 0, halfLifeBuilds: 20 }, memory: { headroom: 0.05, headroomAbsolute: 0 } },
  'c p95 ×1 H10 | m p99∨max5 ×1.1': { cpu: { headroom: 0 }, memory: { headroom: 0.1, headroomAbsolute: 0 } },
  'c p95 ×1 H30 | m p95 ×1.1': { cpu: { headroom: 0, halfLifeBuilds: 30 }, memory: { percentile: 0.95, headroom: 0.1, headroomAbsolute: 0, maxOfLastBuilds: 0 } },
  'c p95 ×1.1 H20 | m p50∨max20 ×1.1': { cpu: { headroom: 0.1, halfLifeBuilds: 20 }, memory: { percentile: 0.5, maxOfLastBuilds: 20, headroom: 0.1, headroomAbsolute: 0 } },
  'c p99 ×1 H20 | m p50∨max40 ×1.1': { cpu: { percentile: 0.99, headroom: 0, halfLifeBuilds: 20 }, memory: { percentile: 0.5, maxOfLastBuilds: 40, headroom: 0.1, headroomAbsolute: 0 } },
  'no-hyst c p95 ×1 H20 | m p50∨max10 ×1.1': { ...noHysteresis, cpu: { headroom: 0, halfLifeBuilds: 20 }, memory: { percentile: 0.5, maxOfLastBuilds: 10, headroom: 0.1, headroomAbsolute: 0 } },
  'no-hyst c p95 ×1.1 H20 | m p50∨max40 ×1.1': { ...noHysteresis, cpu: { headroom: 0.1, halfLifeBuilds: 20 }, memory: { percentile: 0.5, maxOfLastBuilds: 40, headroom: 0.1, headroomAbsolute: 0 } },
};

// Clairvoyant references (marked clairvoyant: they read the builds they allocate for).
const evalByJob = new Map<string, BuildRecord[]>();
const allByJob = new Map<string, BuildRecord[]>();
for (const b of records) {
  if (!allByJob.has(b.key)) allByJob.set(b.key, []);
  allByJob.get(b.key)!.push(b);
  if (b.startMs < fromMs || b.startMs >= toMs) continue;
  if (!evalByJob.has(b.key)) evalByJob.set(b.key, []);
  evalByJob.get(b.key)!.push(b);
}
/** Nearest-rank quantile (0 for no values). */
const nearestRank = (xs: readonly number[], q: number): number => percentile(xs, q) ?? 0;
const cpuOf = (b: BuildRecord): number => b.cpuP95Cores ?? b.cpuMaxCores ?? 0;
/** An OOM-killed build's true peak is unknown: left out (as the static oracle does). */
const memsOf = (bs: readonly BuildRecord[]): number[] => bs.filter((b) => !b.oomKilled).map((b) => b.memoryPeakBytes ?? 0);
function fixed(name: string, pick: (b: BuildRecord) => { cpu: number; mem: number }): ReplayPolicy {
  return {
    name,
    clairvoyant: true,
    init: () => null,
    observe: () => undefined,
    allocate: (_s, b) => {
      const { cpu, mem } = pick(b);
      return {
        ...(cpu > 0 ? { cpuCores: roundUpToLadder(cpu, DEFAULT_POLICY.cpu.ladder) } : {}),
        ...(mem > 0 ? { memoryBytes: roundUpToLadder(mem, DEFAULT_POLICY.memory.ladder) } : {}),
      };
    },
  };
}
function sliding(w: number, q: number): ReplayPolicy {
  // Keyed by job and start: the replay hands policies its own (columnar) records, not these objects.
  const id = (b: BuildRecord): string => `${b.key}\u0000${b.startMs}`;
  const per = new Map<string, { cpu: number; mem: number }>();
  for (const bs of allByJob.values())
    bs.forEach((b, k) => {
      const win = bs.slice(Math.max(0, k - w), k + w + 1);
      per.set(id(b), { cpu: nearestRank(win.map(cpuOf), q), mem: nearestRank(memsOf(win), q) });
    });
  return fixed(`slide_W${w}_q${q}`, (b) => per.get(id(b)) ?? { cpu: 0, mem: 0 });
}

/**
 * The cheapest per-job FIXED allocations whose total UPR stays within `budget`, chosen knowing
 * every evaluation build (clairvoyant), with the UPR budget spread over the jobs where it saves
 * the most: per job the ladder value minimising reserved cost + λ · under-provisioned builds, λ
 * bisected to the budget. Its dual value L(λ) − λ·budget·N is a true lower bound: no per-job
 * fixed allocation within the budget costs less. Misses are counted as the replay engine does
 * (CPU: p95 above the allocation; memory: peak above it, an OOM-killed build unless above its
 * request). A causal policy can beat it only by tracking change within the evaluation period.
 */
function budgetOracle(r: 'cpu' | 'mem', budget: number): { per: Map<string, number>; cost: number; bound: number; upr: number } {
  const ladder = r === 'cpu' ? DEFAULT_POLICY.cpu.ladder : DEFAULT_POLICY.memory.ladder;
  let n = 0;
  let statusQuo = 0;
  const jobs: Array<{ key: string; choices: Array<{ alloc: number; cost: number; misses: number }> }> = [];
  for (const [key, all] of evalByJob) {
    const bs = all.filter((b) => b.requestCpuCores !== undefined && b.requestMemoryBytes !== undefined);
    if (bs.length === 0) continue;
    n += bs.length;
    const hours = bs.reduce((a, b) => a + b.durationMs / 3_600_000, 0);
    const unit = r === 'cpu' ? 1 : 1024 ** 3;
    for (const b of bs) statusQuo += ((r === 'cpu' ? b.requestCpuCores! : b.requestMemoryBytes!) / unit) * (b.durationMs / 3_600_000);
    const misses = (a: number): number =>
      bs.filter((b) =>
        r === 'cpu' ? cpuOf(b) > a + 1e-9 : b.oomKilled ? a <= b.requestMemoryBytes! : (b.memoryPeakBytes ?? 0) > a,
      ).length;
    const values = bs.map((b) => (r === 'cpu' ? cpuOf(b) : b.oomKilled ? b.requestMemoryBytes! + 1 : (b.memoryPeakBytes ?? 0)));
    const candidates = [...new Set(values.filter((v) => v > 0).map((v) => roundUpToLadder(v, ladder)))];
    jobs.push({ key, choices: candidates.map((alloc) => ({ alloc, cost: (alloc / unit) * hours, misses: misses(alloc) })) });
  }
  const solve = (lambda: number) => {
    let cost = 0;
    let missed = 0;
    const per = new Map<string, number>();
    for (const j of jobs) {
      let best = j.choices[0]!;
      for (const c of j.choices) if (c.cost + lambda * c.misses < best.cost + lambda * best.misses) best = c;
      cost += best.cost;
      missed += best.misses;
      per.set(j.key, best.alloc);
    }
    return { cost, missed, per, dual: cost + lambda * missed - lambda * budget * n };
  };
  let lo = 0;
  let hi = 1;
  while (solve(hi).missed > budget * n) hi *= 2;
  let bound = Math.max(solve(0).dual, solve(hi).dual);
  for (let i = 0; i < 60; i++) {
    const m = (lo + hi) / 2;
    const s = solve(m);
    bound = Math.max(bound, s.dual);
    if (s.missed > budget * n) lo = m;
    else hi = m;
  }
  const best = solve(hi);
  return { per: best.per, cost: best.cost / statusQuo, bound: bound / statusQuo, upr: best.missed / n };
}

const causal: ReplayPolicy[] = [krrPolicy(), vpaPolicy(), oursPolicy(), ...Object.entries(variants).map(([n, p]) => oursPolicy(withPolicy(p), n))];
// The goals' UPR, and about the baselines' (KRR-like CPU ≈ 5%, VPA-like memory ≈ 1.6%).
const budgets = ([[0.02, 0.005], [0.05, 0.016]] as const).map(([cpu, mem]) => ({
  name: `hind_budget_${cpu * 100}%_${mem * 100}%`,
  budget: { cpu, mem },
  cpu: budgetOracle('cpu', cpu),
  mem: budgetOracle('mem', mem),
}));
const clairvoyant: ReplayPolicy[] = [0.9, 0.95, 0.98]
  .map((q): ReplayPolicy => hindsightQuantilePolicy(q))
  .concat([0.9, 0.95, 0.97].map((q) => sliding(10, q)))
  .concat(budgets.map((o) => fixed(o.name, (b) => ({ cpu: o.cpu.per.get(b.key) ?? 0, mem: o.mem.per.get(b.key) ?? 0 }))));
const t0 = performance.now();
const res = runReplay(records, [statusQuoPolicy(), ...causal, ...clairvoyant], { evalFromMs: fromMs, evalToMs: toMs, resamples: 200, seed: 1 });
const seconds = (performance.now() - t0) / 1000;

type Res = 'cpu' | 'mem';
const point = (m: PolicyMetrics, r: Res) =>
  r === 'cpu' ? { cost: m.cpuVsStatusQuo.value, upr: m.cpuUpr.value, lo: m.cpuUpr.lo, hi: m.cpuUpr.hi } : { cost: m.memVsStatusQuo.value, upr: m.memUpr.value, lo: m.memUpr.lo, hi: m.memUpr.hi };
/** a dominates b: no higher UPR at lower cost, or lower UPR at no higher cost (as bench/replay-policies.ts). */
const dominates = (a: { cost: number; upr: number }, b: { cost: number; upr: number }): boolean =>
  (a.upr <= b.upr && a.cost < b.cost) || (a.upr < b.upr && a.cost <= b.cost);
const by = (name: string): PolicyMetrics => res.policies.find((p) => p.policy === name)!;
const clairNames = new Set(clairvoyant.map((p) => p.name));
const goal: Record<Res, number> = { cpu: 0.02, mem: 0.005 };

console.log(`${half === 'tune' ? 'tuning half [25%, 50%)' : 'evaluation half [50%, 100%]'}: ${res.policies[0]!.builds} builds; replay of ${res.policies.length} policies in ${seconds.toFixed(1)} s`);
console.log('flags: K/V = Pareto-dominates krr/vpa, G = meets the UPR goal (CPU ≤ 2%, memory ≤ 0.5%); * = clairvoyant reference');
for (const r of ['cpu', 'mem'] as const) {
  console.log(`\n== ${r === 'cpu' ? 'CPU (UPR: p95 > allocation)' : 'memory (UPR: peak > allocation)'} ==`);
  console.log(`${'policy'.padEnd(44)} ${'cost/sq'.padStart(7)} ${'UPR'.padStart(7)}  ${'UPR 95% CI'.padEnd(17)} flags`);
  const rows = res.policies.filter((p) => p.policy !== 'status_quo').sort((a, b) => point(a, r).cost - point(b, r).cost);
  for (const p of rows) {
    const a = point(p, r);
    const isClair = clairNames.has(p.policy);
    const flags = isClair
      ? '*'
      : `${dominates(a, point(by('krr'), r)) ? 'K' : '-'}${dominates(a, point(by('vpa'), r)) ? 'V' : '-'}${a.upr <= goal[r] ? 'G' : '-'}`;
    const ci = `[${(a.lo * 100).toFixed(2)}, ${(a.hi * 100).toFixed(2)}]%`;
    console.log(`${p.policy.padEnd(44)} ${a.cost.toFixed(3).padStart(7)} ${(a.upr * 100).toFixed(2).padStart(6)}%  ${ci.padEnd(17)} ${flags}`);
  }
  const winners = rows.filter((p) => !clairNames.has(p.policy) && p.policy !== 'krr' && p.policy !== 'vpa').filter((p) => {
    const a = point(p, r);
    return dominates(a, point(by('krr'), r)) && dominates(a, point(by('vpa'), r)) && a.upr <= goal[r];
  });
  console.log(`→ ${r}: ${winners.length === 0 ? 'no variant dominates both baselines within the UPR goal' : `dominates both within the goal: ${winners.map((p) => p.policy).join(', ')}`}`);
}

console.log('\n== lower bounds: the cheapest per-job fixed allocation within a UPR budget, knowing the evaluation builds ==');
for (const o of budgets)
  for (const r of ['cpu', 'mem'] as const) {
    const x = o[r];
    const k = point(by('krr'), r);
    const v = point(by('vpa'), r);
    console.log(
      `${r.padEnd(3)} UPR ≤ ${(o.budget[r] * 100).toFixed(1)}%: no fixed allocation costs less than ${x.bound.toFixed(3)} of the status quo (feasible point ${x.cost.toFixed(3)} at UPR ${(x.upr * 100).toFixed(2)}%); krr ${k.cost.toFixed(3)} at ${(k.upr * 100).toFixed(2)}%, vpa ${v.cost.toFixed(3)} at ${(v.upr * 100).toFixed(2)}%`,
    );
  }
