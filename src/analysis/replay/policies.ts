import { cpuSignalValue, memorySignalValue, recommendCore } from '../recommend/core.js';
import { DEFAULT_POLICY, roundUpToLadder, type LadderStep, type RecommenderPolicy } from '../recommend/policy.js';
import type { BuildRecord } from '../recommend/records.js';
import { percentile, SortedWeightedValues } from '../stats/weighted.js';
import { DAY_MS, HOUR_MS, MiB } from '../../util/units.js';
import type { JobContext } from './engine.js';


/** What a policy reserves for one build. Absent resource → the status-quo request is used (cold start). */
export interface Allocation {
  readonly cpuCores?: number;
  readonly memoryBytes?: number;
}

/**
 * A replay policy. The engine calls `observe` for every build of a job that ENDED before the
 * next build of that job starts (walk-forward), in end order, then `allocate` for that build.
 * `allocate` MUST only use `build.key`, `build.startMs` and `build.request*` (what is known when
 * a build is scheduled) — except the oracles, which are marked `clairvoyant`.
 */
export interface ReplayPolicy<S = unknown> {
  readonly name: string;
  readonly clairvoyant?: boolean;
  /** Fresh per-job state. `job` (the job's builds, as the engine runs it) is for clairvoyant policies only. */
  init(key: string, job?: JobContext): S;
  observe(state: S, build: BuildRecord): void;
  allocate(state: S, build: BuildRecord): Allocation;
}

/** Rounding shared by every policy (replay rule 4): the recommender's ladders. */
export interface LadderPair {
  readonly cpu: readonly LadderStep[];
  readonly memory: readonly LadderStep[];
}

const defaultLadders: LadderPair = { cpu: DEFAULT_POLICY.cpu.ladder, memory: DEFAULT_POLICY.memory.ladder };

/** (a) Status quo: the label's fixed request. */
export function statusQuoPolicy(): ReplayPolicy<null> {
  return {
    name: 'status_quo',
    init: () => null,
    observe: () => undefined,
    allocate: (_s, b) => ({
      ...(b.requestCpuCores !== undefined ? { cpuCores: b.requestCpuCores } : {}),
      ...(b.requestMemoryBytes !== undefined ? { memoryBytes: b.requestMemoryBytes } : {}),
    }),
  };
}

/**
 * Per-build CPU "samples" reconstructed from a build summary: half the build's time at p50,
 * 45% at p95, 5% at max (weights × duration). An approximation of pooling the in-build samples
 * KRR and VPA see; documented in docs/recommender.md.
 */
function pseudoCpuSamples(b: BuildRecord): Array<[number, number]> {
  const d = b.durationMs / 60_000;
  const p95 = b.cpuP95Cores ?? b.cpuMaxCores ?? b.cpuAvgCores;
  if (p95 === undefined) return [];
  const p50 = b.cpuP50Cores ?? b.cpuAvgCores ?? p95;
  const max = b.cpuMaxCores ?? p95;
  return [
    [p50, 0.5 * d],
    [p95, 0.45 * d],
    [max, 0.05 * d],
  ];
}

interface KrrState {
  builds: BuildRecord[];
  head: number;
  firstStartMs: number;
  cpu: SortedWeightedValues;
  samples: number;
}

/**
 * (b) KRR-like `simple`: CPU = p95 of pooled in-build samples over 14 days, no headroom;
 * memory = max build peak over 14 days × 1.15; minimums 10 m / 100 MiB; needs ≥ 100 samples
 * and ≥ 3 h of history; then the shared ladder.
 */
export function krrPolicy(ladders: LadderPair = defaultLadders): ReplayPolicy<KrrState> {
  const windowMs = 14 * DAY_MS;
  return {
    name: 'krr',
    init: (): KrrState => ({ builds: [], head: 0, firstStartMs: Infinity, cpu: new SortedWeightedValues(), samples: 0 }),
    observe: (st, b) => {
            st.builds.push(b);
      st.firstStartMs = Math.min(st.firstStartMs, b.startMs);
      st.samples += b.sampleCount ?? 0;
      for (const [v, w] of pseudoCpuSamples(b)) st.cpu.add(v, w);
    },
    allocate: (st, b) => {
            const from = b.startMs - windowMs;
      while (st.head < st.builds.length && st.builds[st.head]!.endMs < from) {
        const old = st.builds[st.head++]!;
        st.samples -= old.sampleCount ?? 0;
        for (const [v, w] of pseudoCpuSamples(old)) st.cpu.remove(v, w);
      }
      if (st.head > 1024) {
        st.builds = st.builds.slice(st.head);
        st.head = 0;
      }
      let peak = 0;
      for (let i = st.head; i < st.builds.length; i++) {
        const p = st.builds[i]!.memoryPeakBytes;
        if (p !== undefined && p > peak) peak = p;
      }
      if (st.samples < 100 || b.startMs - st.firstStartMs < 3 * HOUR_MS) return {};
      const cpu = st.cpu.percentile(0.95);
      return {
        ...(cpu !== undefined ? { cpuCores: roundUpToLadder(Math.max(cpu, 0.01), ladders.cpu) } : {}),
        ...(peak > 0 ? { memoryBytes: roundUpToLadder(Math.max(peak * 1.15, 100 * MiB), ladders.memory) } : {}),
      };
    },
  };
}

/**
 * A VPA-style decaying histogram: exponential buckets each 5% wider than the previous
 * (`start(n) = first·(1.05^n − 1)/0.05`), weights × `2^((t − ref)/halfLife)`, percentile =
 * END of the bucket where the cumulative weight reaches the target (as VPA's `Percentile()`).
 */
export class DecayingHistogram {
  private readonly weights: Float64Array;
  private total = 0;
  private refMs: number | undefined;

  constructor(
    private readonly firstBucket: number,
    maxValue: number,
    private readonly halfLifeMs: number,
    private readonly growth = 0.05,
  ) {
    const n = Math.ceil(Math.log(1 + (maxValue * growth) / firstBucket) / Math.log(1 + growth)) + 1;
    this.weights = new Float64Array(n);
  }

  private bucketOf(v: number): number {
    if (v <= 0) return 0;
    const i = Math.floor(Math.log(1 + (v * this.growth) / this.firstBucket) / Math.log(1 + this.growth));
    return Math.min(this.weights.length - 1, i);
  }

  bucketStart(i: number): number {
    return (this.firstBucket * (Math.pow(1 + this.growth, i) - 1)) / this.growth;
  }

  add(value: number, weight: number, atMs: number): void {
    this.refMs ??= atMs;
    let exp = (atMs - this.refMs) / this.halfLifeMs;
    if (exp > 40) {
      // Renormalise so the scale factors stay finite: shift the reference to `atMs`.
      const f = Math.pow(2, -exp);
      for (let i = 0; i < this.weights.length; i++) this.weights[i]! *= f;
      this.total *= f;
      this.refMs = atMs;
      exp = 0;
    }
    const w = weight * Math.pow(2, exp);
    this.weights[this.bucketOf(value)]! += w;
    this.total += w;
  }

  isEmpty(): boolean {
    return this.total <= 0;
  }

  percentile(q: number): number | undefined {
    if (this.total <= 0) return undefined;
    const target = q * this.total;
    let acc = 0;
    for (let i = 0; i < this.weights.length; i++) {
      acc += this.weights[i]!;
      if (acc >= target && this.weights[i]! > 0) return this.bucketStart(i + 1);
    }
    return this.bucketStart(this.weights.length);
  }
}

interface VpaState {
  cpu: DecayingHistogram;
  mem: DecayingHistogram;
}

/**
 * (c) VPA-like: 5%-bucket decaying histograms with 24 h half-lives; CPU p90 of the pooled samples
 * × 1.15; memory p90 of per-build peaks × 1.15; an OOM-killed build adds `max(used + 100 MiB,
 * used × 1.2)` with `used = max(request, peak)`; minimums 25 m / 250 MiB; then the shared ladder.
 */
export function vpaPolicy(ladders: LadderPair = defaultLadders): ReplayPolicy<VpaState> {
  const halfLife = 24 * HOUR_MS;
  return {
    name: 'vpa',
    init: (): VpaState => ({ cpu: new DecayingHistogram(0.01, 1000, halfLife), mem: new DecayingHistogram(1e7, 1e12, halfLife) }),
    observe: (st, b) => {
            for (const [v, w] of pseudoCpuSamples(b)) st.cpu.add(v, w * 0.1, b.endMs);
      if (b.oomKilled) {
        const used = Math.max(b.requestMemoryBytes ?? 0, b.memoryPeakBytes ?? 0);
        if (used > 0) st.mem.add(Math.max(used + 100 * MiB, used * 1.2), 1, b.endMs);
      } else if (b.memoryPeakBytes !== undefined) st.mem.add(b.memoryPeakBytes, 1, b.endMs);
    },
    allocate: (st) => {
            const cpu = st.cpu.percentile(0.9);
      const mem = st.mem.percentile(0.9);
      return {
        ...(cpu !== undefined ? { cpuCores: roundUpToLadder(Math.max(cpu * 1.15, 0.025), ladders.cpu) } : {}),
        ...(mem !== undefined ? { memoryBytes: roundUpToLadder(Math.max(mem * 1.15, 250 * MiB), ladders.memory) } : {}),
      };
    },
  };
}

/** Build sequence numbers kept sorted by a signal value (binary-search insertion; no re-sorting). */
class SortedSeqs {
  values: number[] = [];
  seqs: number[] = [];

  insert(v: number, seq: number): void {
    let lo = 0;
    let hi = this.values.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.values[mid]! <= v) lo = mid + 1;
      else hi = mid;
    }
    this.values.splice(lo, 0, v);
    this.seqs.splice(lo, 0, seq);
  }

  dropBelow(minSeq: number): void {
    const v: number[] = [];
    const s: number[] = [];
    for (let i = 0; i < this.seqs.length; i++)
      if (this.seqs[i]! >= minSeq) {
        v.push(this.values[i]!);
        s.push(this.seqs[i]!);
      }
    this.values = v;
    this.seqs = s;
  }

  /** Positions (latestSeq − seq) of the builds with seq ≥ minSeq, in value order. */
  positions(minSeq: number, latestSeq: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.seqs.length; i++) {
      const q = this.seqs[i]!;
      if (q >= minSeq) out.push(latestSeq - q);
    }
    return out;
  }
}

interface OursState {
  /** Usable observed builds (not aborted), oldest first; observe order is end order. */
  builds: BuildRecord[];
  /** Sequence number of builds[0]. */
  seqBase: number;
  cpu: SortedSeqs;
  memory: SortedSeqs;
  dirty: boolean;
  last?: Allocation;
}

/**
 * (d) Ours: the rightsize recommender ({@link recommendCore}) with its hysteresis state. The
 * history is kept sorted by each resource's signal as builds arrive, so a recommendation costs
 * O(window) instead of a sort per build.
 */
export function oursPolicy(policy: RecommenderPolicy = DEFAULT_POLICY, name = 'ours'): ReplayPolicy<OursState> {
  const windowMs = policy.windowDays * DAY_MS;
  return {
    name,
    init: (): OursState => ({ builds: [], seqBase: 0, cpu: new SortedSeqs(), memory: new SortedSeqs(), dirty: false }),
    observe: (st, b) => {
            if (b.result === 'ABORTED' || b.result === 'NOT_BUILT') return;
      const seq = st.seqBase + st.builds.length;
      st.builds.push(b);
      const c = cpuSignalValue(b);
      const m = memorySignalValue(b, policy);
      if (c !== undefined) st.cpu.insert(c, seq);
      if (m !== undefined) st.memory.insert(m, seq);
      if (st.builds.length > 4 * policy.maxBuilds) {
        const drop = st.builds.length - policy.maxBuilds;
        st.builds = st.builds.slice(drop);
        st.seqBase += drop;
        st.cpu.dropBelow(st.seqBase);
        st.memory.dropBelow(st.seqBase);
      }
      st.dirty = true;
    },
    allocate: (st, b) => {
            if (!st.dirty && st.last !== undefined) return st.last;
      const newestFirst: BuildRecord[] = [];
      for (let i = st.builds.length - 1; i >= 0 && newestFirst.length < policy.maxBuilds; i--) {
        const x = st.builds[i]!;
        if (x.endMs < b.startMs - windowMs) break;
        newestFirst.push(x);
      }
      const latestSeq = st.seqBase + st.builds.length - 1;
      const minSeq = latestSeq - newestFirst.length + 1;
      const current = {
        ...(b.requestCpuCores !== undefined ? { cpu_cores: b.requestCpuCores } : {}),
        ...(b.requestMemoryBytes !== undefined ? { memory_bytes: b.requestMemoryBytes } : {}),
      };
      const prev = st.last
        ? {
            ...(st.last.cpuCores !== undefined ? { cpu_cores: st.last.cpuCores } : {}),
            ...(st.last.memoryBytes !== undefined ? { memory_bytes: st.last.memoryBytes } : {}),
          }
        : undefined;
      const core = recommendCore(newestFirst, current, prev, policy, {
        cpu: st.cpu.positions(minSeq, latestSeq),
        memory: st.memory.positions(minSeq, latestSeq),
      });
      const alloc: Allocation = {
        ...(core.cpu ? { cpuCores: core.cpu.value } : {}),
        ...(core.memory ? { memoryBytes: core.memory.value } : {}),
      };
      st.dirty = false;
      st.last = alloc.cpuCores !== undefined || alloc.memoryBytes !== undefined ? alloc : undefined;
      return alloc;
    },
  };
}

/** (e1) Per-build clairvoyant oracle ("physical limit"): this build's max CPU and peak memory, on the ladder. */
export function clairvoyantPolicy(ladders: LadderPair = defaultLadders): ReplayPolicy<null> {
  return {
    name: 'oracle_build',
    clairvoyant: true,
    init: () => null,
    observe: () => undefined,
    allocate: (_s, b) => {
      const cpu = b.cpuMaxCores !== undefined || b.cpuP95Cores !== undefined ? Math.max(b.cpuMaxCores ?? 0, b.cpuP95Cores ?? 0) : undefined;
      const mem = b.oomKilled ? undefined : b.memoryPeakBytes;
      return {
        ...(cpu !== undefined ? { cpuCores: roundUpToLadder(cpu, ladders.cpu) } : {}),
        ...(mem !== undefined ? { memoryBytes: roundUpToLadder(mem, ladders.memory) } : {}),
      };
    },
  };
}

/** The static oracle's per-job state: the max p95 CPU and max peak memory of the evaluation builds. */
interface StaticBest {
  cpu: number;
  mem: number;
}

/**
 * (e2) Per-job static hindsight oracle: for every build the job's max p95 CPU and max peak
 * memory over the evaluation period [`evalFromMs`, `evalToMs`), on the ladder — the best fixed
 * zero-under-provisioning setting. Without `builds`, the engine's per-job context gives them
 * (its evaluation window), so the replay never needs every build in memory.
 */
export function staticOraclePolicy(
  builds?: readonly BuildRecord[],
  evalFromMs?: number,
  ladders: LadderPair = defaultLadders,
  evalToMs = Infinity,
): ReplayPolicy<StaticBest | undefined> {
  const bestOf = (job: Iterable<BuildRecord>, from: number, to: number): Map<string, StaticBest> => {
    const best = new Map<string, StaticBest>();
    for (const b of job) {
      if (b.startMs < from || b.startMs >= to) continue;
      const e = best.get(b.key) ?? { cpu: 0, mem: 0 };
      e.cpu = Math.max(e.cpu, b.cpuP95Cores ?? b.cpuMaxCores ?? 0);
      e.mem = Math.max(e.mem, b.memoryPeakBytes ?? 0);
      best.set(b.key, e);
    }
    return best;
  };
  // Given the builds up front (legacy) the oracle is computed once; else per job from what the engine passes.
  const upfront = builds !== undefined && evalFromMs !== undefined ? bestOf(builds, evalFromMs, evalToMs) : undefined;
  return {
    name: 'oracle_static',
    clairvoyant: true,
    init: (key, job) => (upfront ? upfront.get(key) : job ? bestOf(job.builds, job.evalFromMs, job.evalToMs).get(key) : undefined),
    observe: () => undefined,
    allocate: (e) => {
      if (!e) return {};
      return {
        ...(e.cpu > 0 ? { cpuCores: roundUpToLadder(e.cpu, ladders.cpu) } : {}),
        ...(e.mem > 0 ? { memoryBytes: roundUpToLadder(e.mem, ladders.memory) } : {}),
      };
    },
  };
}

/**
 * (e3) Per-job hindsight quantile: for every build the nearest-rank `q`-quantile (stats `percentile`) of the job's
 * evaluation builds (CPU p95, else max; memory peak, OOM-killed builds left out since their true
 * peak is unknown), on the ladder. A clairvoyant reference for the frontier: no causal fixed
 * per-job setting has a lower cost at its under-provisioning rate. `q` = 1 is the static oracle
 * without the OOM-killed builds' peaks. Reads the engine's per-job context.
 */
export function hindsightQuantilePolicy(q: number, ladders: LadderPair = defaultLadders): ReplayPolicy<Allocation | undefined> {
  return {
    name: `hindsight_q${q}`,
    clairvoyant: true,
    init: (_key, job) => {
      if (!job) return undefined;
      const inEval = job.builds.filter((b) => b.startMs >= job.evalFromMs && b.startMs < job.evalToMs);
      // stats percentile: nearest rank (Hyndman–Fan type 1)
      const cpu = percentile(inEval.map((b) => b.cpuP95Cores ?? b.cpuMaxCores ?? 0), q) ?? 0;
      const mem = percentile(inEval.filter((b) => !b.oomKilled).map((b) => b.memoryPeakBytes ?? 0), q) ?? 0;
      return {
        ...(cpu > 0 ? { cpuCores: roundUpToLadder(cpu, ladders.cpu) } : {}),
        ...(mem > 0 ? { memoryBytes: roundUpToLadder(mem, ladders.memory) } : {}),
      };
    },
    observe: () => undefined,
    allocate: (a) => a ?? {},
  };
}
