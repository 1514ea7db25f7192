import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recencyWeights, SortedWeightedValues, weightedPercentile, weightedPercentileInOrder } from '../../../../src/analysis/stats/index.js';
import { DEFAULT_POLICY, recommendCore, withPolicy } from '../../../../src/analysis/recommend/index.js';
import { builds } from '../helpers.js';

/**
 * The definition, computed the slow way (no sorting, no running sum): the smallest value v with
 * Σ_{v_i ≤ v} w_i ≥ q·W (same 1e-12 tolerance as the implementation).
 */
function reference(values: readonly number[], weights: readonly number[], q: number): number | undefined {
  const total = weights.reduce((s, w) => s + w, 0);
  if (total <= 0) return undefined;
  let best: number | undefined;
  for (const v of values) {
    let f = 0;
    for (let i = 0; i < values.length; i++) if (values[i]! <= v) f += weights[i]!;
    if (f >= q * total * (1 - 1e-12) && (best === undefined || v < best)) best = v;
  }
  return best;
}

// Integer weights keep every partial sum exact, so the reference and the scan agree bit for bit.
const entries = fc.array(fc.record({ v: fc.double({ min: 0, max: 1e6, noNaN: true }), w: fc.integer({ min: 1, max: 1000 }) }), { minLength: 1, maxLength: 60 });
const quantile = fc.oneof(fc.constantFrom(0, 0.5, 0.9, 0.95, 0.99, 1), fc.double({ min: 0, max: 1, noNaN: true }));

describe('one weighted percentile (stats/) for the recommender and the replay', () => {
  it('weightedPercentile is the lower inverse of the weighted CDF', () => {
    fc.assert(
      fc.property(entries, quantile, (es, q) => {
        const values = es.map((e) => e.v);
        const weights = es.map((e) => e.w);
        expect(weightedPercentile(values, weights, q)).toBe(reference(values, weights, q));
      }),
    );
  });

  it('weightedPercentileInOrder over a range [from, to) equals weightedPercentile of that slice', () => {
    fc.assert(
      fc.property(entries, quantile, fc.nat(), fc.nat(), (es, q, a, b) => {
        const values = es.map((e) => e.v);
        const weights = es.map((e) => e.w);
        const from = a % values.length;
        const to = from + 1 + (b % (values.length - from));
        const order = values.map((_, i) => i).sort((x, y) => values[x]! - values[y]!);
        expect(weightedPercentileInOrder(values, weights, order, q, from, to)).toBe(weightedPercentile(values.slice(from, to), weights.slice(from, to), q));
      }),
    );
  });

  it("the replay's sorted window (KRR-like) answers as weightedPercentile after any adds and removes", () => {
    fc.assert(
      fc.property(entries, fc.array(fc.nat(), { maxLength: 30 }), quantile, (es, removals, q) => {
        const window = new SortedWeightedValues();
        for (const e of es) window.add(e.v, e.w);
        const kept = [...es];
        for (const r of removals) {
          if (kept.length === 0) break;
          const [gone] = kept.splice(r % kept.length, 1);
          window.remove(gone!.v, gone!.w);
        }
        const expected = kept.length === 0 ? undefined : weightedPercentile(kept.map((e) => e.v), kept.map((e) => e.w), q);
        expect(window.percentile(q)).toBe(expected);
      }),
    );
  });

  it("the recommender's estimate is weightedPercentile of its signal with recency weights", () => {
    // No censoring, no change point, no max-of-last rule: Q is exactly the weighted percentile.
    const policy = withPolicy({ changePointJump: 1e9, memory: { ...DEFAULT_POLICY.memory, maxOfLastBuilds: 0 } });
    fc.assert(
      fc.property(
        fc.array(fc.record({ cpu: fc.double({ min: 0.01, max: 8, noNaN: true }), mem: fc.integer({ min: 2 ** 20, max: 2 ** 34 }) }), { minLength: 5, maxLength: 60 }),
        (us) => {
          const bs = builds(us.length, (i) => ({ cpuP95Cores: us[i]!.cpu, cpuMaxCores: us[i]!.cpu, memoryPeakBytes: us[i]!.mem, requestCpuCores: 64, requestMemoryBytes: 2 ** 40 }));
          const rec = recommendCore(bs, { cpu_cores: 64, memory_bytes: 2 ** 40 }, undefined, policy);
          const cpuW = recencyWeights(us.length, policy.cpu.halfLifeBuilds);
          const memW = recencyWeights(us.length, policy.memory.halfLifeBuilds);
          expect(rec.cpu?.estimate).toBe(weightedPercentile(us.map((u) => u.cpu), cpuW, policy.cpu.percentile));
          expect(rec.memory?.estimate).toBe(weightedPercentile(us.map((u) => u.mem), memW, policy.memory.percentile));
        },
      ),
    );
  });
});
