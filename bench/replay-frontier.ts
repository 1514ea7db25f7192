/**
 * The cost-vs-UPR frontier of our policy family next to the KRR-like and VPA-like baselines
 * (issue 5, goal a), on the bundled replay trace (300 jobs × 120 builds, seed 42).
 *
 * Prints per resource, sorted by reserved cost relative to the status quo: each policy's cost
 * ratio, under-provisioning rate (UPR) and whether it Pareto-dominates KRR (K) / VPA (V) — no
 * higher UPR at lower cost, or lower UPR at no higher cost — and whether it meets the UPR goal
 * (CPU ≤ 2%, memory ≤ 0.5%). Below the causal policies, two clairvoyant reference families that
 * no walk-forward policy can beat at the same UPR (they see the evaluation builds): the per-job
 * hindsight quantile of the evaluation builds (`hind_q*`) and a sliding ±W-build window quantile
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
  krrPolicy,
  oursPolicy,
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
function nearestRank(xs: readonly number[], q: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
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
function hindsight(q: number): ReplayPolicy {
  const per = new Map<string, { cpu: number; mem: number }>();
  for (const [k, bs] of evalByJob) per.set(k, { cpu: nearestRank(bs.map(cpuOf), q), mem: nearestRank(memsOf(bs), q) });
  return fixed(`hind_q${q}`, (b) => per.get(b.key) ?? { cpu: 0, mem: 0 });
}
function sliding(w: number, q: number): ReplayPolicy {
  const per = new Map<BuildRecord, { cpu: number; mem: number }>();
  for (const bs of allByJob.values())
    bs.forEach((b, k) => {
      const win = bs.slice(Math.max(0, k - w), k + w + 1);
      per.set(b, { cpu: nearestRank(win.map(cpuOf), q), mem: nearestRank(memsOf(win), q) });
    });
  return fixed(`slide_W${w}_q${q}`, (b) => per.get(b)!);
}

const causal: ReplayPolicy[] = [krrPolicy(), vpaPolicy(), oursPolicy(), ...Object.entries(variants).map(([n, p]) => oursPolicy(withPolicy(p), n))];
const clairvoyant: ReplayPolicy[] = [0.9, 0.95, 0.98].map(hindsight).concat([0.9, 0.95, 0.97].map((q) => sliding(10, q)));
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
