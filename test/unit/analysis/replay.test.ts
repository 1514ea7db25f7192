import { describe, expect, it } from 'vitest';
import {
  DecayingHistogram,
  bootstrap,
  clairvoyantPolicy,
  hindsightQuantilePolicy,
  oursPolicy,
  runReplay,
  statusQuoPolicy,
  walkForward,
  DEFAULT_POLICY,
  generateTrace,
  recommendCore,
  selectBuilds,
  toBuildRecord,
  type Allocation,
  type BuildRecord,
  totals,
  type JobSums,
  type Totals,
  type ReplayPolicy,
} from '../../../src/analysis/index.js';
import { GiB, HOUR, MiB } from './helpers.js';

function rec(key: string, startH: number, durH: number, over: Partial<BuildRecord> = {}): BuildRecord {
  return {
    key,
    job: key,
    number: Math.round(startH * 10),
    startMs: startH * HOUR,
    endMs: (startH + durH) * HOUR,
    durationMs: durH * HOUR,
    result: 'SUCCESS',
    requestCpuCores: 2,
    requestMemoryBytes: 4 * GiB,
    cpuP95Cores: 0.5,
    cpuMaxCores: 0.7,
    memoryPeakBytes: 1 * GiB,
    oomKilled: false,
    sharedAgent: false,
    ...over,
  };
}

/** A policy that records what it has observed at each allocation. */
function spy(): { policy: ReplayPolicy; seen: Map<number, number[]> } {
  const seen = new Map<number, number[]>();
  return {
    seen,
    policy: {
      name: 'spy',
      init: () => [] as number[],
      observe: (s, b) => (s as number[]).push(b.number),
      allocate: (s, b) => {
        seen.set(b.number, [...(s as number[])]);
        return {};
      },
    },
  };
}

describe('walk-forward', () => {
  it('a build sees only builds of its job that ended before it started, in end order', () => {
    const builds = [
      rec('a', 0, 3), // number 0: ends at 3
      rec('a', 1, 1), // number 10: ends at 2
      rec('a', 2.5, 1), // number 25: sees 10 (ended 2) but not 0 (ends 3)
      rec('b', 2.6, 1), // other job: sees nothing
      rec('a', 5, 1), // number 50: sees 10, 0, 25 in end order
    ];
    const { policy, seen } = spy();
    walkForward(builds, policy, () => undefined);
    expect(seen.get(0)).toEqual([]);
    expect(seen.get(10)).toEqual([]);
    expect(seen.get(25)).toEqual([10]);
    expect(seen.get(26)).toEqual([]);
    expect(seen.get(50)).toEqual([10, 0, 25]);
  });
});

describe('replay metrics (hand-computed)', () => {
  // Job a: 4 builds of 1 h, two before the split at t = 10 h, two after.
  const builds = [
    rec('a', 0, 1),
    rec('a', 2, 1),
    rec('a', 10, 1, { cpuP95Cores: 1.5, memoryPeakBytes: 3 * GiB }),
    rec('a', 12, 1),
  ];
  const fixed: ReplayPolicy = {
    name: 'fixed',
    init: () => null,
    observe: () => undefined,
    allocate: () => ({ cpuCores: 1, memoryBytes: 2 * GiB }),
  };
  const r = runReplay(builds, [statusQuoPolicy(), fixed], { evalFromMs: 10 * HOUR, resamples: 0 });
  const sq = r.policies[0]!;
  const fx = r.policies[1]!;

  it('status quo: ratio 1, no under-provisioning', () => {
    expect(sq.builds).toBe(2);
    expect(sq.cpuCoreHours).toBe(4);
    expect(sq.memGibHours).toBe(8);
    expect(sq.cpuVsStatusQuo.value).toBe(1);
    expect(sq.memUpr.value).toBe(0);
    expect(sq.churnPer100).toBe(0);
  });
  it('a fixed allocation: reserved, ratios, capture, UPR', () => {
    // static oracle over the evaluation builds: CPU max p95 1.5, memory max peak 3 GiB
    expect(fx.cpuCoreHours).toBe(2);
    expect(fx.cpuVsStatusQuo.value).toBe(0.5);
    expect(fx.cpuVsStatic.value).toBeCloseTo(2 / 3, 12);
    // capture = (4 − 2) / (4 − 3) = 2 (it under-provisions)
    expect(fx.cpuCapture.value).toBe(2);
    expect(fx.memCapture.value).toBe((8 - 4) / (8 - 6));
    // build at 10 h: p95 1.5 > 1, peak 3 GiB > 2 GiB
    expect(fx.cpuUpr.value).toBe(0.5);
    expect(fx.memUpr.value).toBe(0.5);
    expect(fx.coverage).toBe(1);
  });
  it('counts an OOM-killed build as under-provisioned when the allocation is ≤ its limit', () => {
    const oom = [rec('a', 0, 1), rec('a', 10, 1, { oomKilled: true, memoryPeakBytes: 4 * GiB })];
    const res = runReplay(oom, [statusQuoPolicy()], { evalFromMs: 5 * HOUR, resamples: 0 });
    expect(res.policies[0]!.memUpr.value).toBe(1);
    expect(res.policies[0]!.censoredBuilds).toBe(1);
  });
  it('ours falls back to the status quo until it has 5 builds (coverage)', () => {
    const many = Array.from({ length: 12 }, (_, i) => rec('a', i * 10, 1));
    const res = runReplay(many, [oursPolicy()], { evalFromMs: 0, resamples: 0 });
    // builds 0..5 see < 5 ended builds → status quo; from the 6th on: covered
    expect(res.policies[0]!.coverage).toBeCloseTo(7 / 12, 12);
  });
  it('clairvoyant oracle never under-provisions', () => {
    const res = runReplay(builds, [clairvoyantPolicy()], { evalFromMs: 0, resamples: 0 });
    expect(res.policies[0]!.cpuUpr.value).toBe(0);
    expect(res.policies[0]!.memUpr.value).toBe(0);
  });
});

describe('ours in the replay', () => {
  it('allocates exactly what recommendCore computes from scratch (incremental sorted history)', () => {
    const recs = generateTrace({ jobs: 12, buildsPerJob: 150, seed: 11 }).map((d) => toBuildRecord(d));
    const reference: ReplayPolicy = {
      name: 'reference',
      init: () => ({ seen: [] as BuildRecord[], last: undefined as Allocation | undefined }),
      observe: (s, b) => void (s as { seen: BuildRecord[] }).seen.push(b),
      allocate: (s, b) => {
        const st = s as { seen: BuildRecord[]; last: Allocation | undefined };
        const sel = selectBuilds(st.seen, DEFAULT_POLICY, b.startMs).filter((x) => x.endMs >= b.startMs - 30 * 24 * HOUR);
        const prev = st.last ? { cpu_cores: st.last.cpuCores, memory_bytes: st.last.memoryBytes } : undefined;
        const c = recommendCore(sel, { cpu_cores: b.requestCpuCores, memory_bytes: b.requestMemoryBytes }, prev, DEFAULT_POLICY);
        const a: Allocation = { ...(c.cpu ? { cpuCores: c.cpu.value } : {}), ...(c.memory ? { memoryBytes: c.memory.value } : {}) };
        st.last = a.cpuCores !== undefined || a.memoryBytes !== undefined ? a : undefined;
        return a;
      },
    };
    const got: Allocation[] = [];
    const want: Allocation[] = [];
    walkForward(recs, oursPolicy(), (_b, a) => got.push(a));
    walkForward(recs, reference, (_b, a) => want.push(a));
    expect(got.length).toBe(1800);
    expect(got).toEqual(want);
  });
});

describe('bootstrap', () => {
  const job = (k: string, under: number, builds: number): JobSums => ({ ...totals([]), key: k, builds, memUnder: under });
  it('is seeded and brackets the point estimate', () => {
    const jobs = [job('a', 0, 10), job('b', 1, 10), job('c', 5, 10), job('d', 0, 10)];
    const agg = (t: Totals) => t.memUnder / t.builds;
    const a = bootstrap(jobs, agg, 500, 7);
    expect(a.value).toBe(0.15);
    expect(a.lo).toBeLessThanOrEqual(0.15);
    expect(a.hi).toBeGreaterThanOrEqual(0.15);
    expect(a.lo).toBeGreaterThanOrEqual(0);
    expect(a.hi).toBeLessThanOrEqual(0.5);
    expect(bootstrap(jobs, agg, 500, 7)).toEqual(a);
  });
});

describe('VPA-style decaying histogram', () => {
  it('returns the END of the bucket holding the percentile', () => {
    const h = new DecayingHistogram(0.01, 1000, 24 * HOUR);
    h.add(1, 1, 0);
    const p = h.percentile(0.9)!;
    // bucket i with start(i) ≤ 1 < start(i+1); the answer is start(i+1), ≤ 5% above
    expect(p).toBeGreaterThan(1);
    expect(p).toBeLessThanOrEqual(1.05 * 1 + 0.01);
  });
  it('halves old weight every half-life', () => {
    const h = new DecayingHistogram(1e7, 1e12, 24 * HOUR);
    h.add(1 * GiB, 1, 0);
    h.add(100 * MiB, 1, 24 * HOUR); // weight 2 vs 1 (relative)
    // p50: total 3, the small bucket holds 2 → p50 is the small one
    expect(h.percentile(0.5)!).toBeLessThan(110 * MiB);
    expect(h.percentile(0.9)!).toBeGreaterThan(1 * GiB);
  });
});

describe('whole cost of a wrong size (hand-computed)', () => {
  const fixed = (cpuCores: number, memoryBytes: number): ReplayPolicy => ({ name: 'fixed', init: () => null, observe: () => undefined, allocate: () => ({ cpuCores, memoryBytes }) });

  it('an OOM-killed build loses its reservation and is rerun at the status quo', () => {
    // 2 h build, request 2 cores / 4 GiB, peak 3 GiB; the policy gives 1 core / 2 GiB → OOM.
    const b = [rec('a', 0, 2, { memoryPeakBytes: 3 * GiB, cpuP95Cores: 0.5 })];
    const r = runReplay(b, [fixed(1, 2 * GiB)], { evalFromMs: 0, resamples: 0 }).policies[0]!;
    // failed attempt 1 × 2 + rerun 2 × 2 = 6 core-h; 2 × 2 + 4 × 2 = 12 GiB-h; 2 build-hours lost
    expect(r.wholeCost).toEqual({ coreHours: 6, gibHours: 12, buildHoursLost: 2, oomReruns: 1, stretchedBuilds: 0 });
    // the plain reservation does not see it
    expect(r.cpuCoreHours).toBe(2);
  });
  it('a CPU-under-provisioned build runs p95 / allocation longer, holding its memory too', () => {
    // 1 h build, p95 1.5 cores, allocation 1 core / 2 GiB (peak 1 GiB fits) → 1.5 h.
    const b = [rec('a', 0, 1, { cpuP95Cores: 1.5 })];
    const r = runReplay(b, [fixed(1, 2 * GiB)], { evalFromMs: 0, resamples: 0 }).policies[0]!;
    expect(r.wholeCost.coreHours).toBeCloseTo(1.5, 12);
    expect(r.wholeCost.gibHours).toBeCloseTo(3, 12);
    expect(r.wholeCost.buildHoursLost).toBeCloseTo(0.5, 12);
    expect(r.wholeCost.stretchedBuilds).toBe(1);
    expect(r.wholeCost.oomReruns).toBe(0);
  });
  it('a build that fits costs its reservation; an OOM-killed trace build counts even for the status quo', () => {
    const fits = runReplay([rec('a', 0, 1)], [fixed(1, 2 * GiB)], { evalFromMs: 0, resamples: 0 }).policies[0]!;
    expect(fits.wholeCost).toEqual({ coreHours: 1, gibHours: 2, buildHoursLost: 0, oomReruns: 0, stretchedBuilds: 0 });
    const oom = runReplay([rec('a', 0, 1, { oomKilled: true, memoryPeakBytes: 4 * GiB })], [statusQuoPolicy()], { evalFromMs: 0, resamples: 0 }).policies[0]!;
    // 2 cores × 1 h twice, 4 GiB × 1 h twice
    expect(oom.wholeCost).toEqual({ coreHours: 4, gibHours: 8, buildHoursLost: 1, oomReruns: 1, stretchedBuilds: 0 });
  });
});

describe('hindsight quantile reference (hand-computed)', () => {
  // Evaluation window [2 h, 10 h): builds 2..5 count, build 0 (before it) does not.
  const builds = [
    rec('j', 0, 1, { cpuP95Cores: 9, memoryPeakBytes: 9 * GiB }),
    rec('j', 2, 1, { cpuP95Cores: 1, memoryPeakBytes: 1 * GiB }),
    rec('j', 3, 1, { cpuP95Cores: 2, memoryPeakBytes: 2 * GiB }),
    rec('j', 4, 1, { cpuP95Cores: 3, memoryPeakBytes: 3 * GiB }),
    // OOM-killed: its peak is a lower bound only, so memory leaves it out; its CPU p95 counts.
    rec('j', 5, 1, { cpuP95Cores: 4, memoryPeakBytes: 8 * GiB, oomKilled: true }),
  ];
  const ladders = { cpu: [{ below: Infinity, step: 1 }], memory: [{ below: Infinity, step: GiB }] };
  const ctx = { builds, evalFromMs: 2 * HOUR, evalToMs: 10 * HOUR };

  it('gives every build the nearest-rank quantile of the evaluation builds', () => {
    // CPU [1,2,3,4]: the p50 is the 2nd value = 2; memory [1,2,3] GiB: the 2nd = 2 GiB.
    const p = hindsightQuantilePolicy(0.5, ladders);
    const st = p.init('j', ctx);
    expect(p.allocate(st, builds[0]!)).toEqual({ cpuCores: 2, memoryBytes: 2 * GiB });
    // q = 1: the max of each (CPU 4 from the OOM-killed build; memory 3 GiB without it).
    const top = hindsightQuantilePolicy(1, ladders);
    expect(top.allocate(top.init('j', ctx), builds[4]!)).toEqual({ cpuCores: 4, memoryBytes: 3 * GiB });
  });

  it('allocates nothing without the per-job context or evaluation builds', () => {
    const p = hindsightQuantilePolicy(0.9, ladders);
    expect(p.allocate(p.init('j'), builds[0]!)).toEqual({});
    expect(p.allocate(p.init('j', { builds, evalFromMs: 20 * HOUR, evalToMs: 30 * HOUR }), builds[0]!)).toEqual({});
  });
});
