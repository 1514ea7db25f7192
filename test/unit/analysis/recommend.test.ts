import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY,
  confidenceFor,
  recommendCore,
  recommendWorkload,
  selectBuilds,
  severityFor,
  withPolicy,
  workloadKey,
} from '../../../src/analysis/index.js';
import { GiB, HOUR, MiB, NOW, build, builds } from './helpers.js';

const P = DEFAULT_POLICY;
const cur = { cpu_cores: 2, memory_bytes: 4 * GiB };

describe("the issue's canonical example", () => {
  // 2 CPUs / 4 GiB requested; 10 builds over 2.3 days, busiest p95 0.511 cores, peaks 700 MiB.
  const list = builds(10, (i) => ({ cpuP95Cores: i === 4 ? 0.511 : 0.45 }));
  const doc = recommendWorkload({ kind: 'jenkins.job', key: 'team/app', jobName: 'team/app', builds: list }, P, NOW);

  it('recommends 0.6 cores and 1 GiB', () => {
    // weighted p95 ≤ 0.511 → × 1.15 ≤ 0.588 → 0.6; memory max(700 × 1.2, 700 + 256) = 956 MiB → 1024 MiB
    expect(doc.recommended.cpu_cores).toBe(0.6);
    expect(doc.recommended.memory_bytes).toBe(1024 * MiB);
    expect(doc.current).toEqual(cur);
  });
  it('fills the document per data-model.md', () => {
    expect(doc.workload).toEqual({ kind: 'jenkins.job', key: 'team/app' });
    expect(doc.jenkins).toEqual({ job: { name: 'team/app' } });
    expect(doc['@timestamp']).toBe(new Date(NOW).toISOString());
    expect(doc.basis).toEqual({ builds: 10, window_days: 30, cpu_percentile: 95, memory_percentile: 99, headroom: 0.15 });
    expect(doc.confidence).toBe('medium');
    expect(doc.severity).toBe('critical');
    expect(doc.reasons).toEqual([]);
  });
  it('computes weekly savings from build rate × duration', () => {
    // oldest start = NOW − 9 × 6 h − 30 min = 54.5 h ago → 10 builds / (54.5/24 d) × 7 = 30.83 builds a week of 0.5 h
    const perWeek = (10 / (54.5 / 24)) * 7;
    expect(doc.savings?.cpu_core_hours_per_week).toBeCloseTo(1.4 * perWeek * 0.5, 2);
    expect(doc.savings?.memory_gib_hours_per_week).toBeCloseTo(3 * perWeek * 0.5, 2);
  });
  it('bounds: upper = rec × (1 + 1/n_eff) rounded up, lower from the weighted median', () => {
    expect(doc.recommended.upper?.cpu_cores).toBeGreaterThan(0.6);
    // n_eff of 2^(−i/10), i < 10 is 9.74 → 0.6 × 1.1027 = 0.662 → 0.7
    expect(doc.recommended.upper?.cpu_cores).toBe(0.7);
    // median 0.45 × 1.15 = 0.5175 → 0.6 (≤ recommended)
    expect(doc.recommended.lower?.cpu_cores).toBe(0.6);
  });
});

describe('evidence before decreasing', () => {
  it('no recommendation below 5 builds', () => {
    const doc = recommendWorkload({ kind: 'jenkins.job', key: 'k', builds: builds(4) }, P, NOW);
    expect(doc.recommended.cpu_cores).toBe(2);
    expect(doc.recommended.memory_bytes).toBe(4 * GiB);
    expect(doc.reasons).toContain('few_builds');
    expect(doc.confidence).toBe('low');
    expect(doc.savings).toBeUndefined();
  });
  it('a decrease > 25% needs ≥ 10 builds over ≥ 2 days, else it is limited to 25%', () => {
    // 10 builds one hour apart: 9.5 h span
    const core = recommendCore(builds(10, () => ({}), HOUR), cur, undefined, P);
    expect(core.cpu?.value).toBe(1.5);
    expect(core.memory?.value).toBe(3 * GiB);
    expect(core.reasons).toContain('decrease_needs_evidence');
    // 9 builds 6 h apart: enough span, too few builds
    expect(recommendCore(builds(9), cur, undefined, P).cpu?.value).toBe(1.5);
  });
  it('increases immediately, even from 5 builds within an hour', () => {
    const core = recommendCore(builds(5, () => ({ cpuP95Cores: 1.2, cpuMaxCores: 1.5 }), 10 * 60_000), { cpu_cores: 1 }, { cpu_cores: 1 }, P);
    // 1.2 × 1.15 = 1.38 → 1.4 (max 1.5 ≥ 0.95 × 2 would censor; request is 2 so not censored)
    expect(core.cpu?.value).toBe(1.4);
  });
  it('confidence by builds: low < 10 ≤ medium < 20 ≤ high', () => {
    expect([4, 9, 10, 19, 20].map((n) => confidenceFor(n, P))).toEqual(['low', 'low', 'medium', 'medium', 'high']);
    const doc = recommendWorkload({ kind: 'jenkins.job', key: 'k', builds: builds(25) }, P, NOW);
    expect(doc.confidence).toBe('high');
  });
});

describe('floors, caps and the ladder', () => {
  it('floors CPU at 0.25 (then the 0.1 ladder) and memory at 512 MiB', () => {
    const core = recommendCore(builds(12, () => ({ cpuP95Cores: 0.05, cpuMaxCores: 0.06, memoryPeakBytes: 100 * MiB })), cur, undefined, P);
    expect(core.cpu?.value).toBe(0.3);
    expect(core.memory?.value).toBe(512 * MiB);
    expect(core.reasons).toContain('floor');
  });
  it('caps at the largest agent and flags it', () => {
    const list = builds(12, () => ({ memoryPeakBytes: 60 * GiB, requestMemoryBytes: 64 * GiB }));
    const core = recommendCore(list, { memory_bytes: 64 * GiB }, undefined, P);
    expect(core.memory?.value).toBe(64 * GiB);
    expect(core.reasons).toContain('cap_binds');
  });
});

describe('censoring', () => {
  it('an OOM-killed build counts as need max(limit × 1.5, limit + 512 MiB) and raises immediately', () => {
    const list = builds(10, (i) => (i === 0 ? { oomKilled: true, memoryPeakBytes: 2 * GiB, requestMemoryBytes: 2 * GiB, result: 'FAILURE' } : { memoryPeakBytes: 1 * GiB, requestMemoryBytes: 2 * GiB }));
    const core = recommendCore(list, { memory_bytes: 2 * GiB }, undefined, P);
    // need 3 GiB = Q (max of last 5) → max(3.6 GiB, 3.25 GiB) = 3686.4 MiB → 3840 MiB
    expect(core.memory?.value).toBe(3840 * MiB);
    expect(core.reasons).toContain('oom_seen');
  });
  it('keeps memory ≥ the censored need until 10 successes followed', () => {
    const pol = withPolicy({ memory: { percentile: 0.5, maxOfLastBuilds: 0 } });
    const mk = (oomAt: number) =>
      builds(20, (i) => (i === oomAt ? { oomKilled: true, memoryPeakBytes: 2 * GiB, requestMemoryBytes: 2 * GiB } : { memoryPeakBytes: 1 * GiB }));
    // position 3: forced to 3 GiB (already on the 256 MiB ladder)
    expect(recommendCore(mk(3), { memory_bytes: 2 * GiB }, undefined, pol).memory?.value).toBe(3 * GiB);
    // position 12: released; median 1 GiB → max(1.2 GiB, 1.25 GiB) = 1280 MiB
    expect(recommendCore(mk(12), { memory_bytes: 2 * GiB }, undefined, pol).memory?.value).toBe(1280 * MiB);
  });
  it('a CPU-starved build (p95 ≥ 0.95 × limit or throttled > 5%) never lets CPU decrease', () => {
    const pinned = builds(10, () => ({ cpuP95Cores: 1.9, cpuMaxCores: 1.95 }));
    const core = recommendCore(pinned, cur, undefined, P);
    // Q = 1.9 (the observed p95s) → 2.185; the probe max(1.9, min(2 × 1.5, 16)) = 3 is not given headroom → 3
    expect(core.cpu?.value).toBe(3);
    expect(core.cpu?.estimate).toBe(1.9);
    expect(core.reasons).toContain('cpu_throttled');
    const throttledOnce = builds(10, (i) => (i === 1 ? { throttledRatio: 0.2 } : {}));
    const c2 = recommendCore(throttledOnce, cur, undefined, P);
    expect(c2.cpu?.value).toBeGreaterThanOrEqual(2);
    expect(c2.reasons).toContain('cpu_throttled');
    // 5% exactly is not throttled
    expect(recommendCore(builds(10, () => ({ throttledRatio: 0.05 })), cur, undefined, P).cpu?.value).toBe(0.6);
    // One noisy sample at the top (max at the limit, p95 far below it) is not starvation.
    const noisyTop = builds(10, (i) => (i === 0 ? { cpuMaxCores: 2.4 } : {}));
    const c3 = recommendCore(noisyTop, cur, undefined, P);
    expect(c3.reasons).not.toContain('cpu_throttled');
    expect(c3.cpu?.value).toBe(0.6);
  });
});

describe('the CPU probe after a starved build (rightsizing.md §7: recommend min(limit × 1.5, ladder max))', () => {
  const pinned = builds(10, () => ({ cpuP95Cores: 1.9, cpuMaxCores: 1.95 }));
  it('the risk knob scales the probe, never below today\'s request', () => {
    // margin 0.8: Q 1.9 × 1.15 × 0.8 = 1.748; probe 3 × 0.8 = 2.4 → 2.4
    expect(recommendCore(pinned, cur, undefined, withPolicy({ margin: 0.8 })).cpu?.value).toBe(2.4);
    // margin 0.6: 1.311 and probe 1.8 are both below the request 2 → 2
    expect(recommendCore(pinned, cur, undefined, withPolicy({ margin: 0.6 })).cpu?.value).toBe(2);
  });
  it('a starved build past the lookback counts with its observed p95 only', () => {
    // Builds p95 0.5, except the 6th newest (position 5), p95 1.9 ≥ 0.95 × 2: starved.
    // Weights 2^(−i/10), i = 0…9, sum 7.466; position 5 holds 0.707 / 7.466 = 9.5 % > 5 %,
    // so the weighted p95 is 1.9 → × 1.15 = 2.185 → 2.2 (before: the signal held 3 → 3.45 → 3.5).
    const old = builds(10, (i) => (i === 5 ? { cpuP95Cores: 1.9, cpuMaxCores: 1.95 } : {}));
    const c = recommendCore(old, cur, undefined, P);
    expect(c.cpu?.value).toBe(2.2);
    expect(c.reasons).not.toContain('cpu_throttled');
    // at position 4 (within the newest 5) the probe applies: 3
    const recent = builds(10, (i) => (i === 4 ? { cpuP95Cores: 1.9, cpuMaxCores: 1.95 } : {}));
    expect(recommendCore(recent, cur, undefined, P).cpu?.value).toBe(3);
  });
  it('the probe is capped at the largest agent without flagging cap_binds', () => {
    const big = builds(10, () => ({ requestCpuCores: 14, cpuP95Cores: 14, cpuMaxCores: 14 }));
    const c = recommendCore(big, { cpu_cores: 14, memory_bytes: 4 * GiB }, undefined, P);
    // probe max(14, min(21, 16)) = 16; Q × 1.15 = 16.1 > 16 → the cap, flagged by the estimate itself
    expect(c.cpu?.value).toBe(16);
    expect(c.reasons).toContain('cap_binds');
    const c2 = recommendCore(big, { cpu_cores: 14, memory_bytes: 4 * GiB }, undefined, withPolicy({ cpu: { headroom: 0 } }));
    // headroom 0: Q = 14, probe 16 → 16, and the cap does not bind on an estimate
    expect(c2.cpu?.value).toBe(16);
    expect(c2.reasons).not.toContain('cap_binds');
  });
});

describe('change point', () => {
  it('drops older history when the last 3 builds all jumped ≥ 30%', () => {
    const list = builds(20, (i) => ({ cpuP95Cores: i < 3 ? 1.0 : 0.5, cpuMaxCores: i < 3 ? 1.1 : 0.6 }));
    const core = recommendCore(list, cur, undefined, P);
    expect(core.reasons).toContain('change_point');
    expect(core.cpu?.builds).toBe(3);
    expect(core.cpu?.value).toBe(1.2); // 1.0 × 1.15 → 1.2
    // lower bound from the new regime only: median 1.0 × 1.15 → 1.2
    expect(core.cpu?.lower).toBe(1.2);
  });
  it('does not fire on two jumped builds or on a 29% jump', () => {
    const two = builds(20, (i) => ({ cpuP95Cores: i < 2 ? 1.0 : 0.5 }));
    expect(recommendCore(two, cur, undefined, P).reasons).not.toContain('change_point');
    const small = builds(20, (i) => ({ cpuP95Cores: i < 3 ? 0.645 : 0.5 }));
    expect(recommendCore(small, cur, undefined, P).reasons).not.toContain('change_point');
  });
});

describe('hysteresis and step limit', () => {
  const at = (p95: number) => builds(12, () => ({ cpuP95Cores: p95, cpuMaxCores: p95 }));
  it('holds when the new value is less than 15% below the previous recommendation', () => {
    // 0.78 × 1.15 = 0.897 → 0.9 > 0.85 × 1.0
    const core = recommendCore(at(0.78), cur, { cpu_cores: 1.0 }, P);
    expect(core.cpu?.value).toBe(1.0);
    expect(core.reasons).toContain('hysteresis_hold');
  });
  it('decreases when ≥ 25% lower', () => {
    // 0.6 × 1.15 = 0.69 → 0.7 ≤ 0.75
    expect(recommendCore(at(0.6), cur, { cpu_cores: 1.0 }, P).cpu?.value).toBe(0.7);
    // 0.69 × 1.15 = 0.7935 → 0.8 > 0.75: held
    expect(recommendCore(at(0.69), cur, { cpu_cores: 1.0 }, P).cpu?.value).toBe(1.0);
  });
  it('decreases at most 50% per step', () => {
    const core = recommendCore(at(0.2), cur, { cpu_cores: 1.0 }, P);
    expect(core.cpu?.value).toBe(0.5);
    expect(core.reasons).toContain('step_limited');
  });
  it('increases when usage itself exceeds the previous value', () => {
    expect(recommendCore(at(1.0), cur, { cpu_cores: 0.5 }, P).cpu?.value).toBe(1.2);
    // Q = 1.02 > 1.0: usage no longer fits → 1.173 → 1.2 at once
    expect(recommendCore(at(1.02), cur, { cpu_cores: 1.0 }, P).cpu?.value).toBe(1.2);
  });
  it('holds a small increase (≤ 20%) while the estimate still fits under the previous value', () => {
    // Q 0.9 ≤ 1.0; 0.9 × 1.15 = 1.035 → 1.1 ≤ 1.0 × 1.2 → hold 1.0
    const held = recommendCore(at(0.9), cur, { cpu_cores: 1.0 }, P);
    expect(held.cpu?.value).toBe(1.0);
    expect(held.reasons).toContain('hysteresis_hold');
    // Q 0.97 → 1.1155 → 1.2 = 1.0 × 1.2: still held (only the headroom would grow)
    expect(recommendCore(at(0.97), cur, { cpu_cores: 1.0 }, P).cpu?.value).toBe(1.0);
    // with a 10% deadband the same build rises to 1.2
    expect(recommendCore(at(0.97), cur, { cpu_cores: 1.0 }, withPolicy({ increaseDeadband: 0.1 })).cpu?.value).toBe(1.2);
    // without a previous recommendation nothing is held
    expect(recommendCore(at(0.9), cur, undefined, P).cpu?.value).toBe(1.1);
  });
});

describe('severity (KRR-like)', () => {
  it('by |Δ|: CPU 0.25/0.5 cores, memory 250/500 MB', () => {
    expect(severityFor({ cpu_cores: 1 }, { cpu_cores: 0.9 }, P)).toBe('ok');
    expect(severityFor({ cpu_cores: 1 }, { cpu_cores: 0.75 }, P)).toBe('warning');
    expect(severityFor({ cpu_cores: 1 }, { cpu_cores: 1.5 }, P)).toBe('critical');
    expect(severityFor({ memory_bytes: 1e9 }, { memory_bytes: 0.7e9 }, P)).toBe('warning');
    expect(severityFor({ memory_bytes: 1e9 }, { memory_bytes: 0.4e9 }, P)).toBe('critical');
  });
});

describe('window selection and keys', () => {
  it('uses only ended, non-aborted builds within 30 days, newest first, at most 100', () => {
    const list = [
      build(0, { endMs: NOW + 1 }),
      build(1, { result: 'ABORTED' }),
      build(2),
      build(3, { endMs: NOW - 31 * 24 * HOUR }),
      ...builds(150, () => ({}), 60_000).map((b, i) => ({ ...b, number: 5000 + i })),
    ];
    const sel = selectBuilds(list, P, NOW);
    expect(sel).toHaveLength(100);
    expect(sel.every((b, i) => i === 0 || sel[i - 1]!.endMs >= b.endMs)).toBe(true);
    expect(sel.some((b) => b.result === 'ABORTED' || b.endMs > NOW)).toBe(false);
  });
  it('collapses PR branches only when asked', () => {
    expect(workloadKey('team/repo/PR-12', true)).toBe('team/repo/PR-*');
    expect(workloadKey('team/repo/main', true)).toBe('team/repo/main');
    expect(workloadKey('team/repo/PR-12', false)).toBe('team/repo/PR-12');
  });
  it('flags shared agents', () => {
    expect(recommendCore(builds(6, (i) => ({ sharedAgent: i === 2 })), cur, undefined, P).reasons).toContain('shared_agent');
  });
});
