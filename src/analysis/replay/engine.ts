import type { BuildRecord } from '../recommend/records.js';
import { seededRandom } from '../stats/weighted.js';
import { DEFAULT_POLICY, roundUpToLadder } from '../recommend/policy.js';
import type { Allocation, LadderPair, ReplayPolicy } from './policies.js';
import { GiB, HOUR_MS } from '../../util/units.js';


/** Per-job sums over the evaluation builds; every reported ratio is built from these. */
export interface JobSums {
  key: string;
  builds: number;
  buildHours: number;
  /** Reserved core-hours / GiB-hours of the policy, the status quo and the static oracle. */
  cpuReserved: number;
  memReserved: number;
  cpuStatusQuo: number;
  memStatusQuo: number;
  cpuStatic: number;
  memStatic: number;
  /** Σ cpu p95 × d (core-h) and Σ memory peak × d (GiB-h): the peak-type usage for slack. */
  cpuPeakUsed: number;
  memPeakUsed: number;
  /** Builds whose memory peak exceeded the allocation (predicted OOM). */
  memUnder: number;
  /** Builds whose peak exceeded 90% of the allocation. */
  memNearMiss: number;
  /** Builds whose CPU p95 exceeded the allocation. */
  cpuUnder: number;
  /** Builds censored in the trace (OOM-killed, CPU-starved): their true need is unknown. */
  censored: number;
  /** Allocation changes between consecutive builds of the job. */
  changes: number;
  /** Build-hours where the policy itself decided both resources (no status-quo fallback). */
  coveredHours: number;
}

export interface Interval {
  readonly value: number;
  readonly lo: number;
  readonly hi: number;
}

export interface PolicyMetrics {
  readonly policy: string;
  readonly builds: number;
  readonly jobs: number;
  readonly cpuCoreHours: number;
  readonly memGibHours: number;
  /** R_policy / R_status_quo, with a bootstrap 95% interval over jobs. */
  readonly cpuVsStatusQuo: Interval;
  readonly memVsStatusQuo: Interval;
  /** R_policy / R_static_oracle. */
  readonly cpuVsStatic: Interval;
  readonly memVsStatic: Interval;
  /** (R_sq − R_policy) / (R_sq − R_static). */
  readonly cpuCapture: Interval;
  readonly memCapture: Interval;
  /** Share of builds with peak > allocation (memory) / p95 > allocation (CPU). */
  readonly memUpr: Interval;
  readonly cpuUpr: Interval;
  readonly memNearMiss: number;
  /** Time-weighted slack vs peak-type usage: 1 − Σu·d / Σa·d. */
  readonly cpuSlack: number;
  readonly memSlack: number;
  /** Allocation changes per job per 100 builds. */
  readonly churnPer100: number;
  /** Share of build-hours with a policy decision (not the cold-start fallback). */
  readonly coverage: number;
  readonly censoredBuilds: number;
}

export interface ReplayOptions {
  /** Builds starting at or after this instant are evaluated; default: the middle of the trace's time range. */
  readonly evalFromMs?: number;
  /** Evaluate builds strictly before this instant (e.g. the tuning half); default: everything. */
  readonly evalToMs?: number;
  /** Bootstrap resamples over jobs. @defaultValue 1000 */
  readonly resamples?: number;
  /** @defaultValue 1 */
  readonly seed?: number;
  /** Ladders of the static oracle in the ratios; default: the recommender's. */
  readonly ladders?: LadderPair;
}

export interface ReplayResult {
  readonly evalFromMs: number;
  readonly evalToMs: number;
  readonly policies: PolicyMetrics[];
  readonly perJob: ReadonlyMap<string, ReadonlyMap<string, JobSums>>;
}

/** The middle of the trace's time range (first start … last end). */
export function midpointMs(builds: readonly BuildRecord[]): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const b of builds) {
    lo = Math.min(lo, b.startMs);
    hi = Math.max(hi, b.endMs);
  }
  return lo + (hi - lo) / 2;
}

interface JobRun<S> {
  state: S;
  /** Started builds not yet observed, ascending by end. */
  pending: BuildRecord[];
  head: number;
  last?: Allocation;
}

/**
 * Runs one policy walk-forward over `sorted` (ascending by start): before build k of a job is
 * allocated, the policy observes exactly the builds of that job that ended at or before k's
 * start, in end order. Calls `visit` with every build and its allocation. O(n) apart from the
 * policy's own work.
 */
export function walkForward<S>(
  sorted: readonly BuildRecord[],
  policy: ReplayPolicy<S>,
  visit: (b: BuildRecord, a: Allocation, previous: Allocation | undefined) => void,
): void {
  const runs = new Map<string, JobRun<S>>();
  for (const b of sorted) {
    let run = runs.get(b.key);
    if (!run) runs.set(b.key, (run = { state: policy.init(b.key), pending: [], head: 0 }));
    const p = run.pending;
    while (run.head < p.length && p[run.head]!.endMs <= b.startMs) policy.observe(run.state, p[run.head++]!);
    if (run.head > 64 && run.head * 2 > p.length) {
      run.pending = p.slice(run.head);
      run.head = 0;
    }
    const a = policy.allocate(run.state, b);
    visit(b, a, run.last);
    run.last = a;
    // Insert by end time (usually already last).
    const q = run.pending;
    q.push(b);
    for (let i = q.length - 1; i > run.head && q[i - 1]!.endMs > q[i]!.endMs; i--) {
      const t = q[i - 1]!;
      q[i - 1] = q[i]!;
      q[i] = t;
    }
  }
}

function emptySums(key: string): JobSums {
  return {
    key,
    builds: 0,
    buildHours: 0,
    cpuReserved: 0,
    memReserved: 0,
    cpuStatusQuo: 0,
    memStatusQuo: 0,
    cpuStatic: 0,
    memStatic: 0,
    cpuPeakUsed: 0,
    memPeakUsed: 0,
    memUnder: 0,
    memNearMiss: 0,
    cpuUnder: 0,
    censored: 0,
    changes: 0,
    coveredHours: 0,
  };
}

/** Totals of the per-job sums over a (re)sample of jobs. */
export type Totals = Omit<JobSums, 'key'>;

const FIELDS = [
  'builds',
  'buildHours',
  'cpuReserved',
  'memReserved',
  'cpuStatusQuo',
  'memStatusQuo',
  'cpuStatic',
  'memStatic',
  'cpuPeakUsed',
  'memPeakUsed',
  'memUnder',
  'memNearMiss',
  'cpuUnder',
  'censored',
  'changes',
  'coveredHours',
] as const satisfies ReadonlyArray<keyof Totals>;

/** A metric computed from totals (so a bootstrap resample costs one pass over the jobs). */
export type Agg = (t: Totals) => number;

function ratio(num: number, den: number): number {
  return den === 0 ? (num === 0 ? 1 : Infinity) : num / den;
}

const AGGREGATES = {
  cpuVsStatusQuo: (t: Totals) => ratio(t.cpuReserved, t.cpuStatusQuo),
  memVsStatusQuo: (t: Totals) => ratio(t.memReserved, t.memStatusQuo),
  cpuVsStatic: (t: Totals) => ratio(t.cpuReserved, t.cpuStatic),
  memVsStatic: (t: Totals) => ratio(t.memReserved, t.memStatic),
  cpuCapture: (t: Totals) => ratio(t.cpuStatusQuo - t.cpuReserved, t.cpuStatusQuo - t.cpuStatic),
  memCapture: (t: Totals) => ratio(t.memStatusQuo - t.memReserved, t.memStatusQuo - t.memStatic),
  memUpr: (t: Totals) => ratio(t.memUnder, t.builds),
  cpuUpr: (t: Totals) => ratio(t.cpuUnder, t.builds),
} satisfies Record<string, Agg>;

/** Field-wise totals of `jobs`, each job counted `counts[i]` times (1 when no counts). */
export function totals(jobs: readonly JobSums[], counts?: ArrayLike<number>): Totals {
  const t = Object.fromEntries(FIELDS.map((f) => [f, 0])) as Record<keyof Totals, number>;
  for (let i = 0; i < jobs.length; i++) {
    const c = counts ? counts[i]! : 1;
    if (c === 0) continue;
    const j = jobs[i]!;
    for (const f of FIELDS) t[f] += c * j[f];
  }
  return t;
}

/**
 * Bootstrap 95% percentile intervals of several metrics over jobs: each of `resamples` draws
 * `jobs.length` jobs with replacement (seeded), sums their fields once and evaluates every metric
 * on the totals. Returns the point estimate on all jobs and the 2.5% / 97.5% quantiles.
 */
export function bootstrapAll<K extends string>(jobs: readonly JobSums[], aggs: Readonly<Record<K, Agg>>, resamples: number, seed: number): Record<K, Interval> {
  const keys = Object.keys(aggs) as K[];
  const all = totals(jobs);
  const stats = new Map<K, number[]>(keys.map((k) => [k, []]));
  const nf = FIELDS.length;
  if (jobs.length > 0) {
    // Jobs × fields as one typed matrix: a resample is then a weighted column sum (monomorphic, no GC).
    const mat = new Float64Array(jobs.length * nf);
    jobs.forEach((j, i) => FIELDS.forEach((f, k) => (mat[i * nf + k] = j[f])));
    const rnd = seededRandom(seed);
    const counts = new Uint32Array(jobs.length);
    const acc = new Float64Array(nf);
    for (let r = 0; r < resamples; r++) {
      counts.fill(0);
      for (let i = 0; i < jobs.length; i++) counts[Math.floor(rnd() * jobs.length)]!++;
      acc.fill(0);
      for (let i = 0; i < jobs.length; i++) {
        const c = counts[i]!;
        if (c === 0) continue;
        const base = i * nf;
        for (let k = 0; k < nf; k++) acc[k]! += c * mat[base + k]!;
      }
      const t = Object.fromEntries(FIELDS.map((f, k) => [f, acc[k]!])) as Totals;
      for (const k of keys) {
        const v = aggs[k](t);
        if (Number.isFinite(v)) stats.get(k)!.push(v);
      }
    }
  }
  const out = {} as Record<K, Interval>;
  for (const k of keys) {
    const value = aggs[k](all);
    const xs = stats.get(k)!.sort((a, b) => a - b);
    const at = (q: number): number => xs[Math.min(xs.length - 1, Math.max(0, Math.floor(q * (xs.length - 1))))]!;
    out[k] = xs.length === 0 ? { value, lo: value, hi: value } : { value, lo: at(0.025), hi: at(0.975) };
  }
  return out;
}

/** Bootstrap 95% interval of one metric (see {@link bootstrapAll}). */
export function bootstrap(jobs: readonly JobSums[], agg: Agg, resamples: number, seed: number): Interval {
  return bootstrapAll(jobs, { m: agg }, resamples, seed).m;
}

/**
 * Replays `builds` under each policy and computes the metrics of rightsizing.md §5 over the
 * evaluation window. Builds without a status-quo request or duration are still walked (they
 * feed the policies' history) but not evaluated.
 */
export function runReplay(builds: readonly BuildRecord[], policies: readonly ReplayPolicy[], options: ReplayOptions = {}): ReplayResult {
  const sorted = [...builds].sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  const evalFromMs = options.evalFromMs ?? midpointMs(sorted);
  const evalToMs = options.evalToMs ?? Infinity;
  const resamples = options.resamples ?? 1000;
  const seed = options.seed ?? 1;

  // Pre-pass: the static oracle per job (max over the evaluation builds), for the ratios.
  const staticBest = new Map<string, { cpu: number; mem: number }>();
  for (const b of sorted) {
    if (b.startMs < evalFromMs || b.startMs >= evalToMs) continue;
    const e = staticBest.get(b.key) ?? { cpu: 0, mem: 0 };
    e.cpu = Math.max(e.cpu, b.cpuP95Cores ?? b.cpuMaxCores ?? 0);
    e.mem = Math.max(e.mem, b.memoryPeakBytes ?? 0);
    staticBest.set(b.key, e);
  }
  const ladders = options.ladders ?? { cpu: DEFAULT_POLICY.cpu.ladder, memory: DEFAULT_POLICY.memory.ladder };
  // The static-oracle allocation used in every policy's ratios (on the shared ladder).
  const staticAlloc = new Map<string, { cpuCores?: number; memoryBytes?: number }>();
  for (const [key, e] of staticBest)
    staticAlloc.set(key, {
      ...(e.cpu > 0 ? { cpuCores: roundUpToLadder(e.cpu, ladders.cpu) } : {}),
      ...(e.mem > 0 ? { memoryBytes: roundUpToLadder(e.mem, ladders.memory) } : {}),
    });

  const perJob = new Map<string, Map<string, JobSums>>();
  const out: PolicyMetrics[] = [];
  for (const policy of policies) {
    const sums = new Map<string, JobSums>();
    perJob.set(policy.name, sums);
    walkForward(sorted, policy, (b, a, prev) => {
      if (b.startMs < evalFromMs || b.startMs >= evalToMs) return;
      if (b.requestCpuCores === undefined || b.requestMemoryBytes === undefined) return;
      const h = b.durationMs / HOUR_MS;
      let s = sums.get(b.key);
      if (!s) sums.set(b.key, (s = emptySums(b.key)));
      const cpu = a.cpuCores ?? b.requestCpuCores;
      const mem = a.memoryBytes ?? b.requestMemoryBytes;
      const st = staticAlloc.get(b.key);
      s.builds++;
      s.buildHours += h;
      s.cpuReserved += cpu * h;
      s.memReserved += (mem / GiB) * h;
      s.cpuStatusQuo += b.requestCpuCores * h;
      s.memStatusQuo += (b.requestMemoryBytes / GiB) * h;
      s.cpuStatic += (st?.cpuCores ?? b.requestCpuCores) * h;
      s.memStatic += ((st?.memoryBytes ?? b.requestMemoryBytes) / GiB) * h;
      const p95 = b.cpuP95Cores ?? b.cpuMaxCores;
      if (p95 !== undefined) {
        s.cpuPeakUsed += p95 * h;
        if (p95 > cpu + 1e-9) s.cpuUnder++;
      }
      if (b.oomKilled) {
        s.censored++;
        // The true need is above the observed limit: any allocation ≤ it certainly OOMs again.
        if (mem <= b.requestMemoryBytes) s.memUnder++;
      } else if (b.memoryPeakBytes !== undefined) {
        s.memPeakUsed += (b.memoryPeakBytes / GiB) * h;
        if (b.memoryPeakBytes > mem) s.memUnder++;
        if (b.memoryPeakBytes > 0.9 * mem) s.memNearMiss++;
      }
      if (!b.oomKilled && b.throttledRatio !== undefined && b.throttledRatio > 0.05) s.censored++;
      if (prev !== undefined && ((prev.cpuCores ?? -1) !== (a.cpuCores ?? -1) || (prev.memoryBytes ?? -1) !== (a.memoryBytes ?? -1))) s.changes++;
      if (a.cpuCores !== undefined && a.memoryBytes !== undefined) s.coveredHours += h;
    });
    const jobs = [...sums.values()];
    const ci = bootstrapAll(jobs, AGGREGATES, resamples, seed);
    const t = totals(jobs);
    out.push({
      policy: policy.name,
      builds: t.builds,
      jobs: jobs.length,
      cpuCoreHours: t.cpuReserved,
      memGibHours: t.memReserved,
      ...ci,
      memNearMiss: ratio(t.memNearMiss, t.builds),
      cpuSlack: 1 - ratio(t.cpuPeakUsed, t.cpuReserved),
      memSlack: 1 - ratio(t.memPeakUsed, t.memReserved),
      churnPer100: t.builds === 0 ? 0 : (t.changes / t.builds) * 100,
      coverage: ratio(t.coveredHours, t.buildHours),
      censoredBuilds: t.censored,
    });
  }
  return { evalFromMs, evalToMs, policies: out, perJob };
}
