import { describe, expect, it } from 'vitest';
import { computeWaste } from '../../../src/analysis/index.js';
import { WasteAccumulator, wasteDocument } from '../../../src/analysis/waste/index.js';
import { wasteBulkBody, wasteId } from '../../../src/store/queries/index.js';
import { GiB, HOUR, build } from './helpers.js';

// Wednesday 4 Nov 2026 and Monday 9 Nov 2026 (two ISO weeks: 2026-11-02 and 2026-11-09).
const wed = Date.UTC(2026, 10, 4, 10);
const mon = Date.UTC(2026, 10, 9, 0, 30);

// a: 2 cores × 1.5 h = 3 core-h reserved, 1800 core-s = 0.5 used → 2.5 wasted;
//    4 GiB × 1.5 h = 6 GiB-h reserved, 1 GiB avg × 1.5 h = 1.5 used → 4.5 wasted.
const a = build(0, { startMs: wed, endMs: wed + 1.5 * HOUR, durationMs: 1.5 * HOUR, label: 'linux', cpuCoreSeconds: 1800, memoryAvgBytes: 1 * GiB });
// b, same job and week: 1 core × 0.5 h = 0.5 reserved, avg 0.25 cores × 0.5 h = 0.125 used;
//    2 GiB × 0.5 h = 1 reserved, peak 0.5 GiB × 0.5 h = 0.25 used.
const b = build(1, {
  startMs: wed + 2 * HOUR,
  endMs: wed + 2.5 * HOUR,
  durationMs: 0.5 * HOUR,
  label: 'linux',
  requestCpuCores: 1,
  requestMemoryBytes: 2 * GiB,
  cpuAvgCores: 0.25,
  memoryPeakBytes: 0.5 * GiB,
});
// c, another job without a label, next week: 1 core × 1 h reserved, 0.5 used; 4 GiB-h reserved, 2 used.
const c = build(2, { key: 'other', job: 'other', startMs: mon, endMs: mon + HOUR, durationMs: HOUR, cpuCoreSeconds: 1800, memoryAvgBytes: 2 * GiB, requestCpuCores: 1 });

describe('waste documents', () => {
  it('one document per job, label and cluster per week, with hand-computed sums and units in the names', () => {
    const rows = computeWaste([a, b, c], { perCoreHour: 0.04, perGibHour: 0.01, currency: 'EUR' }).rows;
    const docs = rows.map(wasteDocument);
    expect(docs).toHaveLength(6);
    const job = docs.find((d) => d.waste.scope === 'job' && d.workload.key === 'team/app')!;
    expect(job).toEqual({
      '@timestamp': '2026-11-02T00:00:00.000Z',
      waste: { scope: 'job', cpu_core_hours: 2.875, memory_gib_hours: 5.25 },
      workload: { kind: 'jenkins.job', key: 'team/app' },
      week: '2026-11-02',
      builds: 2,
      reserved: { cpu_core_hours: 3.5, memory_gib_hours: 7 },
      used: { cpu_core_hours: 0.625, memory_gib_hours: 1.75 },
      // 2.875 × 0.04 = 0.115; 5.25 × 0.01 = 0.0525 → 0.053 (0.001); total 0.1675 → 0.168 (rounded once)
      cost: { cpu: 0.115, memory: 0.053, total: 0.168, currency: 'EUR' },
    });
    expect(docs.find((d) => d.waste.scope === 'label' && d.week === '2026-11-02')).toMatchObject({
      workload: { kind: 'jenkins.label', key: 'linux' },
      builds: 2,
      waste: { cpu_core_hours: 2.875, memory_gib_hours: 5.25 },
    });
    expect(docs.find((d) => d.waste.scope === 'label' && d.week === '2026-11-09')).toMatchObject({ workload: { kind: 'jenkins.label', key: '(none)' } });
    const nextWeek = docs.filter((d) => d.week === '2026-11-09');
    expect(nextWeek.map((d) => d.waste.scope).sort()).toEqual(['cluster', 'job', 'label']);
    expect(nextWeek.find((d) => d.waste.scope === 'cluster')).toEqual({
      '@timestamp': '2026-11-09T00:00:00.000Z',
      waste: { scope: 'cluster', cpu_core_hours: 0.5, memory_gib_hours: 2 },
      workload: { kind: 'cluster', key: 'cluster' },
      week: '2026-11-09',
      builds: 1,
      reserved: { cpu_core_hours: 1, memory_gib_hours: 4 },
      used: { cpu_core_hours: 0.5, memory_gib_hours: 2 },
      cost: { cpu: 0.02, memory: 0.02, total: 0.04, currency: 'EUR' },
    });
    // Without prices, no money at all.
    expect(computeWaste([a]).rows.map(wasteDocument).every((d) => !('cost' in d))).toBe(true);
  });

  it('the accumulator fed one build at a time equals computeWaste', () => {
    const acc = new WasteAccumulator();
    const skippedBuild = { ...a, memoryAvgBytes: undefined, memoryPeakBytes: undefined };
    for (const x of [c, skippedBuild, b, a]) acc.add(x);
    expect(acc.result()).toEqual(computeWaste([a, b, c, skippedBuild]));
    expect(acc.result().skipped).toBe(1);
  });

  it('indexes each row (overwrite on re-run) in the month of its week start, _id stable per scope + key + week', () => {
    const docs = computeWaste([a, c]).rows.map(wasteDocument);
    const ops = wasteBulkBody('rs', docs);
    expect(ops).toHaveLength(12);
    const metas = ops.filter((_, i) => i % 2 === 0) as { index: { _index: string; _id: string } }[];
    expect(new Set(metas.map((m) => m.index._index))).toEqual(new Set(['rs-waste-2026.11']));
    const jobMeta = metas[docs.findIndex((d) => d.waste.scope === 'job' && d.workload.key === 'other')]!;
    expect(jobMeta.index._id).toBe(wasteId('job', 'other', '2026-11-09'));
    expect(wasteId('job', 'other', '2026-11-09')).toMatch(/^[0-9a-f]{40}$/);
    // Scope, key and week all matter; a label and a job of the same name never share a row.
    expect(new Set([wasteId('job', 'x', '2026-11-09'), wasteId('label', 'x', '2026-11-09'), wasteId('job', 'x', '2026-11-02'), wasteId('job', 'y', '2026-11-09')]).size).toBe(4);
    // A week starting in one month lands in that month's index.
    const oct = build(0, { startMs: Date.UTC(2026, 10, 1, 12), endMs: Date.UTC(2026, 10, 1, 13), durationMs: HOUR, cpuCoreSeconds: 60, memoryAvgBytes: GiB });
    const octOps = wasteBulkBody('rs', computeWaste([oct]).rows.map(wasteDocument));
    expect((octOps[0] as { index: { _index: string } }).index._index).toBe('rs-waste-2026.10');
  });
});

describe('waste table', () => {
  it('newest week first, the cluster before labels before jobs, cost only with prices', async () => {
    const { wasteTable, wasteCsv } = await import('../../../src/analysis/format.js');
    const lines = wasteTable(computeWaste([a, b, c]).rows).trimEnd().split('\n');
    expect(lines[0]!.split(/\s+/)).toEqual([
      'week',
      'scope',
      'key',
      'builds',
      'cpu_reserved_core_h',
      'cpu_used_core_h',
      'cpu_waste_core_h',
      'mem_reserved_gib_h',
      'mem_used_gib_h',
      'mem_waste_gib_h',
      'cost_total',
      'currency',
    ]);
    expect(lines.slice(2).map((l) => l.split(/\s+/).slice(0, 3).join(' '))).toEqual([
      '2026-11-09 cluster cluster',
      '2026-11-09 label (none)',
      '2026-11-09 job other',
      '2026-11-02 cluster cluster',
      '2026-11-02 label linux',
      '2026-11-02 job team/app',
    ]);
    expect(lines[7]!.split(/\s+/)).toEqual(['2026-11-02', 'job', 'team/app', '2', '3.5', '0.625', '2.875', '7', '1.75', '5.25', '-', '-']);
    const csv = wasteCsv(computeWaste([c], { perCoreHour: 1, perGibHour: 1, currency: 'EUR' }).rows).split('\r\n');
    expect(csv[1]).toBe('2026-11-09,cluster,cluster,1,1,0.5,0.5,4,2,2,2.5,EUR');
  });
});
