import type { Resources } from '../../model/index.js';
import { roundUpToLadder, type RecommenderPolicy, type ResourcePolicy } from './policy.js';
import type { BuildRecord } from './records.js';
import { weightedPercentileInOrder } from '../stats/weighted.js';
import { DAY_MS } from '../../util/units.js';
import { isCpuCensored, isMemoryCensored } from './censor.js';


/** Reason codes the recommender emits (keyword array `reasons` of the recommendation document). */
export type ReasonCode =
  | 'few_builds'
  | 'oom_seen'
  | 'cpu_throttled'
  | 'change_point'
  | 'shared_agent'
  | 'cap_binds'
  | 'floor'
  | 'decrease_needs_evidence'
  | 'hysteresis_hold'
  | 'step_limited';

/** The outcome for one resource. Values are cores (CPU) or bytes (memory). */
export interface ResourceEstimate {
  /** Final recommendation, on the ladder (or exactly the cap). */
  readonly value: number;
  readonly lower: number;
  readonly upper: number;
  /** Pre-headroom estimate Q (weighted percentile, with the max-of-last rule and censored values). */
  readonly estimate: number;
  /** Builds that fed the estimate (after change-point truncation). */
  readonly builds: number;
  readonly reasons: readonly ReasonCode[];
}

export interface CoreRecommendation {
  readonly cpu?: ResourceEstimate;
  readonly memory?: ResourceEstimate;
  /** Usable builds in the window (before change-point truncation). */
  readonly builds: number;
  /** Time from the oldest build start to the newest build end among the usable builds. */
  readonly spanMs: number;
  readonly reasons: readonly ReasonCode[];
}

/** Results that make a build's usage unusable (it did not run to a natural end). */
const UNUSABLE_RESULTS = new Set(['ABORTED', 'NOT_BUILT']);

/**
 * Chooses the builds a recommendation at `nowMs` may use: ended at or before `nowMs`, within
 * `windowDays`, not aborted, newest first, at most `maxBuilds`. Does not mutate `builds`.
 */
export function selectBuilds(builds: readonly BuildRecord[], policy: RecommenderPolicy, nowMs: number): BuildRecord[] {
  const fromMs = nowMs - policy.windowDays * DAY_MS;
  const out = builds.filter((b) => b.endMs <= nowMs && b.endMs >= fromMs && !UNUSABLE_RESULTS.has(b.result ?? ''));
  out.sort((a, b) => b.endMs - a.endMs || b.number - a.number);
  return out.length > policy.maxBuilds ? out.slice(0, policy.maxBuilds) : out;
}

interface Signal {
  readonly values: number[];
  /** Recency index of each value (position among the usable builds, 0 = newest). */
  readonly positions: number[];
  /** The newest censored build: its position and its censored need (memory: the OOM need; CPU: the probe, {@link cpuCensoredNeed}). */
  readonly newestCensored?: { readonly position: number; readonly need: number };
}

/**
 * The memory signal of one build: its peak, or for an OOM-killed build the censored need
 * `max(limit × oomFactor, limit + oomAddBytes)`. Undefined when unmeasured. Depends only on the
 * build and the policy (so a replay can keep builds sorted by it).
 */
export function memorySignalValue(b: BuildRecord, policy: RecommenderPolicy): number | undefined {
  if (isMemoryCensored(b)) {
    const limit = b.requestMemoryBytes ?? b.memoryPeakBytes;
    return limit === undefined ? undefined : Math.max(limit * policy.oomFactor, limit + policy.oomAddBytes);
  }
  return b.memoryPeakBytes;
}

/**
 * The CPU signal of one build: its p95 (else max, else avg). A CPU-starved build enters with what
 * it was seen to use: a lower bound of its need, not an invented value (the probe above the limit
 * is {@link cpuCensoredNeed}, applied to the recommendation, not to the percentile). Undefined
 * when unmeasured. Depends only on the build (so a replay can keep builds sorted by it).
 */
export function cpuSignalValue(b: BuildRecord): number | undefined {
  return b.cpuP95Cores ?? b.cpuMaxCores ?? b.cpuAvgCores;
}

/**
 * The probe a CPU-starved build asks for: `max(observed, min(limit × cpuCensorFactor, cap))`
 * (rightsizing.md §7: "censored: never decrease; recommend min(limit × 1.5, ladder max)").
 * Undefined when the build is not starved or unmeasured.
 */
export function cpuCensoredNeed(b: BuildRecord, policy: RecommenderPolicy): number | undefined {
  const observed = cpuSignalValue(b);
  if (observed === undefined || !isCpuCensored(b, policy)) return undefined;
  const limit = b.requestCpuCores ?? observed;
  return Math.max(observed, Math.min(limit * policy.cpuCensorFactor, policy.cpu.cap));
}

function signal(builds: readonly BuildRecord[], policy: RecommenderPolicy, kind: 'cpu' | 'memory'): Signal {
  const values: number[] = [];
  const positions: number[] = [];
  let newestCensored: Signal['newestCensored'];
  for (let i = 0; i < builds.length; i++) {
    const b = builds[i]!;
    const v = kind === 'cpu' ? cpuSignalValue(b) : memorySignalValue(b, policy);
    if (v === undefined) continue;
    values.push(v);
    positions.push(i);
    if (newestCensored !== undefined) continue;
    if (kind === 'cpu') {
      const need = cpuCensoredNeed(b, policy);
      if (need !== undefined) newestCensored = { position: i, need };
    } else if (isMemoryCensored(b)) newestCensored = { position: i, need: v };
  }
  return newestCensored ? { values, positions, newestCensored } : { values, positions };
}

const weightTables = new Map<number, Float64Array>();

/** `2^(−i/H)` for i = 0…n−1, computed once per half-life (the replay calls this 100,000s of times). */
function weightTable(halfLife: number, n: number): Float64Array {
  let t = weightTables.get(halfLife);
  if (!t || t.length < n) {
    t = new Float64Array(Math.max(n, 256));
    for (let i = 0; i < t.length; i++) t[i] = Math.pow(2, -i / halfLife);
    weightTables.set(halfLife, t);
  }
  return t;
}

/** Q = max(weighted percentile, max of the newest `maxOfLastBuilds` values) over entries [from, to). */
function estimateQ(sig: Signal, weights: ArrayLike<number>, order: ArrayLike<number>, rp: ResourcePolicy, from: number, to: number): number {
  // The shared weighted percentile (stats/), over entries [from, to) in the value order computed once.
  let q = weightedPercentileInOrder(sig.values, weights, order, rp.percentile, from, to) ?? 0;
  for (let k = from; k < Math.min(from + rp.maxOfLastBuilds, to); k++) q = Math.max(q, sig.values[k]!);
  return q;
}

function estimateResource(
  sig: Signal,
  rp: ResourcePolicy,
  policy: RecommenderPolicy,
  current: number | undefined,
  previous: number | undefined,
  spanMs: number,
  kind: 'cpu' | 'memory',
  presortedPositions?: ArrayLike<number>,
): ResourceEstimate | undefined {
  const n = sig.values.length;
  if (n < policy.minBuilds) return undefined;
  const reasons: ReasonCode[] = [];
  const table = weightTable(rp.halfLifeBuilds, sig.positions[n - 1]! + 1);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) weights[i] = table[sig.positions[i]!]!;
  let order: number[];
  if (presortedPositions !== undefined) {
    // Build positions sorted by signal value → signal indices (positions without a signal drop out).
    const posToSig = new Int32Array(sig.positions[n - 1]! + 1).fill(-1);
    for (let i = 0; i < n; i++) posToSig[sig.positions[i]!] = i;
    order = [];
    for (let k = 0; k < presortedPositions.length; k++) {
      const p = presortedPositions[k]!;
      const i = p < posToSig.length ? posToSig[p]! : -1;
      if (i >= 0) order.push(i);
    }
  } else {
    order = new Array<number>(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const vals = sig.values;
    order.sort((x, y) => vals[x]! - vals[y]!);
  }

  // Change point: the newest m builds all jumped ≥ (1 + jump) × the estimate of the older ones
  // (same weights: a constant factor does not change a weighted percentile) → drop the older.
  let used = n;
  const m = policy.changePointBuilds;
  if (n > m) {
    const older = estimateQ(sig, weights, order, rp, m, n);
    let jumped = true;
    for (let k = 0; k < m && jumped; k++) jumped = sig.values[k]! >= (1 + policy.changePointJump) * older;
    if (jumped) {
      used = m;
      reasons.push('change_point');
    }
  }
  const q = estimateQ(sig, weights, order, rp, 0, used);
  let rec = Math.max(q * (1 + rp.headroom), q + rp.headroomAbsolute) * policy.margin;

  if (sig.newestCensored !== undefined) {
    if (kind === 'memory') {
      reasons.push('oom_seen');
      // No memory recommendation below the censored need until enough successes followed.
      if (sig.newestCensored.position < policy.oomSuccessesToRelease) rec = Math.max(rec, sig.newestCensored.need);
    } else if (sig.newestCensored.position < policy.cpuCensorLookbackBuilds) {
      // A starved build among the newest: the probe above its limit (scaled by the risk knob like
      // every estimate, but not by the headroom: the probe is not a usage estimate) and never
      // below today's request. Older starved builds count only with their observed usage.
      reasons.push('cpu_throttled');
      rec = Math.max(rec, Math.min(sig.newestCensored.need * policy.margin, rp.cap), current ?? 0);
    }
  }

  if (rec < rp.floor) {
    rec = rp.floor;
    reasons.push('floor');
  }
  let value = roundUpToLadder(rec, rp.ladder);
  if (value > rp.cap) {
    value = rp.cap;
    if (rec > rp.cap) reasons.push('cap_binds');
  }

  // Larger evidence to decrease than to increase (relative to what the job reserves today).
  if (current !== undefined && value < current * (1 - policy.bigDecreaseFraction)) {
    if (n < policy.bigDecreaseMinBuilds || spanMs < policy.bigDecreaseMinDays * DAY_MS) {
      value = Math.min(current, roundUpToLadder(current * (1 - policy.bigDecreaseFraction), rp.ladder));
      reasons.push('decrease_needs_evidence');
    }
  }
  // Increase deadband: a small increase that only grows the headroom waits (Q still fits).
  if (previous !== undefined && value > previous && value <= previous * (1 + policy.increaseDeadband) + 1e-9 && q <= previous) {
    value = previous;
    reasons.push('hysteresis_hold');
  }
  // Hysteresis and step limit (relative to the previous recommendation).
  if (previous !== undefined && value < previous) {
    if (value > previous * (1 - policy.hysteresisFraction)) {
      value = previous;
      reasons.push('hysteresis_hold');
    } else if (value < previous * (1 - policy.maxDecreaseStepFraction)) {
      value = Math.min(previous, roundUpToLadder(previous * (1 - policy.maxDecreaseStepFraction), rp.ladder));
      reasons.push('step_limited');
    }
  }

  // Hysteresis or the evidence rule may hold a previous value outside [floor, cap].
  value = Math.min(rp.cap, Math.max(rp.floor, value));

  let sw = 0;
  let sw2 = 0;
  for (let i = 0; i < used; i++) {
    sw += weights[i]!;
    sw2 += weights[i]! * weights[i]!;
  }
  // n_eff = (Σw)² / Σw² (Kish), as effectiveSampleSize().
  const nEff = (sw * sw) / sw2;
  const median = weightedPercentileInOrder(sig.values, weights, order, 0.5, 0, used) ?? 0;
  const lower = Math.min(value, Math.max(rp.floor, roundUpToLadder(median * (1 + rp.headroom), rp.ladder)));
  const upper = Math.max(value, Math.min(rp.cap, roundUpToLadder(value * (1 + 1 / nEff), rp.ladder)));
  return { value, lower, upper, estimate: q, builds: used, reasons };
}

/**
 * The recommender's core: CPU and memory of one workload from its builds.
 *
 * `newestFirst` MUST already be selected for `nowMs` (see {@link selectBuilds}): sorted by end
 * time descending, windowed, capped at `maxBuilds`. `current` is what the workload reserves
 * today (the decrease-evidence rule compares with it); `previous` is the last recommendation
 * (hysteresis and step limit compare with it; undefined on a first recommendation). A resource
 * with fewer than `minBuilds` usable builds gets no estimate.
 *
 * `presorted` (optional, for the replay): the positions 0…n−1 of `newestFirst`, sorted ascending by
 * {@link cpuSignalValue} / {@link memorySignalValue}. It MUST match `newestFirst`; it saves the
 * per-call sort when a caller keeps its history sorted incrementally.
 */
export function recommendCore(
  newestFirst: readonly BuildRecord[],
  current: Resources,
  previous: Resources | undefined,
  policy: RecommenderPolicy,
  presorted?: { readonly cpu: ArrayLike<number>; readonly memory: ArrayLike<number> },
): CoreRecommendation {
  const n = newestFirst.length;
  const spanMs = n === 0 ? 0 : newestFirst[0]!.endMs - newestFirst[n - 1]!.startMs;
  const mem = estimateResource(
    signal(newestFirst, policy, 'memory'),
    policy.memory,
    policy,
    current.memory_bytes,
    previous?.memory_bytes,
    spanMs,
    'memory',
    presorted?.memory,
  );
  const cpu = estimateResource(
    signal(newestFirst, policy, 'cpu'),
    policy.cpu,
    policy,
    current.cpu_cores,
    previous?.cpu_cores,
    spanMs,
    'cpu',
    presorted?.cpu,
  );
  const reasons = new Set<ReasonCode>();
  if (cpu === undefined || mem === undefined) reasons.add('few_builds');
  for (const r of [...(cpu?.reasons ?? []), ...(mem?.reasons ?? [])]) reasons.add(r);
  if (newestFirst.some((b) => b.oomKilled)) reasons.add('oom_seen');
  if (newestFirst.some((b) => b.sharedAgent)) reasons.add('shared_agent');
  return { ...(cpu ? { cpu } : {}), ...(mem ? { memory: mem } : {}), builds: n, spanMs, reasons: [...reasons] };
}
