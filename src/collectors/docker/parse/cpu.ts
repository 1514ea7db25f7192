/**
 * CPU cores from two stats readings (pure): the project's formula and the Docker CLI's, for
 * cross-checking.
 */
import { MAX_HOST_CPUS } from './bounds.js';
import type { CpuSnapshot } from './stats.js';
import { nsBetween } from './time.js';

/** Why a pair of readings gave no CPU figure. */
export type CpuSkipReason =
  /** No earlier reading of this container yet. */
  | 'first_reading'
  /** A counter went backwards or time did not advance (restart with the same id, daemon restart, clock step back). */
  | 'counter_reset'
  /**
   * The rate exceeds what the host (its CPU count, else {@link MAX_HOST_CPUS}) or the
   * container's CPU limit lets it use: the counters cannot belong to one uninterrupted run, or
   * the engine reports nonsense. The collector counts it as an item error, not a skip.
   */
  | 'implausible_rate'
  /** The daemon's clock moved very differently from the collector's between the readings. */
  | 'clock_jump';

/** CPU usage over the window between two readings. */
export interface CpuFigure {
  readonly ok: true;
  /** Average cores used over the window (1.0 = one full core). Finite and ≥ 0. */
  readonly cores: number;
  /** The window (Δ`read`), ms. */
  readonly intervalMs: number;
  /** Deltas of the throttling counters over the window, when both readings have them. */
  readonly throttled?: { readonly periods?: number; readonly timeMs?: number; readonly totalPeriods?: number };
}

export type CpuResult = CpuFigure | { readonly ok: false; readonly reason: CpuSkipReason };

/** Options of {@link containerCpuCores}. */
export interface CpuRateOptions {
  /**
   * The same window measured on the collector's clock (time between receiving the two
   * readings), ms. When given, a daemon window that differs from it by more than
   * `max(maxClockDisagreementMs, 25 %)` yields `clock_jump` instead of a figure.
   */
  readonly observedIntervalMs?: number;
  /** @defaultValue 10_000 ms: larger than any per-call timeout, so request latency never trips it. */
  readonly maxClockDisagreementMs?: number;
  /**
   * The engine reported a `start` of this container between the two readings (see
   * {@link startedBetween}): the counters belong to different runs → `counter_reset`, even when
   * the new run has already used more CPU than the old one (which the counters alone cannot see).
   */
  readonly restartedBetween?: boolean;
  /**
   * The container's CPU limit (inspect), cores. CFS enforces it per 100 ms period, so over a
   * window of W ms a container can use at most `limit × (1 + 100 / W)` on average; a rate above
   * that (+5 %) → `implausible_rate`.
   */
  readonly limitCores?: number;
}

/** The CFS period Docker sets with `--cpus`, ms: the slack a quota allows within one window. */
const CFS_PERIOD_MS = 100;

/**
 * Average cores a container used between two readings:
 *
 *     cores = Δ cpu_usage.total_usage [ns] / Δ read [ns]
 *
 * Why Δ`read` (the daemon's wall clock) and not the Docker CLI's
 * `Δtotal / Δsystem_cpu_usage × online_cpus`: one-shot readings carry no `precpu_stats`, so the
 * window is ours to choose, and the wall clock is the direct measure of it. `system_cpu_usage`
 * comes from `/proc/stat` in 10 ms ticks summed over CPUs, is absent on Windows and in one-shot
 * `precpu_stats`, and its CPU count is absent before API 1.27 (`percpu_usage.length` then counts
 * offline CPUs too). Both agree to within a fraction of a percent where both apply; see
 * {@link dockerCliCores} for the cross-check.
 *
 * Worked example (docker-java API 1.27 capture, the daemon's own pair `preread` → `read`):
 * read 00:42:03.8352972, preread 00:42:02.8366736 → Δwall = 998,623,600 ns;
 * total_usage 212,198,028 − 211,307,214 = 890,814 ns → 890,814 / 998,623,600 = 0.000892 cores.
 * The CLI formula gives 890,814 / 3,990,000,000 × 4 = 0.000893 cores.
 *
 * Recorded on the engine here (test/fixtures/docker/recorded, `workload --cpu 0.5`, two one-shot
 * readings): 1,011,390,345 ns / 2,024,588,321 ns = 0.4996 cores; the daemon's own ~1 s pair in
 * the same run gives 0.4991 by Δ`read` but 0.5170 by the CLI formula, whose `system_cpu_usage`
 * moves in 10 ms ticks (1.94 s of host CPU counted for 2 × 1.005 s).
 *
 * Rules: no previous reading → `first_reading`; Δwall ≤ 0 or any cumulative counter
 * (total_usage, throttling counters, v1 max_usage) lower than before → `counter_reset`; a rate
 * above the host's CPU count (+5 %; {@link MAX_HOST_CPUS} when the reading has none) or above
 * the container's CPU limit (see {@link CpuRateOptions.limitCores}), or throttled time above the
 * window × CPUs → `implausible_rate`. The result is never negative, NaN or
 * Infinity. A long gap between readings (daemon away for a while) simply widens the window: the
 * figure is then the correct average over the gap.
 *
 * MUST be pure.
 */
export function containerCpuCores(prev: CpuSnapshot | undefined, cur: CpuSnapshot, options: CpuRateOptions = {}): CpuResult {
  if (prev === undefined) return { ok: false, reason: 'first_reading' };
  if (options.restartedBetween === true) return { ok: false, reason: 'counter_reset' };
  const wallNs = nsBetween(prev.read, cur.read);
  const wallMs = wallNs / 1e6;
  const usedNs = cur.totalUsageNs - prev.totalUsageNs;
  if (!(wallNs > 0) || !Number.isFinite(wallNs) || !(usedNs >= 0) || !Number.isFinite(usedNs)) return { ok: false, reason: 'counter_reset' };
  if (cur.maxUsageBytes !== undefined && prev.maxUsageBytes !== undefined && cur.maxUsageBytes < prev.maxUsageBytes) {
    return { ok: false, reason: 'counter_reset' };
  }
  const dPeriods = delta(prev.throttling?.periods, cur.throttling?.periods);
  const dThrottled = delta(prev.throttling?.throttledPeriods, cur.throttling?.throttledPeriods);
  const dThrottledNs = delta(prev.throttling?.throttledTimeNs, cur.throttling?.throttledTimeNs);
  if (dPeriods === null || dThrottled === null || dThrottledNs === null) return { ok: false, reason: 'counter_reset' };

  const observed = options.observedIntervalMs;
  if (observed !== undefined && Number.isFinite(observed) && observed >= 0) {
    const allowed = Math.max(options.maxClockDisagreementMs ?? 10_000, 0.25 * observed);
    if (Math.abs(wallMs - observed) > allowed) return { ok: false, reason: 'clock_jump' };
  }

  const cores = usedNs / wallNs;
  if (!Number.isFinite(cores)) return { ok: false, reason: 'counter_reset' };
  const cpus = cur.onlineCpus ?? prev.onlineCpus ?? MAX_HOST_CPUS;
  if (cores > cpus * 1.05) return { ok: false, reason: 'implausible_rate' };
  // throttled time sums over the CPUs: at most the window on each of them
  if (dThrottledNs !== undefined && dThrottledNs > wallNs * cpus * 1.05) return { ok: false, reason: 'implausible_rate' };
  const limit = options.limitCores;
  if (limit !== undefined && limit > 0 && cores > limit * (1 + CFS_PERIOD_MS / wallMs) * 1.05) return { ok: false, reason: 'implausible_rate' };

  const throttled =
    dPeriods === undefined && dThrottled === undefined && dThrottledNs === undefined
      ? undefined
      : {
          ...(dThrottled !== undefined && { periods: dThrottled }),
          ...(dThrottledNs !== undefined && { timeMs: dThrottledNs / 1e6 }),
          ...(dPeriods !== undefined && { totalPeriods: dPeriods }),
        };
  return { ok: true, cores, intervalMs: wallMs, ...(throttled !== undefined && { throttled }) };
}

/** Δ of a cumulative counter: undefined when either side is unknown, null when it went backwards. */
function delta(prev: number | undefined, cur: number | undefined): number | undefined | null {
  if (prev === undefined || cur === undefined) return undefined;
  return cur < prev ? null : cur - prev;
}

/**
 * The Docker CLI's figure for the same window, `Δtotal / Δsystem × online_cpus` (its "CPU %"
 * divided by 100), for cross-checking {@link containerCpuCores}. Undefined when either reading
 * lacks `system_cpu_usage` or the CPU count, or when a delta is not positive.
 */
export function dockerCliCores(prev: CpuSnapshot, cur: CpuSnapshot): number | undefined {
  if (prev.systemUsageNs === undefined || cur.systemUsageNs === undefined) return undefined;
  const cpus = cur.onlineCpus ?? prev.onlineCpus;
  const dSystem = cur.systemUsageNs - prev.systemUsageNs;
  const dTotal = cur.totalUsageNs - prev.totalUsageNs;
  if (cpus === undefined || !(dSystem > 0) || !(dTotal >= 0)) return undefined;
  const cores = (dTotal / dSystem) * cpus;
  return Number.isFinite(cores) ? cores : undefined;
}
