import { describe, expect, it } from 'vitest';
import { effectiveSampleSize, percentile, recencyWeights, roundUpToLadder, weightedPercentile, DEFAULT_MEMORY_LADDER, DEFAULT_CPU_LADDER } from '../../../src/analysis/index.js';
import { GiB, MiB } from './helpers.js';

describe('recency weights and n_eff', () => {
  it('halve every H builds', () => {
    expect(recencyWeights(3, 1)).toEqual([1, 0.5, 0.25]);
    expect(recencyWeights(21, 10)[10]).toBeCloseTo(0.5, 12);
    expect(recencyWeights(21, 10)[20]).toBeCloseTo(0.25, 12);
  });
  it('n_eff = (Σw)²/Σw²', () => {
    expect(effectiveSampleSize([1, 1, 1, 1])).toBe(4);
    // (1.75)² / (1 + 0.25 + 0.0625) = 3.0625 / 1.3125
    expect(effectiveSampleSize([1, 0.5, 0.25])).toBeCloseTo(7 / 3, 12);
    expect(effectiveSampleSize([])).toBe(0);
  });
});

describe('weightedPercentile (lower inverse of the weighted CDF)', () => {
  it('matches the documented worked example', () => {
    // F(1) = 0.25, F(2) = 0.5, F(4) = 1
    expect(weightedPercentile([4, 1, 2], [2, 1, 1], 0.9)).toBe(4);
    expect(weightedPercentile([1, 2, 4], [1, 1, 2], 0.5)).toBe(2);
    expect(weightedPercentile([1, 2, 4], [1, 1, 2], 0.26)).toBe(2);
    expect(weightedPercentile([1, 2, 4], [1, 1, 2], 0.25)).toBe(1);
    expect(weightedPercentile([1, 2, 4], [1, 1, 2], 0)).toBe(1);
    expect(weightedPercentile([1, 2, 4], [1, 1, 2], 1)).toBe(4);
  });
  it('is nearest-rank with equal weights', () => {
    expect(percentile([10, 20, 30, 40], 0.5)).toBe(20);
    expect(percentile([40, 30, 20, 10], 0.75)).toBe(30);
    expect(percentile([40, 30, 20, 10], 0.8)).toBe(40);
  });
  it('is monotone where interpolating schemes are not (the documented counterexample)', () => {
    const w = [10, 0.93, 0.44];
    expect(weightedPercentile([0.01, 1.2, 1.2], w, 0.9)).toBe(1.2);
    expect(weightedPercentile([0.01, 1.2, 1.2 + 1e-9], w, 0.9)).toBe(1.2);
    expect(weightedPercentile([0.01, 1.2 + 1e-9, 1.2], w, 0.9)).toBe(1.2);
  });
  it('ignores zero weights and non-finite values; undefined when nothing is left', () => {
    expect(weightedPercentile([1, 100, NaN], [1, 0, 1], 0.99)).toBe(1);
    expect(weightedPercentile([], [], 0.5)).toBeUndefined();
    expect(weightedPercentile([5], [0], 0.5)).toBeUndefined();
  });
});

describe('roundUpToLadder', () => {
  it('rounds CPU up to 0.1 below 4 cores and 0.25 above', () => {
    expect(roundUpToLadder(0.588, DEFAULT_CPU_LADDER)).toBe(0.6);
    expect(roundUpToLadder(0.6, DEFAULT_CPU_LADDER)).toBe(0.6);
    expect(roundUpToLadder(0.1 + 0.2, DEFAULT_CPU_LADDER)).toBe(0.3);
    expect(roundUpToLadder(0.61, DEFAULT_CPU_LADDER)).toBe(0.7);
    expect(roundUpToLadder(4.1, DEFAULT_CPU_LADDER)).toBe(4.25);
    expect(roundUpToLadder(0.588, [{ below: Infinity, step: 0.25 }])).toBe(0.75);
  });
  it('rounds memory up to 128 MiB below 2 GiB and 256 MiB above', () => {
    expect(roundUpToLadder(1.9 * GiB, DEFAULT_MEMORY_LADDER)).toBe(2048 * MiB);
    expect(roundUpToLadder(2.1 * GiB, DEFAULT_MEMORY_LADDER)).toBe(2304 * MiB);
    expect(roundUpToLadder(956 * MiB, DEFAULT_MEMORY_LADDER)).toBe(1024 * MiB);
  });
});
