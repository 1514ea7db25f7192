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
 * Weighted percentile with linear interpolation between weight midpoints.
 *
 * The values are sorted ascending; value `v_k` with weight `w_k` is placed at the cumulative
 * position `c_k = (S_k − w_k/2) / W`, where `S_k` is the running weight sum up to and including
 * `k` and `W` the total. For a quantile `q` (0..1): `q ≤ c_1` gives `v_1`, `q ≥ c_n` gives `v_n`,
 * otherwise the result interpolates linearly between the two neighbouring positions. With equal
 * weights `c_k = (k − ½)/n`, i.e. Hazen's plotting position (Hyndman–Fan type 5).
 *
 * Worked example: values `[1, 2, 4]` with weights `[1, 1, 2]` (W = 4) sit at
 * `c = [0.125, 0.375, 0.75]`. The median `q = 0.5` lies between `c_2 = 0.375` and `c_3 = 0.75`:
 * `2 + (0.5 − 0.375)/(0.75 − 0.375) · (4 − 2) = 2.667`. `q = 0.9 ≥ 0.75` gives 4.
 *
 * Returns undefined for no positive weight. Values and weights MUST have the same length;
 * non-finite values or negative weights are ignored.
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
  const qq = Math.min(1, Math.max(0, q));
  let running = 0;
  let prevPos = -1;
  let prevVal = 0;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    const w = weights[i]!;
    const v = values[i]!;
    const pos = (running + w / 2) / total;
    running += w;
    if (qq <= pos) {
      if (prevPos < 0) return v;
      return prevVal + ((qq - prevPos) / (pos - prevPos)) * (v - prevVal);
    }
    prevPos = pos;
    prevVal = v;
  }
  return prevVal;
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
