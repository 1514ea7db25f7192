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
  idx.sort((a, b) => values[a]! - values[b]!);
  return weightedPercentileInOrder(values, weights, idx, q);
}

/**
 * The one implementation of the weighted percentile (lower inverse of the weighted CDF, see
 * {@link weightedPercentile}) behind the recommender, the replay's KRR-like window and
 * `weightedPercentile` itself: it scans the entries `order[0], order[1], …` (indices into
 * `values`/`weights`, ascending by value; `null` = already sorted, identity order) and counts only
 * indices in [`from`, `to`), so callers that keep their data sorted never re-sort. Weights must be
 * positive and finite. Returns undefined when no entry is in range.
 */
export function weightedPercentileInOrder(
  values: ArrayLike<number>,
  weights: ArrayLike<number>,
  order: ArrayLike<number> | null,
  q: number,
  from = 0,
  to = Number.POSITIVE_INFINITY,
): number | undefined {
  if (order === null) {
    // Already sorted (the replay's window): a plain scan of [from, to).
    const end = Math.min(values.length, weights.length, to);
    let total = 0;
    for (let i = from; i < end; i++) total += weights[i]!;
    if (!(total > 0)) return undefined;
    const target = Math.min(1, Math.max(0, q)) * total * (1 - 1e-12);
    let running = 0;
    for (let i = from; i < end; i++) {
      running += weights[i]!;
      if (running >= target) return values[i]!;
    }
    return values[end - 1];
  }
  let total = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (i >= from && i < to) total += weights[i]!;
  }
  if (!(total > 0)) return undefined;
  const target = Math.min(1, Math.max(0, q)) * total * (1 - 1e-12);
  let running = 0;
  let last: number | undefined;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (i < from || i >= to) continue;
    running += weights[i]!;
    last = values[i]!;
    if (running >= target) return last;
  }
  return last;
}

/**
 * A multiset of weighted values kept sorted by value (binary-search insertion and removal, no
 * re-sorting), for a sliding window whose percentile is asked often (the replay's KRR-like
 * policy). {@link percentile} is {@link weightedPercentileInOrder}.
 */
export class SortedWeightedValues {
  readonly values: number[] = [];
  readonly weights: number[] = [];
  total = 0;

  private lowerBound(v: number): number {
    let lo = 0;
    let hi = this.values.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.values[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds a value (a non-positive or non-finite weight is ignored). */
  add(v: number, w: number): void {
    if (!(w > 0) || !Number.isFinite(w) || !Number.isFinite(v)) return;
    const i = this.lowerBound(v);
    this.values.splice(i, 0, v);
    this.weights.splice(i, 0, w);
    this.total += w;
  }

  /** Removes one entry with exactly this value and weight (no-op when there is none). */
  remove(v: number, w: number): void {
    for (let i = this.lowerBound(v); i < this.values.length && this.values[i] === v; i++)
      if (this.weights[i] === w) {
        this.values.splice(i, 1);
        this.weights.splice(i, 1);
        this.total -= w;
        return;
      }
  }

  percentile(q: number): number | undefined {
    return weightedPercentileInOrder(this.values, this.weights, null, q);
  }
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
