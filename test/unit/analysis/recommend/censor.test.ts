import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, isCensored, isCpuCensored, isMemoryCensored, runReplay, statusQuoPolicy } from '../../../../src/analysis/index.js';
import { build, GiB } from '../helpers.js';

const T = { throttledRatioCensor: 0.05, cpuP95NearLimit: 0.95 };

describe('the one censoring definition', () => {
  it('uses the throttled ratio when the build has one, and only it', () => {
    expect(isCpuCensored(build(0, { throttledRatio: 0.06 }), T)).toBe(true);
    expect(isCpuCensored(build(0, { throttledRatio: 0.05 }), T)).toBe(false);
    // p95 at the limit but the kernel says 1 % throttled: not starved.
    expect(isCpuCensored(build(0, { throttledRatio: 0.01, cpuP95Cores: 2, cpuMaxCores: 2 }), T)).toBe(false);
  });
  it('without a throttled ratio: p95 ≥ 95 % of the request, never the max alone', () => {
    expect(isCpuCensored(build(0, { cpuP95Cores: 1.9, cpuMaxCores: 2 }), T)).toBe(true);
    expect(isCpuCensored(build(0, { cpuP95Cores: 1.89, cpuMaxCores: 2 }), T)).toBe(false);
    // A single noisy sample far above the request (Bitbrains: 5-minute averages above capacity).
    expect(isCpuCensored(build(0, { cpuP95Cores: 0.5, cpuMaxCores: 3.5 }), T)).toBe(false);
    // No request or no p95: nothing to compare.
    expect(isCpuCensored(build(0, { requestCpuCores: undefined, cpuP95Cores: 5 }), T)).toBe(false);
    expect(isCpuCensored(build(0, { cpuP95Cores: undefined, cpuMaxCores: 2 }), T)).toBe(false);
  });
  it('memory: OOM-killed builds only; isCensored is either', () => {
    expect(isMemoryCensored(build(0, { oomKilled: true }))).toBe(true);
    expect(isMemoryCensored(build(0, { memoryPeakBytes: 4 * GiB }))).toBe(false);
    expect(isCensored(build(0, { oomKilled: true }), T)).toBe(true);
    expect(isCensored(build(0, { throttledRatio: 0.5 }), T)).toBe(true);
    expect(isCensored(build(0), T)).toBe(false);
  });
  it('the recommender policy carries the thresholds and the replay counts with them', () => {
    expect(DEFAULT_POLICY.throttledRatioCensor).toBe(0.05);
    expect(DEFAULT_POLICY.cpuP95NearLimit).toBe(0.95);
    // Evaluated builds (i = 0…3 are the newest): one pinned at the limit by p95, one by max only, one throttled.
    const bs = [build(7), build(6), build(5), build(4), build(3, { cpuP95Cores: 1.95 }), build(2, { cpuMaxCores: 2 }), build(1, { throttledRatio: 0.3 }), build(0)];
    const r = runReplay(bs, [statusQuoPolicy()], { evalFromMs: bs[4]!.startMs, resamples: 0 });
    expect(r.policies[0]!.builds).toBe(4);
    expect(r.policies[0]!.censoredBuilds).toBe(2);
  });
});
