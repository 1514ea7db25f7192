import { GiB, MiB } from '../../util/units.js';
import type { CensorThresholds } from './censor.js';
/**
 * Every tunable of the rightsize recommender in one object, with defaults and the reason for
 * each (see docs/recommender.md and ../shared/design/reference/rightsizing.md §7).
 */


/** A rounding ladder: values are rounded UP to the next multiple of `step`, chosen by size. */
export interface LadderStep {
  /** This step applies to values strictly below `below` (the last entry may use Infinity). */
  readonly below: number;
  readonly step: number;
}

export interface ResourcePolicy {
  /** Recency half-life in builds: weight `2^(−i/H)` for the build `i` positions back. */
  readonly halfLifeBuilds: number;
  /** Percentile (0..1) of the weighted per-build signal (CPU: per-build p95; memory: per-build peak). */
  readonly percentile: number;
  /** Multiplicative headroom: `rec = Q × (1 + headroom)`. */
  readonly headroom: number;
  /** Additive headroom (cores or bytes): `rec = max(Q × (1 + headroom), Q + headroomAbsolute)`. */
  readonly headroomAbsolute: number;
  /** Also take the max of the last N builds (memory: 5; 0 disables). */
  readonly maxOfLastBuilds: number;
  /** Rounding ladder, ascending by `below`. */
  readonly ladder: readonly LadderStep[];
  /** Floor (cores or bytes). */
  readonly floor: number;
  /** Cap: the largest agent a build can get (cores or bytes). */
  readonly cap: number;
}

export interface RecommenderPolicy extends CensorThresholds {
  readonly cpu: ResourcePolicy;
  readonly memory: ResourcePolicy;
  /** Only builds that ended within this many days before `now` count. @defaultValue 30 */
  readonly windowDays: number;
  /** At most this many (newest) builds count. @defaultValue 100 */
  readonly maxBuilds: number;
  /** No recommendation at all below this many usable builds. @defaultValue 5 */
  readonly minBuilds: number;
  /** A decrease larger than this fraction of the current request needs more evidence. @defaultValue 0.25 */
  readonly bigDecreaseFraction: number;
  /** ... namely at least this many builds ... @defaultValue 10 */
  readonly bigDecreaseMinBuilds: number;
  /** ... spanning at least this many days. @defaultValue 2 */
  readonly bigDecreaseMinDays: number;
  /** Hysteresis: decrease only if at least this fraction below the previous recommendation. @defaultValue 0.25 (issue 13: churn ≤ 2 per 100 builds, chosen on the tuning half) */
  readonly hysteresisFraction: number;
  /** At most this fraction lower per step. @defaultValue 0.5 */
  readonly maxDecreaseStepFraction: number;
  /**
   * Increase deadband: with a previous recommendation, a new value at most this fraction above
   * it is not applied as long as the pre-headroom estimate Q itself still fits under the previous
   * value (usage is covered; only the headroom would grow). Any Q above the previous value raises
   * immediately. Cuts churn and the upward ratchet of noisy jobs. 0 disables. @defaultValue 0.2
   */
  readonly increaseDeadband: number;
  /** Change point: the last `changePointBuilds` builds all ≥ (1 + this) × the older estimate. @defaultValue 0.3 */
  readonly changePointJump: number;
  /** @defaultValue 3 */
  readonly changePointBuilds: number;
  /** OOM-killed build: censored need `max(limit × oomFactor, limit + oomAddBytes)`. @defaultValue 1.5 */
  readonly oomFactor: number;
  /** @defaultValue 512 MiB */
  readonly oomAddBytes: number;
  /** After an OOM, no memory recommendation below the censored need until this many successes. @defaultValue 10 */
  readonly oomSuccessesToRelease: number;
  /** CPU censoring: throttled time / duration above this marks a build as CPU-starved. @defaultValue 0.05 */
  readonly throttledRatioCensor: number;
  /**
   * CPU censoring when the build has no throttled ratio: its p95 ≥ this × the CPU limit marks it
   * CPU-starved (see `isCpuCensored` in censor.ts; the max is not used, it is one noisy sample). @defaultValue 0.95
   */
  readonly cpuP95NearLimit: number;
  /** CPU-starved build: censored need `min(limit × this, cap)`. @defaultValue 1.5 */
  readonly cpuCensorFactor: number;
  /**
   * A CPU-starved build among the newest N: CPU is at least its probe `max(p95, min(limit ×
   * cpuCensorFactor, cap)) × margin` and never below today's request. Older starved builds count
   * with their observed p95 only. @defaultValue 5
   */
  readonly cpuCensorLookbackBuilds: number;
  /** Confidence `medium` from this many builds. @defaultValue 10 */
  readonly mediumConfidenceBuilds: number;
  /** Confidence `high` from this many builds. @defaultValue 20 */
  readonly highConfidenceBuilds: number;
  /** KRR-like severity thresholds on |current − recommended|. */
  readonly severity: {
    readonly cpuWarningCores: number;
    readonly cpuCriticalCores: number;
    readonly memoryWarningBytes: number;
    readonly memoryCriticalBytes: number;
  };
  /**
   * The risk knob (`replay --sweep margin=…`): the headroom-inclusive estimate of both resources,
   * and the CPU-starved probe, are multiplied by this before the holds (never below today's CPU
   * request after a starved build, never below an OOM need), floors and the ladder. Below 1 takes
   * more under-provisioning risk for less reservation, above 1 less. @defaultValue 1
   */
  readonly margin: number;
  /** Key PR branches of a multibranch job (`.../PR-123`) as one workload `.../PR-*`. @defaultValue false */
  readonly splitBranchKind: boolean;
}

/** CPU: 0.1-core steps below 4 cores, 0.25 above. */
export const DEFAULT_CPU_LADDER: readonly LadderStep[] = [
  { below: 4, step: 0.1 },
  { below: Infinity, step: 0.25 },
];

/** Memory: 128 MiB steps below 2 GiB, 256 MiB above (rightsizing.md §7). */
export const DEFAULT_MEMORY_LADDER: readonly LadderStep[] = [
  { below: 2 * GiB, step: 128 * MiB },
  { below: Infinity, step: 256 * MiB },
];

export const DEFAULT_POLICY: RecommenderPolicy = Object.freeze({
  cpu: Object.freeze({
    // Build cadence varies too much for time half-lives; 10 builds for CPU (§7).
    halfLifeBuilds: 10,
    // p95 of per-build p95s when the CFS quota is enforced (§7).
    percentile: 0.95,
    headroom: 0.15,
    headroomAbsolute: 0,
    maxOfLastBuilds: 0,
    ladder: DEFAULT_CPU_LADDER,
    floor: 0.25,
    cap: 16,
  }),
  memory: Object.freeze({
    halfLifeBuilds: 20,
    // Q = max(weighted p99 of build peaks, max of last 5 builds); rec = max(Q × 1.2, Q + 256 MiB).
    percentile: 0.99,
    headroom: 0.2,
    headroomAbsolute: 256 * MiB,
    maxOfLastBuilds: 5,
    ladder: DEFAULT_MEMORY_LADDER,
    // The Jenkins remoting JVM alone needs about this much.
    floor: 512 * MiB,
    cap: 64 * GiB,
  }),
  windowDays: 30,
  maxBuilds: 100,
  minBuilds: 5,
  bigDecreaseFraction: 0.25,
  bigDecreaseMinBuilds: 10,
  bigDecreaseMinDays: 2,
  hysteresisFraction: 0.25,
  maxDecreaseStepFraction: 0.5,
  increaseDeadband: 0.2,
  changePointJump: 0.3,
  changePointBuilds: 3,
  oomFactor: 1.5,
  oomAddBytes: 512 * MiB,
  oomSuccessesToRelease: 10,
  throttledRatioCensor: 0.05,
  cpuP95NearLimit: 0.95,
  cpuCensorFactor: 1.5,
  cpuCensorLookbackBuilds: 5,
  mediumConfidenceBuilds: 10,
  highConfidenceBuilds: 20,
  severity: Object.freeze({
    cpuWarningCores: 0.25,
    cpuCriticalCores: 0.5,
    memoryWarningBytes: 250 * 1000 * 1000,
    memoryCriticalBytes: 500 * 1000 * 1000,
  }),
  margin: 1,
  splitBranchKind: false,
});

/** Returns `policy` with `patch` applied (one level deep for `cpu`, `memory`, `severity`). */
export function withPolicy(
  patch: Partial<Omit<RecommenderPolicy, 'cpu' | 'memory' | 'severity'>> & {
    cpu?: Partial<ResourcePolicy>;
    memory?: Partial<ResourcePolicy>;
    severity?: Partial<RecommenderPolicy['severity']>;
  },
  base: RecommenderPolicy = DEFAULT_POLICY,
): RecommenderPolicy {
  return {
    ...base,
    ...patch,
    cpu: { ...base.cpu, ...patch.cpu },
    memory: { ...base.memory, ...patch.memory },
    severity: { ...base.severity, ...patch.severity },
  };
}

/**
 * Rounds `value` up to the ladder: the step is the one of the first entry whose `below` exceeds
 * the value. A tiny epsilon keeps exact multiples (0.6 after float arithmetic) from jumping a step.
 *
 * @example roundUpToLadder(0.588, [{ below: Infinity, step: 0.1 }]) === 0.6
 */
export function roundUpToLadder(value: number, ladder: readonly LadderStep[]): number {
  if (!(value > 0)) return 0;
  let entry: LadderStep | undefined;
  for (const l of ladder) {
    entry = l;
    if (value < l.below) break;
  }
  if (entry === undefined) return value;
  const k = Math.ceil(value / entry.step - 1e-9);
  // Snap to 1e-9 so 3 × 0.1 is 0.3, not 0.30000000000000004 (steps are ≥ 1e-3 cores or whole bytes).
  return Math.round(k * entry.step * 1e9) / 1e9;
}
