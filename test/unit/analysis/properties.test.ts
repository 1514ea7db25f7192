import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, planLabels, recencyWeights, recommendCore, roundUpToLadder, weightedPercentile, withPolicy } from '../../../src/analysis/index.js';
import { GiB, MiB, builds } from './helpers.js';

const P = DEFAULT_POLICY;
// Large requests so that no generated build is CPU-starved or near its memory limit.
const big = { requestCpuCores: 64, requestMemoryBytes: 256 * GiB };
const cur = { cpu_cores: 64, memory_bytes: 256 * GiB };

const usage = fc.record({ cpu: fc.double({ min: 0.01, max: 12, noNaN: true }), mem: fc.integer({ min: 50 * MiB, max: 48 * GiB }) });

describe('recommender properties', () => {
  it('more usage never lowers a recommendation', () => {
    fc.assert(
      fc.property(
        fc.array(usage, { minLength: 5, maxLength: 40 }),
        fc.nat(),
        fc.double({ min: 1, max: 3, noNaN: true }),
        (us, pick, factor) => {
          const mk = (bump: number) =>
            builds(us.length, (i) => {
              const f = i === pick % us.length ? bump : 1;
              const u = us[i]!;
              return { ...big, cpuP95Cores: u.cpu * f, cpuMaxCores: u.cpu * f * 1.1, memoryPeakBytes: Math.round(u.mem * f) };
            });
          const before = recommendCore(mk(1), cur, undefined, P);
          const after = recommendCore(mk(factor), cur, undefined, P);
          expect(after.cpu!.value).toBeGreaterThanOrEqual(before.cpu!.value);
          expect(after.memory!.value).toBeGreaterThanOrEqual(before.memory!.value);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the core's estimate equals the reference weighted percentile (change point off)", () => {
    const pol = withPolicy({ changePointJump: 1e9 });
    fc.assert(
      fc.property(fc.array(usage, { minLength: 5, maxLength: 100 }), (us) => {
        const list = builds(us.length, (i) => ({ ...big, cpuP95Cores: us[i]!.cpu, cpuMaxCores: us[i]!.cpu, memoryPeakBytes: us[i]!.mem }));
        const c = recommendCore(list, cur, undefined, pol);
        const cpuRef = weightedPercentile(us.map((u) => u.cpu), recencyWeights(us.length, 10), 0.95)!;
        const mems = us.map((u) => u.mem);
        const memRef = Math.max(weightedPercentile(mems, recencyWeights(us.length, 20), 0.99)!, ...mems.slice(0, 5));
        expect(c.cpu!.estimate).toBe(cpuRef);
        expect(c.memory!.estimate).toBe(memRef);
      }),
      { numRuns: 300 },
    );
  });

  it('identical builds converge to round(max(usage × headroom, floor)) and stay there', () => {
    fc.assert(
      fc.property(usage, fc.integer({ min: 10, max: 60 }), (u, n) => {
        const list = builds(n, () => ({ ...big, cpuP95Cores: u.cpu, cpuMaxCores: u.cpu, memoryPeakBytes: u.mem }));
        const cpu = Math.min(P.cpu.cap, roundUpToLadder(Math.max(u.cpu * 1.15, 0.25), P.cpu.ladder));
        const mem = Math.min(P.memory.cap, roundUpToLadder(Math.max(u.mem * 1.2, u.mem + 256 * MiB, 512 * MiB), P.memory.ladder));
        // Start far above (the status quo) and iterate with the previous recommendation.
        let prev: { cpu_cores: number; memory_bytes: number } | undefined;
        for (let step = 0; step < 12; step++) {
          const c = recommendCore(list, cur, prev, P);
          prev = { cpu_cores: c.cpu!.value, memory_bytes: c.memory!.value };
        }
        expect(prev).toEqual({ cpu_cores: cpu, memory_bytes: mem });
      }),
      { numRuns: 200 },
    );
  });

  it('recommendations stay within [floor, cap] whatever the history', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ cpu: fc.double({ min: 0, max: 100, noNaN: true }), mem: fc.integer({ min: 0, max: 200 * GiB }), oom: fc.boolean(), thr: fc.double({ min: 0, max: 1, noNaN: true }) }), {
          minLength: 5,
          maxLength: 30,
        }),
        fc.option(fc.record({ cpu_cores: fc.double({ min: 0.1, max: 32, noNaN: true }), memory_bytes: fc.integer({ min: 1, max: 100 * GiB }) }), { nil: undefined }),
        (us, prev) => {
          const list = builds(us.length, (i) => ({ cpuP95Cores: us[i]!.cpu, cpuMaxCores: us[i]!.cpu, memoryPeakBytes: us[i]!.mem, oomKilled: us[i]!.oom, throttledRatio: us[i]!.thr }));
          const c = recommendCore(list, { cpu_cores: 2, memory_bytes: 4 * GiB }, prev, P);
          for (const [r, rp] of [
            [c.cpu!, P.cpu],
            [c.memory!, P.memory],
          ] as const) {
            expect(r.value).toBeGreaterThanOrEqual(rp.floor);
            expect(r.value).toBeLessThanOrEqual(rp.cap);
            expect(r.lower).toBeLessThanOrEqual(r.value);
            expect(r.upper).toBeGreaterThanOrEqual(r.value);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a label plan covers every job with a size ≥ its recommendation and uses ≤ k sizes', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ cpu: fc.integer({ min: 1, max: 40 }), mem: fc.integer({ min: 1, max: 64 }), h: fc.double({ min: 0, max: 100, noNaN: true }) }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.integer({ min: 1, max: 5 }),
        (js, k) => {
          const jobs = js.map((j, i) => ({ key: `j${i}`, cpuCores: j.cpu / 10, memoryBytes: j.mem * 256 * MiB, hoursPerWeek: j.h }));
          const plan = planLabels(jobs, { k, exactBudget: 20_000 });
          expect(plan.labels.length).toBeLessThanOrEqual(k);
          expect(plan.assignments).toHaveLength(jobs.length);
          for (const [i, a] of plan.assignments.entries()) {
            expect(a.cpuCores).toBeGreaterThanOrEqual(jobs[i]!.cpuCores);
            expect(a.memoryBytes).toBeGreaterThanOrEqual(jobs[i]!.memoryBytes);
            expect(plan.labels.some((l) => l.name === a.label)).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
