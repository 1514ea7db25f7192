import { describe, expect, it } from 'vitest';
import { computeWaste, weekStart } from '../../../src/analysis/index.js';
import { GiB, HOUR, build } from './helpers.js';

describe('waste', () => {
  it('week starts on Monday UTC', () => {
    expect(weekStart(Date.UTC(2026, 10, 1, 12))).toBe('2026-10-26'); // Sunday 1 Nov → Monday 26 Oct
    expect(weekStart(Date.UTC(2026, 10, 2))).toBe('2026-11-02');
  });
  it('reserved − used per job, label and cluster, with prices', () => {
    const t = Date.UTC(2026, 10, 3, 10);
    const a = { ...build(0), startMs: t, endMs: t + 2 * HOUR, durationMs: 2 * HOUR, label: 'medium', cpuCoreSeconds: 3600, memoryAvgBytes: 1 * GiB };
    const b = { ...a, key: 'other', job: 'other', cpuCoreSeconds: undefined, cpuAvgCores: 1, memoryAvgBytes: undefined, memoryPeakBytes: 2 * GiB };
    const c = { ...a, requestCpuCores: undefined };
    const r = computeWaste([a, b, c], { perCoreHour: 0.04, perGibHour: 0.005 });
    expect(r.skipped).toBe(1);
    const job = r.rows.find((x) => x.scope === 'job' && x.key === 'team/app')!;
    // 2 cores × 2 h = 4 reserved, 1 used; 4 GiB × 2 h = 8 reserved, 2 used
    expect(job).toMatchObject({ week: '2026-11-02', builds: 1, cpuReservedCoreHours: 4, cpuUsedCoreHours: 1, cpuWasteCoreHours: 3, memoryWasteGibHours: 6 });
    expect(job.cost).toEqual({ cpu: 0.12, memory: 0.03, total: 0.15 });
    const cluster = r.rows.find((x) => x.scope === 'cluster')!;
    // b: 4 − 2 = 2 core-h, 8 − 4 = 4 GiB-h
    expect(cluster).toMatchObject({ builds: 2, cpuWasteCoreHours: 5, memoryWasteGibHours: 10 });
    expect(r.rows.find((x) => x.scope === 'label')!.key).toBe('medium');
  });
});
