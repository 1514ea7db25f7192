import type { Client } from '@elastic/elasticsearch';
import { describe, expect, it } from 'vitest';
import { computeWaste, toBuildRecord } from '../../../../src/analysis/index.js';
import { wasteFromStore } from '../../../../src/analysis/service/index.js';
import { wasteDocument } from '../../../../src/analysis/waste/index.js';
import type { BuildDoc, RecommendationDoc } from '../../../../src/model/index.js';
import { exportPageRequest, historyId, recommendationDocId, recommendationsBulkBody, wasteId } from '../../../../src/store/queries/index.js';
import { withEcsBase } from '../../../../src/store/index.js';

const GiB = 1024 ** 3;
const HOUR = 3_600_000;

function buildDoc(job: string, number: number, startMs: number, durationMs: number, extra: Record<string, unknown> = {}): BuildDoc {
  return {
    '@timestamp': new Date(startMs + durationMs).toISOString(),
    jenkins: { url: 'http://j', job: { name: job }, build: { number }, result: 'SUCCESS', label: 'linux' },
    build: { start: startMs, end: startMs + durationMs, duration_ms: durationMs },
    request: { cpu_cores: 2, memory_bytes: 4 * GiB },
    usage: { cpu: { core_seconds: 3600 }, memory: { avg_bytes: GiB, peak_bytes: 2 * GiB }, sample_count: 10, shared_agent: false },
    outcome: { oom_killed: false },
    ...extra,
  };
}

/**
 * The calls `exportBuildPages` and `writeWaste` make, answered from memory: a PIT search over
 * `build.start` (sorted ascending, `search_after` on [start, position]) and a bulk that keeps
 * documents by `_index/_id` like `index` does (overwrite).
 */
class FakeScanEs {
  readonly stored = new Map<string, unknown>();
  readonly searches: Record<string, unknown>[] = [];
  constructor(private readonly docs: readonly unknown[]) {}
  get client(): Client {
    return {
      indices: { exists: () => Promise.resolve(true), refresh: () => Promise.resolve({}) },
      openPointInTime: () => Promise.resolve({ id: 'pit-1' }),
      closePointInTime: () => Promise.resolve({ succeeded: true }),
      search: (req: Record<string, unknown>) => {
        this.searches.push(req);
        const range = (req['query'] as { bool: { filter: [{ range: Record<string, { gte: number; lte: number }> }] } }).bool.filter[0].range['build.start']!;
        const all = this.docs
          .map((d, i) => ({ d, i, start: (d as { build: { start: number } }).build.start }))
          .filter((x) => x.start >= range.gte && x.start <= range.lte)
          .sort((a, b) => a.start - b.start || a.i - b.i);
        const after = req['search_after'] as [number, number] | undefined;
        const rest = after === undefined ? all : all.filter((x) => x.start > after[0] || (x.start === after[0] && x.i > after[1]));
        const page = rest.slice(0, req['size'] as number);
        return Promise.resolve({ pit_id: 'pit-1', hits: { hits: page.map((x) => ({ _source: x.d, sort: [x.start, x.i] })) } });
      },
      bulk: (req: { operations: unknown[] }) => {
        const items: unknown[] = [];
        for (let i = 0; i < req.operations.length; i += 2) {
          const meta = (req.operations[i] as { index: { _index: string; _id: string } }).index;
          this.stored.set(`${meta._index}/${meta._id}`, req.operations[i + 1]);
          items.push({ index: { _id: meta._id, status: 200 } });
        }
        return Promise.resolve({ errors: false, items });
      },
    } as unknown as Client;
  }
}

// Thursday 29 Oct 2026 (week 2026-10-26) and Tuesday 3 Nov 2026 (week 2026-11-02).
const thu = Date.UTC(2026, 9, 29, 8);
const tue = Date.UTC(2026, 10, 3, 8);
const nowMs = Date.UTC(2026, 10, 5, 12);
const docs = [
  buildDoc('app', 1, Date.UTC(2026, 9, 25, 8), HOUR), // Sunday 25 Oct: the week before the window's first week, left out
  buildDoc('app', 2, thu, 2 * HOUR),
  buildDoc('app', 3, tue, HOUR, { jenkins: { job: { name: 'app' }, build: { number: 3 }, result: 'ABORTED', label: 'linux' } }),
  buildDoc('app/PR-1', 1, tue, HOUR),
  buildDoc('app/PR-2', 1, tue + HOUR, HOUR, { usage: { cpu: {}, memory: {} } }), // no usage: skipped, counted
  { build: { start: tue, end: tue + 1 }, jenkins: {} }, // malformed: no job, no number
];

describe('wasteFromStore', () => {
  it('scans whole ISO weeks by build start, counts every build (aborted too), writes one row per job, label and cluster per week', async () => {
    const es = new FakeScanEs(docs);
    // Window: the last 7 days → from Thursday 29 Oct 12:00; the scan starts on Monday 26 Oct.
    const r = await wasteFromStore({ client: es.client, prefix: 'rs', fromMs: nowMs - 7 * 86_400_000, toMs: nowMs, splitBranchKind: true, pageSize: 2 });
    expect(r.fromMs).toBe(Date.UTC(2026, 9, 26));
    expect(r).toMatchObject({ scanned: 5, malformed: 1, skipped: 1 });
    expect(es.searches).toHaveLength(3);
    expect(es.searches[0]).toMatchObject(exportPageRequest({ prefix: 'rs', fromMs: Date.UTC(2026, 9, 26), toMs: nowMs, timeField: 'build.start', pageSize: 2 }, 'pit-1'));
    // Hand-computed: week 10-26: app #2, 2 cores × 2 h = 4 core-h reserved, 1 used; 4 GiB × 2 h = 8 reserved, 2 used.
    // Week 11-02: app #3 (aborted) and app/PR-1 (as app/PR-*), 1 h each: 2 reserved, 1 used; 4 reserved, 1 used each.
    const row = (scope: string, key: string, week: string) => r.rows.find((x) => x.scope === scope && x.key === key && x.week === week);
    expect(row('job', 'app', '2026-10-26')).toMatchObject({ builds: 1, cpuReservedCoreHours: 4, cpuUsedCoreHours: 1, cpuWasteCoreHours: 3, memoryWasteGibHours: 6 });
    expect(row('job', 'app', '2026-11-02')).toMatchObject({ builds: 1, cpuWasteCoreHours: 1, memoryWasteGibHours: 3 });
    expect(row('job', 'app/PR-*', '2026-11-02')).toMatchObject({ builds: 1, cpuWasteCoreHours: 1, memoryWasteGibHours: 3 });
    expect(row('cluster', 'cluster', '2026-11-02')).toMatchObject({ builds: 2, cpuReservedCoreHours: 4, cpuWasteCoreHours: 2, memoryWasteGibHours: 6 });
    expect(row('label', 'linux', '2026-10-26')).toMatchObject({ builds: 1, cpuWasteCoreHours: 3 });
    expect(r.rows).toHaveLength(7);
    // Equal to the offline computation over the same builds.
    const offline = computeWaste(docs.slice(1, 5).map((d) => toBuildRecord(d as BuildDoc, true)));
    expect(r.rows).toEqual(offline.rows);
    // Written: one document per row at its stable id, in the month of its week start.
    expect(r.write).toMatchObject({ written: 7, failed: 0 });
    expect(es.stored.get(`rs-waste-2026.10/${wasteId('job', 'app', '2026-10-26')}`)).toEqual(withEcsBase(wasteDocument(row('job', 'app', '2026-10-26')!)));
    expect(es.stored.get(`rs-waste-2026.11/${wasteId('cluster', 'cluster', '2026-11-02')}`)).toMatchObject({ builds: 2, week: '2026-11-02' });
    // A re-run overwrites instead of adding rows.
    await wasteFromStore({ client: es.client, prefix: 'rs', fromMs: nowMs - 7 * 86_400_000, toMs: nowMs, splitBranchKind: true });
    expect(es.stored.size).toBe(7);
  });

  it('prices add cost; a dry run writes nothing', async () => {
    const es = new FakeScanEs(docs);
    const r = await wasteFromStore({ client: es.client, prefix: 'rs', fromMs: thu, toMs: nowMs, splitBranchKind: false, dryRun: true, prices: { perCoreHour: 0.5, perGibHour: 0.25 } });
    expect(es.stored.size).toBe(0);
    expect(r.write.written).toBe(0);
    // 3 core-h × 0.5 + 6 GiB-h × 0.25 = 3.
    expect(r.rows.find((x) => x.scope === 'job' && x.week === '2026-10-26')?.cost).toEqual({ cpu: 1.5, memory: 1.5, total: 3 });
  });
});

describe('label recommendation ids', () => {
  const doc = (kind: 'jenkins.job' | 'jenkins.label', key: string): RecommendationDoc =>
    ({
      '@timestamp': '2026-11-05T00:00:00.000Z',
      workload: { kind, key },
      current: { cpu_cores: 2 },
      recommended: { cpu_cores: 1 },
      basis: { builds: 10, window_days: 30, cpu_percentile: 95, memory_percentile: 99, headroom: 0.15 },
      confidence: 'medium',
      reasons: [],
      severity: 'warning',
    });

  it('a label named like a job gets its own latest and history ids; jobs keep the bare key', () => {
    expect(recommendationDocId({ kind: 'jenkins.job', key: 'linux' })).toBe('linux');
    expect(recommendationDocId({ kind: 'jenkins.label', key: 'linux' })).toBe('jenkins.label:linux');
    expect(recommendationDocId({ kind: 'marathon.app', key: '/team/app' })).toBe('marathon.app:/team/app');
    const runMs = Date.UTC(2026, 10, 5);
    const label = doc('jenkins.label', 'linux');
    // The stored job named `linux` is not this label's previous document.
    const stored = new Map([['linux', doc('jenkins.job', 'linux')], ['jenkins.label:other', doc('jenkins.label', 'other')]]);
    const { operations, unchanged } = recommendationsBulkBody('rs', [doc('jenkins.job', 'linux'), label, doc('jenkins.label', 'other')], stored, runMs);
    expect(unchanged).toBe(2);
    expect(operations.filter((_, i) => i % 2 === 0)).toEqual([
      { create: { _index: 'rs-recommendations-history-2026.11', _id: historyId('linux', runMs) } },
      { index: { _index: 'rs-recommendations', _id: 'jenkins.label:linux' } },
      { create: { _index: 'rs-recommendations-history-2026.11', _id: historyId('jenkins.label:linux', runMs) } },
      { create: { _index: 'rs-recommendations-history-2026.11', _id: historyId('jenkins.label:other', runMs) } },
    ]);
    expect(historyId('jenkins.label:linux', runMs)).not.toBe(historyId('linux', runMs));
  });
});
