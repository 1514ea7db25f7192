/**
 * Weighted statistics used by every recommender: recency weights, weighted percentiles and the
 * effective sample size. Pure functions; inputs are never mutated.
 */

/**
 * Recency weights by build age: the newest build (index 0) weighs 1, the build `i` positions
 * older weighs `2^(−i/H)`, so a build `H` positions back counts half as much.
 *
 * @example recencyWeights(3, 1) → [1, 0.5, 0.25]
 */
export function recencyWeights(count: number, halfLifeBuilds: number): number[] {
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = Math.pow(2, -i / halfLifeBuilds);
  return out;
}

/** Effective number of samples of a weight vector, `(Σw)² / Σw²` (Kish). Equal weights give n. */
export function effectiveSampleSize(weights: readonly number[]): number {
  let s = 0;
  let s2 = 0;
  for (const w of weights) {
    s += w;
    s2 += w * w;
  }
  return s2 === 0 ? 0 : (s * s) / s2;
}

/**
 * Weighted percentile: the lower inverse of the weighted empirical CDF, without interpolation.
 *
 * With `F(v) = Σ_{v_i ≤ v} w_i / W`, the q-percentile is the smallest sample value `v` with
 * `F(v) ≥ q` (`q = 0` gives the minimum). With equal weights this is the nearest-rank
 * percentile (Hyndman–Fan type 1).
 *
 * Why no interpolation: this is the only common scheme that is monotone for unequal weights —
 * raising any value can only lower `F` pointwise, so no percentile ever drops. Interpolating
 * between nodes (Hazen midpoints, `S_k/W`) breaks that when two values with different weights
 * cross: e.g. values `[0.01, 1.2, 1.2]` with weights `[10, 0.93, 0.44]` give a p90 of 1.2 when the
 * heavier 1.2 sorts last and ≈0.57 when it sorts first. The recommender relies on monotonicity
 * ("more usage never lowers a recommendation").
 *
 * Worked example: values `[1, 2, 4]` with weights `[1, 1, 2]` (W = 4): F(1) = 0.25, F(2) = 0.5,
 * F(4) = 1. So p10 = p25 = 1, p26 = p50 = 2, p51 … p100 = 4. With recency weights a build's
 * share of the mass, not its rank, decides: the newest of 10 builds with H = 10 holds 13.4% of
 * the weight, so it alone is the p95 whenever it is the largest.
 *
 * Returns undefined for no positive weight. Values and weights MUST have the same length;
 * non-finite values and non-positive weights are ignored.
 */
export function weightedPercentile(values: readonly number[], weights: readonly number[], q: number): number | undefined {
  const n = Math.min(values.length, weights.length);
  const idx: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const w = weights[i]!;
    if (Number.isFinite(v) && Number.isFinite(w) && w > 0) idx.push(i);
  }
  if (idx.length === 0) return undefined;
  idx.sort((a, b) => values[a]! - values[b]!);
  let total = 0;
  for (const i of idx) total += weights[i]!;
  const target = Math.min(1, Math.max(0, q)) * total * (1 - 1e-12);
  let running = 0;
  for (const i of idx) {
    running += weights[i]!;
    if (running >= target) return values[i]!;
  }
  return values[idx[idx.length - 1]!]!;
}

/** Unweighted percentile with the same interpolation as {@link weightedPercentile}. */
export function percentile(values: readonly number[], q: number): number | undefined {
  return weightedPercentile(values, new Array<number>(values.length).fill(1), q);
}

/**
 * Seeded pseudo-random generator (mulberry32): deterministic across platforms, 32-bit state.
 * Returns a function yielding floats in [0, 1).
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
