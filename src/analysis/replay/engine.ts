import type { BuildRecord } from '../recommend/records.js';
import { seededRandom } from '../stats/weighted.js';
import { DEFAULT_POLICY, roundUpToLadder } from '../recommend/policy.js';
import type { Allocation, LadderPair, ReplayPolicy } from './policies.js';

const HOUR_MS = 3_600_000;
const GiB = 1024 ** 3;

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

interface JobRun {
  state: unknown;
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
export function walkForward(
  sorted: readonly BuildRecord[],
  policy: ReplayPolicy,
  visit: (b: BuildRecord, a: Allocation, previous: Allocation | undefined) => void,
): void {
  const runs = new Map<string, JobRun>();
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

type Agg = (jobs: readonly JobSums[]) => number;

function ratio(num: number, den: number): number {
  return den === 0 ? (num === 0 ? 1 : Infinity) : num / den;
}

const AGGREGATES: Record<'cpuVsStatusQuo' | 'memVsStatusQuo' | 'cpuVsStatic' | 'memVsStatic' | 'cpuCapture' | 'memCapture' | 'memUpr' | 'cpuUpr', Agg> = {
  cpuVsStatusQuo: (js) => ratio(sum(js, 'cpuReserved'), sum(js, 'cpuStatusQuo')),
  memVsStatusQuo: (js) => ratio(sum(js, 'memReserved'), sum(js, 'memStatusQuo')),
  cpuVsStatic: (js) => ratio(sum(js, 'cpuReserved'), sum(js, 'cpuStatic')),
  memVsStatic: (js) => ratio(sum(js, 'memReserved'), sum(js, 'memStatic')),
  cpuCapture: (js) => ratio(sum(js, 'cpuStatusQuo') - sum(js, 'cpuReserved'), sum(js, 'cpuStatusQuo') - sum(js, 'cpuStatic')),
  memCapture: (js) => ratio(sum(js, 'memStatusQuo') - sum(js, 'memReserved'), sum(js, 'memStatusQuo') - sum(js, 'memStatic')),
  memUpr: (js) => ratio(sum(js, 'memUnder'), sum(js, 'builds')),
  cpuUpr: (js) => ratio(sum(js, 'cpuUnder'), sum(js, 'builds')),
};

function sum(js: readonly JobSums[], k: keyof Omit<JobSums, 'key'>): number {
  let s = 0;
  for (const j of js) s += j[k];
  return s;
}

/**
 * Bootstrap 95% percentile interval of `agg` over jobs (resampling jobs with replacement,
 * seeded). Returns the point estimate on all jobs and the 2.5% / 97.5% quantiles.
 */
export function bootstrap(jobs: readonly JobSums[], agg: Agg, resamples: number, seed: number): Interval {
  const value = agg(jobs);
  if (jobs.length === 0 || resamples <= 0) return { value, lo: value, hi: value };
  const rnd = seededRandom(seed);
  const stats: number[] = [];
  const sample = new Array<JobSums>(jobs.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < jobs.length; i++) sample[i] = jobs[Math.floor(rnd() * jobs.length)]!;
    const v = agg(sample);
    if (Number.isFinite(v)) stats.push(v);
  }
  stats.sort((a, b) => a - b);
  if (stats.length === 0) return { value, lo: value, hi: value };
  const at = (q: number): number => stats[Math.min(stats.length - 1, Math.max(0, Math.floor(q * (stats.length - 1))))]!;
  return { value, lo: at(0.025), hi: at(0.975) };
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
    const ci = (k: keyof typeof AGGREGATES, i: number): Interval => bootstrap(jobs, AGGREGATES[k], resamples, seed + i);
    const builds = sum(jobs, 'builds');
    const cpuCoreHours = sum(jobs, 'cpuReserved');
    const memGibHours = sum(jobs, 'memReserved');
    out.push({
      policy: policy.name,
      builds,
      jobs: jobs.length,
      cpuCoreHours,
      memGibHours,
      cpuVsStatusQuo: ci('cpuVsStatusQuo', 1),
      memVsStatusQuo: ci('memVsStatusQuo', 2),
      cpuVsStatic: ci('cpuVsStatic', 3),
      memVsStatic: ci('memVsStatic', 4),
      cpuCapture: ci('cpuCapture', 5),
      memCapture: ci('memCapture', 6),
      memUpr: ci('memUpr', 7),
      cpuUpr: ci('cpuUpr', 8),
      memNearMiss: ratio(sum(jobs, 'memNearMiss'), builds),
      cpuSlack: 1 - ratio(sum(jobs, 'cpuPeakUsed'), cpuCoreHours),
      memSlack: 1 - ratio(sum(jobs, 'memPeakUsed'), memGibHours),
      churnPer100: builds === 0 ? 0 : (sum(jobs, 'changes') / builds) * 100,
      coverage: ratio(sum(jobs, 'coveredHours'), sum(jobs, 'buildHours')),
      censoredBuilds: sum(jobs, 'censored'),
    });
  }
  return { evalFromMs, evalToMs, policies: out, perJob };
}
