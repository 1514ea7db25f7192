import { describe, expect, it } from 'vitest';
import { BuildStreamAnalysis, DEFAULT_POLICY, analyzeBuilds, generateTrace, recommendWorkload, seededRandom, toBuildRecord, withPolicy } from '../../../src/analysis/index.js';

describe('analyzeBuilds', () => {
  const records = generateTrace({ jobs: 20, buildsPerJob: 40, seed: 5 }).map((d) => toBuildRecord(d));
  const nowMs = Math.max(...records.map((r) => r.endMs));
  const r = analyzeBuilds(records, { policy: DEFAULT_POLICY, nowMs, planK: 3, prices: { perCoreHour: 0.04, perGibHour: 0.005 } });

  it('recommends every job and every label it saw', () => {
    expect(r.jobs).toHaveLength(20);
    expect(new Set(r.labels.map((l) => l.workload.key))).toEqual(new Set(r.jobs.map((j) => j.jenkins?.label)));
  });
  it('plans labels that cover every job', () => {
    expect(r.plan!.labels.length).toBeLessThanOrEqual(3);
    for (const j of r.jobs) {
      const a = r.plan!.assignments.find((x) => x.key === j.workload.key)!;
      expect(a.cpuCores).toBeGreaterThanOrEqual(j.recommended.cpu_cores!);
      expect(a.memoryBytes).toBeGreaterThanOrEqual(j.recommended.memory_bytes!);
    }
  });
  it('reports waste whose cluster total equals the sum over jobs', () => {
    const sum = (scope: string) => r.waste.rows.filter((x) => x.scope === scope).reduce((s, x) => s + x.cpuWasteCoreHours, 0);
    expect(sum('cluster')).toBeCloseTo(sum('job'), 0);
    expect(r.waste.rows.every((x) => x.cost !== undefined)).toBe(true);
  });
});

describe('BuildStreamAnalysis (analyze --from, one build at a time)', () => {
  it('keeps only what a recommendation reads and gives what recommendWorkload gives over every build, in any input order', () => {
    const policy = withPolicy({ maxBuilds: 12, windowDays: 9 });
    const records = generateTrace({ jobs: 15, buildsPerJob: 60, seed: 6, days: 30 }).map((d) => toBuildRecord(d));
    const rnd = seededRandom(3);
    const shuffled = records.map((r) => [rnd(), r] as const).sort((a, b) => a[0] - b[0]).map(([, r]) => r);
    const nowMs = Math.max(...records.map((r) => r.endMs));
    const stream = new BuildStreamAnalysis(policy);
    for (const r of shuffled) stream.add(r);
    const got = stream.finish();
    expect(got.nowMs).toBe(nowMs);
    const keys = [...new Set(shuffled.map((r) => r.key))];
    const want = keys.map((key) => recommendWorkload({ kind: 'jenkins.job', key, jobName: key, builds: records.filter((r) => r.key === key) }, policy, nowMs));
    expect(got.jobs).toEqual(want);
  });
});
