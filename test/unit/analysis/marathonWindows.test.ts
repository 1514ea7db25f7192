import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, MARATHON_WINDOW_MS, recommendMarathonApp, recommendMarathonAppFromWindows, type AppWindow } from '../../../src/analysis/index.js';
import { GiB, HOUR, MiB, NOW } from './helpers.js';

/** The newest complete hour before NOW, then n − 1 hours back: startMs aligned to the epoch. */
const H0 = Math.floor(NOW / HOUR) * HOUR - HOUR;
const hours = (n: number, w: Omit<AppWindow, 'startMs'>): AppWindow[] => Array.from({ length: n }, (_, i) => ({ startMs: H0 - i * HOUR, ...w }));
const current = { cpu_cores: 1, memory_bytes: 1 * GiB };

describe('recommendMarathonAppFromWindows', () => {
  it('6 hourly windows of p95 0.7 / max 0.8 cores, 700 MiB peak, 1 core / 1 GiB reserved', () => {
    const doc = recommendMarathonAppFromWindows({ appId: '/team/web', windows: hours(6, { cpuP95Cores: 0.7, cpuMaxCores: 0.8, memoryPeakBytes: 700 * MiB }), current }, DEFAULT_POLICY, NOW);
    expect(doc.workload).toEqual({ kind: 'marathon.app', key: '/team/web' });
    expect(doc.jenkins).toBeUndefined();
    expect(doc.current).toEqual(current);
    // CPU: 0.7 × 1.15 = 0.805 → 0.9 on the 0.1 ladder (a 10 % decrease: no evidence rule)
    expect(doc.recommended.cpu_cores).toBe(0.9);
    // memory: max(700 × 1.2 = 840, 700 + 256 = 956) MiB → 1024 MiB on the 128 MiB ladder
    expect(doc.recommended.memory_bytes).toBe(1 * GiB);
    expect(doc.basis.builds).toBe(6);
    expect(doc.confidence).toBe('low');
    // 6 windows in < 1 day → 42 windows a week × 1 h × (1 − 0.9) cores = 4.2 core-hours
    expect(doc.savings?.cpu_core_hours_per_week).toBeCloseTo(4.2, 6);
    expect(doc.savings?.memory_gib_hours_per_week).toBe(0);
  });

  it('ignores windows after now or wholly before the policy window; a window with only a max falls back to it', () => {
    const base = hours(6, { cpuP95Cores: 0.7, cpuMaxCores: 0.8, memoryPeakBytes: 700 * MiB });
    const future: AppWindow = { startMs: H0 + 2 * HOUR, cpuP95Cores: 5, memoryPeakBytes: 10 * GiB };
    const ancient: AppWindow = { startMs: NOW - DEFAULT_POLICY.windowDays * 86_400_000 - 2 * HOUR, cpuP95Cores: 5, memoryPeakBytes: 10 * GiB };
    const doc = recommendMarathonAppFromWindows({ appId: '/a', windows: [future, ...base, ancient], current }, DEFAULT_POLICY, NOW);
    expect(doc.basis.builds).toBe(6);
    expect(doc.recommended).toMatchObject({ cpu_cores: 0.9, memory_bytes: 1 * GiB });
    // the newest window has no p95 but a max of 0.95 cores: it is the CPU signal of that window,
    // the largest and newest (weight 1 of Σ 1 + 2^(−1/10) + … + 2^(−6/10) = 5.74, so F(0.7) = 0.83 < 0.95) →
    // p95 of the signals 0.95 → × 1.15 = 1.0925 → 1.1 (8 % below the 1.2 reserved)
    const maxOnly = recommendMarathonAppFromWindows(
      { appId: '/a', windows: [{ startMs: H0 + HOUR, cpuMaxCores: 0.95 }, ...base], current: { cpu_cores: 1.2, memory_bytes: 1 * GiB } },
      DEFAULT_POLICY,
      H0 + 2 * HOUR,
    );
    expect(maxOnly.basis.builds).toBe(7);
    expect(maxOnly.recommended.cpu_cores).toBe(1.1);
  });

  it('fewer than 5 windows: no recommendation (few_builds), today\'s reservation kept', () => {
    const doc = recommendMarathonAppFromWindows({ appId: '/a', windows: hours(4, { cpuP95Cores: 0.1, memoryPeakBytes: 100 * MiB }), current }, DEFAULT_POLICY, NOW);
    expect(doc.reasons).toContain('few_builds');
    expect(doc.recommended).toEqual(current);
  });

  it('gives the sample-based recommendMarathonApp the same document when the windows are the samples aggregated by hand', () => {
    const samples = [];
    // 6 complete hours, one reading a minute: 0.5 cores for 56 minutes and 0.8 for 4 (the 57th of 60 sorted is 0.8: p95 0.8, max 0.8), 700 MiB
    for (let t = H0 - 5 * HOUR; t < H0 + HOUR; t += 60_000) samples.push({ timestampMs: t, cpuCores: (t / 60_000) % 60 >= 56 ? 0.8 : 0.5, memoryBytes: 700 * MiB });
    const fromSamples = recommendMarathonApp({ appId: '/a', samples, current }, DEFAULT_POLICY, NOW);
    const fromWindows = recommendMarathonAppFromWindows({ appId: '/a', windows: hours(6, { cpuP95Cores: 0.8, cpuMaxCores: 0.8, memoryPeakBytes: 700 * MiB }), current }, DEFAULT_POLICY, NOW);
    expect(fromSamples).toEqual(fromWindows);
    expect(MARATHON_WINDOW_MS).toBe(HOUR);
  });
});
