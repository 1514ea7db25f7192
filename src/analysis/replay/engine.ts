import type { BuildRecord } from '../recommend/records.js';
import { seededRandom } from '../stats/weighted.js';
import { DEFAULT_POLICY, roundUpToLadder } from '../recommend/policy.js';
import type { Allocation, LadderPair, ReplayPolicy } from './policies.js';
import { BuildColumns } from './columns.js';
import { isCensored, type CensorThresholds } from '../recommend/censor.js';
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
  /**
   * Whole cost of a wrong size (core-hours / GiB-hours reserved including the failed attempt and
   * rerun of a memory-under-provisioned build and the stretch of a CPU-under-provisioned one).
   */
  cpuTotal: number;
  memTotal: number;
  /** Build-hours lost: the failed attempt of an OOM-killed build, the extra time of a stretched one. */
  lostHours: number;
  /** Memory-under-provisioned builds (OOM-killed, rerun at the status quo). */
  reruns: number;
  /** CPU-under-provisioned builds that ran longer (by p95 / allocation). */
  stretched: number;
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
  /** The whole cost of a wrong size (OOM reruns, stretched builds). */
  readonly wholeCost: WholeCost;
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
  /** What counts as a censored build (the recommender's definition); default: `DEFAULT_POLICY`'s thresholds. */
  readonly censor?: CensorThresholds;
  /** Receives every evaluated build's allocation per policy (`replay --allocations`). */
  readonly onAllocation?: AllocationSink;
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

/**
 * Runs one policy walk-forward over the builds of ONE job, `job` ascending by start: before build
 * k is allocated, the policy observes exactly the builds that ended at or before k's start, in
 * end order. Calls `visit` with every build, its allocation and the previous one.
 */
export function walkJob<S>(
  job: readonly BuildRecord[],
  policy: ReplayPolicy<S>,
  ctx: JobContext | undefined,
  visit: (b: BuildRecord, a: Allocation, previous: Allocation | undefined) => void,
): void {
  if (job.length === 0) return;
  const state = policy.init(job[0]!.key, ctx);
  // Started builds not yet observed, ascending by end (usually already in order).
  const pending: BuildRecord[] = [];
  let head = 0;
  let last: Allocation | undefined;
  for (const b of job) {
    while (head < pending.length && pending[head]!.endMs <= b.startMs) policy.observe(state, pending[head++]!);
    const a = policy.allocate(state, b);
    visit(b, a, last);
    last = a;
    pending.push(b);
    for (let i = pending.length - 1; i > head && pending[i - 1]!.endMs > pending[i]!.endMs; i--) {
      const t = pending[i - 1]!;
      pending[i - 1] = pending[i]!;
      pending[i] = t;
    }
  }
}

/**
 * Runs one policy walk-forward over `sorted` (ascending by start, any mix of jobs): per job as
 * {@link walkJob}; `visit` is called job by job, in start order within a job.
 */
export function walkForward<S>(
  sorted: readonly BuildRecord[],
  policy: ReplayPolicy<S>,
  visit: (b: BuildRecord, a: Allocation, previous: Allocation | undefined) => void,
): void {
  const byKey = new Map<string, BuildRecord[]>();
  for (const b of sorted) {
    let l = byKey.get(b.key);
    if (!l) byKey.set(b.key, (l = []));
    l.push(b);
  }
  for (const job of byKey.values()) walkJob(job, policy, undefined, visit);
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
    cpuTotal: 0,
    memTotal: 0,
    lostHours: 0,
    reruns: 0,
    stretched: 0,
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
  'cpuTotal',
  'memTotal',
  'lostHours',
  'reruns',
  'stretched',
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
  return bootstrapMany([jobs], aggs, resamples, seed)[0]!;
}

/** The fields {@link AGGREGATES} read: a resample only sums these. */
const CI_FIELDS = ['builds', 'cpuReserved', 'memReserved', 'cpuStatusQuo', 'memStatusQuo', 'cpuStatic', 'memStatic', 'memUnder', 'cpuUnder'] as const satisfies ReadonlyArray<
  keyof Totals
>;

/**
 * {@link bootstrapAll} for several policies over the SAME jobs (same order): one draw of jobs
 * per resample serves every policy, so the intervals equal per-policy runs with the same seed at
 * a fraction of the cost (13,000 jobs × 1000 resamples). A resample sums only `fields`: every
 * field an aggregate of `aggs` reads (all by default; the replay's AGGREGATES read CI_FIELDS).
 */
export function bootstrapMany<K extends string>(
  groups: ReadonlyArray<readonly JobSums[]>,
  aggs: Readonly<Record<K, Agg>>,
  resamples: number,
  seed: number,
  fields: ReadonlyArray<keyof Totals> = FIELDS,
): Array<Record<K, Interval>> {
  const keys = Object.keys(aggs) as K[];
  const nf = fields.length;
  const n = groups[0]?.length ?? 0;
  const same = groups.every((g) => g.length === n && g.every((j, i) => j.key === groups[0]![i]!.key));
  if (!same && groups.length > 1) return groups.map((g) => bootstrapMany([g], aggs, resamples, seed, fields)[0]!);
  const stats = groups.map(() => new Map<K, number[]>(keys.map((k) => [k, []])));
  if (n > 0) {
    const ng = groups.length;
    const width = ng * nf;
    // Jobs × (groups × fields) as one typed matrix: a resample is then a weighted column sum (monomorphic, no GC).
    const mat = new Float64Array(n * width);
    groups.forEach((g, gi) => g.forEach((j, i) => fields.forEach((f, k) => (mat[i * width + gi * nf + k] = j[f]))));
    const rnd = seededRandom(seed);
    const counts = new Uint32Array(n);
    const acc = new Float64Array(width);
    const t = Object.fromEntries(FIELDS.map((f) => [f, 0])) as Record<keyof Totals, number>;
    for (let r = 0; r < resamples; r++) {
      counts.fill(0);
      for (let i = 0; i < n; i++) counts[Math.floor(rnd() * n)]!++;
      acc.fill(0);
      for (let i = 0; i < n; i++) {
        const c = counts[i]!;
        if (c === 0) continue;
        const base = i * width;
        for (let k = 0; k < width; k++) acc[k]! += c * mat[base + k]!;
      }
      for (let gi = 0; gi < ng; gi++) {
        for (let k = 0; k < nf; k++) t[fields[k]!] = acc[gi * nf + k]!;
        const st = stats[gi]!;
        for (const k of keys) {
          const v = aggs[k](t);
          if (Number.isFinite(v)) st.get(k)!.push(v);
        }
      }
    }
  }
  return groups.map((g, gi) => {
    const all = totals(g);
    const out = {} as Record<K, Interval>;
    for (const k of keys) {
      const value = aggs[k](all);
      const xs = stats[gi]!.get(k)!.sort((a, b) => a - b);
      const at = (q: number): number => xs[Math.min(xs.length - 1, Math.max(0, Math.floor(q * (xs.length - 1))))]!;
      out[k] = xs.length === 0 ? { value, lo: value, hi: value } : { value, lo: at(0.025), hi: at(0.975) };
    }
    return out;
  });
}

/** Bootstrap 95% interval of one metric (see {@link bootstrapAll}). */
export function bootstrap(jobs: readonly JobSums[], agg: Agg, resamples: number, seed: number): Interval {
  return bootstrapAll(jobs, { m: agg }, resamples, seed).m;
}

/**
 * The whole cost of one evaluated build under an allocation (`cpuCores`, `memoryBytes`), added to
 * `s`. A memory-under-provisioned build (peak above the allocation; an OOM-killed build of the
 * trace whenever the allocation is ≤ its recorded limit) is OOM-killed: its reservation for the
 * build's duration is lost and it is rerun at the status quo (the label's current size). A
 * CPU-under-provisioned build (p95 above the allocation) runs `p95 / cpuCores` times longer and
 * holds its memory that much longer too. Otherwise the build reserves allocation × duration.
 */
export function addWholeCost(
  s: Pick<JobSums, 'cpuTotal' | 'memTotal' | 'lostHours' | 'reruns' | 'stretched'>,
  b: BuildRecord,
  cpuCores: number,
  memoryBytes: number,
): void {
  const h = b.durationMs / HOUR_MS;
  const memUnder = b.oomKilled ? memoryBytes <= (b.requestMemoryBytes ?? Infinity) : b.memoryPeakBytes !== undefined && b.memoryPeakBytes > memoryBytes;
  if (memUnder) {
    s.cpuTotal += cpuCores * h + (b.requestCpuCores ?? cpuCores) * h;
    s.memTotal += (memoryBytes / GiB) * h + ((b.requestMemoryBytes ?? memoryBytes) / GiB) * h;
    s.lostHours += h;
    s.reruns++;
    return;
  }
  const p95 = b.cpuP95Cores ?? b.cpuMaxCores;
  const stretch = p95 !== undefined && cpuCores > 0 && p95 > cpuCores + 1e-9 ? p95 / cpuCores : 1;
  s.cpuTotal += cpuCores * h * stretch;
  s.memTotal += (memoryBytes / GiB) * h * stretch;
  if (stretch > 1) {
    s.lostHours += h * (stretch - 1);
    s.stretched++;
  }
}

/** Called for every evaluated build with what the policy reserved (after the status-quo fallback). */
export type AllocationSink = (policy: string, build: BuildRecord, cpuCores: number, memoryBytes: number) => void;

/** What the engine tells a policy about a job when it starts it (clairvoyant policies only may look at `builds`). */
export interface JobContext {
  /** The job's builds ascending by start. */
  readonly builds: readonly BuildRecord[];
  readonly evalFromMs: number;
  readonly evalToMs: number;
}

/** The per-job static-oracle allocation used in every policy's ratios (max over the evaluation builds, on the ladder). */
function staticAllocation(job: readonly BuildRecord[], evalFromMs: number, evalToMs: number, ladders: LadderPair): Allocation {
  let cpu = 0;
  let mem = 0;
  for (const b of job) {
    if (b.startMs < evalFromMs || b.startMs >= evalToMs) continue;
    cpu = Math.max(cpu, b.cpuP95Cores ?? b.cpuMaxCores ?? 0);
    mem = Math.max(mem, b.memoryPeakBytes ?? 0);
  }
  return {
    ...(cpu > 0 ? { cpuCores: roundUpToLadder(cpu, ladders.cpu) } : {}),
    ...(mem > 0 ? { memoryBytes: roundUpToLadder(mem, ladders.memory) } : {}),
  };
}

/** Whole-cost figures of a policy over the evaluation builds. */
export interface WholeCost {
  /** Reserved core-hours including failed attempts, reruns and stretched builds. */
  readonly coreHours: number;
  readonly gibHours: number;
  /** Build-hours lost to OOM kills (the failed attempt) and to CPU stretch (the extra time). */
  readonly buildHoursLost: number;
  readonly oomReruns: number;
  readonly stretchedBuilds: number;
}

/**
 * Replays `builds` under each policy and computes the metrics of rightsizing.md §5 over the
 * evaluation window. Builds without a status-quo request or duration are still walked (they
 * feed the policies' history) but not evaluated.
 *
 * A policy's allocations for a job depend only on that job's builds (walk-forward within the
 * job), so the engine runs job by job: it materialises one job's builds from the compact
 * {@link BuildColumns}, runs every policy over them and keeps only per-job sums. Memory is the
 * columns (~130 bytes per build) plus per-job sums, never an object per build.
 */
export function runReplay(
  builds: readonly BuildRecord[] | BuildColumns,
  policies: readonly ReplayPolicy[],
  options: ReplayOptions = {},
): ReplayResult {
  const cols = builds instanceof BuildColumns ? builds : BuildColumns.from(builds);
  const evalFromMs = options.evalFromMs ?? (cols.length === 0 ? 0 : cols.minStartMs + (cols.maxEndMs - cols.minStartMs) / 2);
  const evalToMs = options.evalToMs ?? Infinity;
  const resamples = options.resamples ?? 1000;
  const seed = options.seed ?? 1;
  const ladders = options.ladders ?? { cpu: DEFAULT_POLICY.cpu.ladder, memory: DEFAULT_POLICY.memory.ladder };
  const thresholds = options.censor ?? DEFAULT_POLICY;
  const sink = options.onAllocation;

  const perJob = new Map<string, Map<string, JobSums>>();
  const sumsOf = policies.map((p) => {
    const m = new Map<string, JobSums>();
    perJob.set(p.name, m);
    return m;
  });
  const { order, offsets } = cols.groupedByKey();
  const job: BuildRecord[] = [];
  for (let k = 0; k < cols.keyCount; k++) {
    job.length = 0;
    for (let j = offsets[k]!; j < offsets[k + 1]!; j++) job.push(cols.record(order[j]!));
    const key = cols.keyName(k);
    const st = staticAllocation(job, evalFromMs, evalToMs, ladders);
    const ctx: JobContext = { builds: job, evalFromMs, evalToMs };
    for (let pi = 0; pi < policies.length; pi++) {
      const policy = policies[pi]!;
      let s: JobSums | undefined;
      walkJob(job, policy, ctx, (b, a, prev) => {
        if (b.startMs < evalFromMs || b.startMs >= evalToMs) return;
        if (b.requestCpuCores === undefined || b.requestMemoryBytes === undefined) return;
        const h = b.durationMs / HOUR_MS;
        s ??= emptySums(key);
        const cpu = a.cpuCores ?? b.requestCpuCores;
        const mem = a.memoryBytes ?? b.requestMemoryBytes;
        if (sink) sink(policy.name, b, cpu, mem);
        s.builds++;
        s.buildHours += h;
        s.cpuReserved += cpu * h;
        s.memReserved += (mem / GiB) * h;
        s.cpuStatusQuo += b.requestCpuCores * h;
        s.memStatusQuo += (b.requestMemoryBytes / GiB) * h;
        s.cpuStatic += (st.cpuCores ?? b.requestCpuCores) * h;
        s.memStatic += ((st.memoryBytes ?? b.requestMemoryBytes) / GiB) * h;
        const p95 = b.cpuP95Cores ?? b.cpuMaxCores;
        if (p95 !== undefined) {
          s.cpuPeakUsed += p95 * h;
          if (p95 > cpu + 1e-9) s.cpuUnder++;
        }
        if (isCensored(b, thresholds)) s.censored++;
        if (b.oomKilled) {
          // The true need is above the observed limit: any allocation ≤ it certainly OOMs again.
          if (mem <= b.requestMemoryBytes) s.memUnder++;
        } else if (b.memoryPeakBytes !== undefined) {
          s.memPeakUsed += (b.memoryPeakBytes / GiB) * h;
          if (b.memoryPeakBytes > mem) s.memUnder++;
          if (b.memoryPeakBytes > 0.9 * mem) s.memNearMiss++;
        }
        addWholeCost(s, b, cpu, mem);
        if (prev !== undefined && ((prev.cpuCores ?? -1) !== (a.cpuCores ?? -1) || (prev.memoryBytes ?? -1) !== (a.memoryBytes ?? -1))) s.changes++;
        if (a.cpuCores !== undefined && a.memoryBytes !== undefined) s.coveredHours += h;
      });
      if (s) sumsOf[pi]!.set(key, s);
    }
  }

  const jobLists = sumsOf.map((m) => [...m.values()]);
  const cis = bootstrapMany(jobLists, AGGREGATES, resamples, seed, CI_FIELDS);
  const out: PolicyMetrics[] = policies.map((policy, pi) => {
    const jobs = jobLists[pi]!;
    const ci = cis[pi]!;
    const t = totals(jobs);
    return {
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
      wholeCost: { coreHours: t.cpuTotal, gibHours: t.memTotal, buildHoursLost: t.lostHours, oomReruns: t.reruns, stretchedBuilds: t.stretched },
    };
  });
  return { evalFromMs, evalToMs, policies: out, perJob };
}
