/** `containerCpuCores`: CPU cores from two readings, never NaN, never negative. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { containerCpuCores, parseDockerTime, type CpuSnapshot } from '../../../../../src/collectors/docker/index.js';

function snap(readIso: string, totalUsageNs: number, extra: Partial<CpuSnapshot> = {}): CpuSnapshot {
  const read = parseDockerTime(readIso);
  if (!read) throw new Error(readIso);
  return { read, totalUsageNs, onlineCpus: 2, ...extra };
}

describe('containerCpuCores', () => {
  it('Δtotal / Δread: 0.75 s of CPU over 1.5 s → 0.5 cores', () => {
    const r = containerCpuCores(snap('2026-11-22T03:00:00Z', 1_000_000_000), snap('2026-11-22T03:00:01.5Z', 1_750_000_000));
    expect(r).toEqual({ ok: true, cores: 0.5, intervalMs: 1500 });
  });

  it('throttling deltas: periods and time in ms', () => {
    const prev = snap('2026-11-22T03:00:00Z', 0, { throttling: { periods: 100, throttledPeriods: 10, throttledTimeNs: 500_000_000 } });
    const cur = snap('2026-11-22T03:00:10Z', 5e9, { throttling: { periods: 200, throttledPeriods: 60, throttledTimeNs: 3_000_000_000 } });
    expect(containerCpuCores(prev, cur)).toEqual({ ok: true, cores: 0.5, intervalMs: 10_000, throttled: { periods: 50, timeMs: 2500, totalPeriods: 100 } });
  });

  it('a counter going backwards (restart with the same id) → counter_reset, never negative', () => {
    expect(containerCpuCores(snap('2026-11-22T03:00:00Z', 9e9), snap('2026-11-22T03:00:01Z', 1e8))).toEqual({ ok: false, reason: 'counter_reset' });
    const thr = (n: number): CpuSnapshot['throttling'] => ({ periods: n, throttledPeriods: 0, throttledTimeNs: 0 });
    expect(containerCpuCores(snap('2026-11-22T03:00:00Z', 1e9, { throttling: thr(500) }), snap('2026-11-22T03:00:01Z', 1.2e9, { throttling: thr(3) }))).toEqual({
      ok: false,
      reason: 'counter_reset',
    });
    // v1 max_usage only grows within one run
    expect(containerCpuCores(snap('2026-11-22T03:00:00Z', 1e8, { maxUsageBytes: 5e8 }), snap('2026-11-22T03:00:01Z', 2e8, { maxUsageBytes: 1e6 }))).toEqual({
      ok: false,
      reason: 'counter_reset',
    });
  });

  it('time standing still or going back → counter_reset', () => {
    expect(containerCpuCores(snap('2026-11-22T03:00:01Z', 1), snap('2026-11-22T03:00:01Z', 2))).toEqual({ ok: false, reason: 'counter_reset' });
    expect(containerCpuCores(snap('2026-11-22T03:00:02Z', 1), snap('2026-11-22T03:00:01Z', 2))).toEqual({ ok: false, reason: 'counter_reset' });
  });

  it('more cores than the host has → implausible_rate', () => {
    // 3 s of CPU in 1 s on 2 CPUs
    expect(containerCpuCores(snap('2026-11-22T03:00:00Z', 0), snap('2026-11-22T03:00:01Z', 3e9))).toEqual({ ok: false, reason: 'implausible_rate' });
  });

  it('a future timestamp (daemon clock jump) that the collector clock contradicts → clock_jump, then counter_reset', () => {
    const prev = snap('2026-11-22T03:00:00Z', 1e9);
    const future = snap('2031-01-01T00:00:00Z', 2e9);
    expect(containerCpuCores(prev, future, { observedIntervalMs: 1000 })).toEqual({ ok: false, reason: 'clock_jump' });
    // without the collector's view the jump would be a tiny wrong figure: that is why the collector passes it
    expect(containerCpuCores(future, snap('2026-11-22T03:00:02Z', 3e9), { observedIntervalMs: 1000 })).toEqual({ ok: false, reason: 'counter_reset' });
    // latency jitter inside the tolerance is fine
    expect(containerCpuCores(prev, snap('2026-11-22T03:00:01Z', 1.5e9), { observedIntervalMs: 3000 })).toMatchObject({ ok: true, cores: 0.5 });
  });

  it('a reading after a long gap gives the average over the gap', () => {
    // daemon away for 10 minutes; 150 s of CPU → 0.25 cores on average
    const r = containerCpuCores(snap('2026-11-22T03:00:00Z', 0), snap('2026-11-22T03:10:00Z', 150e9), { observedIntervalMs: 600_000 });
    expect(r).toEqual({ ok: true, cores: 0.25, intervalMs: 600_000 });
  });

  it('first reading → no figure', () => {
    expect(containerCpuCores(undefined, snap('2026-11-22T03:00:00Z', 1))).toEqual({ ok: false, reason: 'first_reading' });
  });

  it('property: any pair gives a finite figure in [0, cpus·1.05] or a reason', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e18, max: 1e18, noNaN: false }), fc.double({ min: -1e18, max: 1e18 }), fc.integer({ min: -5000, max: 5000 }), (t1, t2, dtMs) => {
        const prev: CpuSnapshot = { read: { epochMs: 1e12, subMsNs: 0 }, totalUsageNs: t1, onlineCpus: 4 };
        const cur: CpuSnapshot = { read: { epochMs: 1e12 + dtMs, subMsNs: 0 }, totalUsageNs: t2, onlineCpus: 4 };
        const r = containerCpuCores(prev, cur);
        if (r.ok) {
          expect(Number.isFinite(r.cores) && r.cores >= 0 && r.cores <= 4.2).toBe(true);
          expect(r.intervalMs).toBeGreaterThan(0);
        } else expect(['counter_reset', 'implausible_rate']).toContain(r.reason);
      }),
      { numRuns: 500 },
    );
  });

  it('a rate above the container\'s CPU limit (CFS slack of one 100 ms period) → implausible_rate', () => {
    // limit 0.5 cores, 1 s window: at most 0.5 × (1 + 100/1000) × 1.05 = 0.5775 cores
    const prev = snap('2026-11-22T03:00:00Z', 0);
    expect(containerCpuCores(prev, snap('2026-11-22T03:00:01Z', 0.55e9), { limitCores: 0.5 })).toMatchObject({ ok: true, cores: 0.55 });
    expect(containerCpuCores(prev, snap('2026-11-22T03:00:01Z', 0.6e9), { limitCores: 0.5 })).toEqual({ ok: false, reason: 'implausible_rate' });
    // without a limit, 0.6 cores on 2 CPUs is fine
    expect(containerCpuCores(prev, snap('2026-11-22T03:00:01Z', 0.6e9))).toMatchObject({ ok: true });
  });

  it('a reading without a CPU count is still bounded by the most CPUs a host can have (8192)', () => {
    const none = { onlineCpus: undefined };
    const prev = snap('2026-11-22T03:00:00Z', 0, none);
    expect(containerCpuCores(prev, snap('2026-11-22T03:00:01Z', 1e9 * 2 ** 20, none))).toEqual({ ok: false, reason: 'implausible_rate' });
    expect(containerCpuCores(prev, snap('2026-11-22T03:00:01Z', 64e9, none))).toMatchObject({ ok: true, cores: 64 });
  });
});
