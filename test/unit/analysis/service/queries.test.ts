import { describe, expect, it } from 'vitest';
import { toBuildRecord } from '../../../../src/analysis/index.js';
import type { BuildDoc, RecommendationDoc } from '../../../../src/model/index.js';
import {
  JOB_BUILD_FIELDS,
  exportPageRequest,
  historyId,
  jobsPageRequest,
  parseJobsPage,
  parseRecommendationsMget,
  recommendationsBulkBody,
  toJobBuild,
} from '../../../../src/store/queries/index.js';

const GiB = 1024 ** 3;


function buildDoc(job: string, number: number, endMs: number, extra: Record<string, unknown> = {}): BuildDoc {
  return {
    '@timestamp': new Date(endMs).toISOString(),
    jenkins: { url: 'http://j', job: { name: job }, build: { number }, result: 'SUCCESS', label: 'medium' },
    build: { start: endMs - 600_000, end: endMs, duration_ms: 600_000 },
    request: { cpu_cores: 2, memory_bytes: 4 * GiB },
    usage: { cpu: { avg_cores: 0.4, p50_cores: 0.35, p95_cores: 0.5, max_cores: 0.6, core_seconds: 240, throttled_ratio: 0 }, memory: { avg_bytes: GiB, peak_bytes: 1.5 * GiB }, sample_count: 60, shared_agent: false },
    outcome: { oom_killed: false },
    ...extra,
  };
}

describe('jobsPageRequest', () => {
  const q = { prefix: 'rs', fromMs: 1000, toMs: 5000, pageSize: 700, buildsPerJob: 100 };

  it('pages jobs with a composite terms source over the window of build ends', () => {
    const r = jobsPageRequest(q);
    expect(r).toMatchObject({
      index: 'rs-builds-*',
      size: 0,
      query: { bool: { filter: [{ range: { 'build.end': { gte: 1000, lte: 5000, format: 'epoch_millis' } } }] } },
      aggs: { jobs: { composite: { size: 700, sources: [{ job: { terms: { field: 'jenkins.job.name' } } }] } } },
    });
    expect(JSON.stringify(r)).not.toContain('"after"');
    expect(jobsPageRequest({ ...q, after: { job: 'x' } })).toMatchObject({ aggs: { jobs: { composite: { after: { job: 'x' } } } } });
  });

  it('returns the newest usable builds per job with only the needed fields, plus percentiles and stats', () => {
    expect(jobsPageRequest(q)).toMatchObject({
      aggs: {
        jobs: {
          aggs: {
            usable: {
              filter: { bool: { must_not: [{ terms: { 'jenkins.result': ['ABORTED', 'NOT_BUILT'] } }] } },
              aggs: {
                recent: {
                  top_hits: {
                    size: 100,
                    sort: [{ 'build.end': { order: 'desc' } }, { 'jenkins.build.number': { order: 'desc' } }],
                    _source: { includes: JOB_BUILD_FIELDS },
                  },
                },
                cpu_p95: { percentiles: { field: 'usage.cpu.p95_cores', percents: [50, 95] } },
                duration: { stats: { field: 'build.duration_ms' } },
              },
            },
          },
        },
      },
    });
  });
});

describe('toJobBuild', () => {
  it('reads the same record as toBuildRecord reads from a whole document', () => {
    const doc = buildDoc('a/b', 7, 1_700_000_000_000, { outcome: { oom_killed: true } });
    const bad = { fields: 0 };
    const got = toJobBuild(doc, bad)!;
    const want = toBuildRecord(doc);
    const { key: _key, ...rest } = want;
    for (const [k, v] of Object.entries(rest)) expect((got as unknown as Record<string, unknown>)[k], k).toEqual(v);
    expect(bad.fields).toBe(0);
  });

  it('drops a malformed optional field (counted) and keeps the build', () => {
    const bad = { fields: 0 };
    const doc = buildDoc('a', 1, 10_000_000) as unknown as { usage: { cpu: Record<string, unknown>; memory: Record<string, unknown> }; outcome: Record<string, unknown> };
    doc.usage.cpu.p95_cores = 'lots';
    doc.usage.cpu.throttled_ratio = 3; // outside [0, 1]
    doc.usage.memory.peak_bytes = -5;
    doc.outcome.oom_killed = 'yes';
    const b = toJobBuild(doc, bad)!;
    expect(b.cpuP95Cores).toBeUndefined();
    expect(b.throttledRatio).toBeUndefined();
    expect(b.memoryPeakBytes).toBeUndefined();
    expect(b.oomKilled).toBe(false);
    expect(b.cpuMaxCores).toBe(0.6);
    expect(bad.fields).toBe(4);
  });

  it('rejects a build without its identity or times', () => {
    const bad = { fields: 0 };
    const base = buildDoc('a', 1, 10_000_000);
    expect(toJobBuild({ ...base, jenkins: { ...base.jenkins, job: {} } }, bad)).toBeUndefined();
    expect(toJobBuild({ ...base, jenkins: { ...base.jenkins, build: { number: 1.5 } } }, bad)).toBeUndefined();
    expect(toJobBuild({ ...base, build: { start: 9, end: 5, duration_ms: 1 } }, bad)).toBeUndefined();
    expect(toJobBuild({ ...base, build: { start: 1, end: 5 } }, bad)).toBeUndefined();
    expect(toJobBuild('nope', bad)).toBeUndefined();
    // An ISO-8601 instant is accepted (data-model: queries may use either form).
    expect(toJobBuild({ ...base, build: { start: '1970-01-01T00:00:01Z', end: 5000, duration_ms: 4000 } }, bad)?.startMs).toBe(1000);
  });
});

describe('parseJobsPage', () => {
  const hit = (src: unknown) => ({ _index: 'rs-builds-2026.11', _id: 'x', _source: src });
  const response = {
    aggregations: {
      jobs: {
        after_key: { job: 'b' },
        buckets: [
          {
            key: { job: 'a' },
            doc_count: 4,
            usable: {
              doc_count: 3,
              recent: { hits: { hits: [hit(buildDoc('a', 3, 3_000_000)), hit({ jenkins: { job: { name: 'a' } } }), hit(buildDoc('a', 1, 1_000_000))] } },
              cpu_p95: { values: { '50.0': 0.5, '95.0': 0.9 } },
              memory_peak: { values: { '50.0': 1e9, '99.0': 2e9 } },
              duration: { count: 3, min: 1, max: 900, avg: 600, sum: 1800 },
            },
            latest: { hits: { hits: [hit(buildDoc('a', 4, 4_000_000, { jenkins: { job: { name: 'a' }, build: { number: 4 }, result: 'ABORTED' } }))] } },
          },
          { key: { job: 42 }, doc_count: 1, usable: { doc_count: 0 } },
          {
            key: { job: 'b' },
            doc_count: 1,
            usable: { doc_count: 0, recent: { hits: { hits: [] } }, cpu_p95: { values: { '50.0': null } }, duration: { count: 0, avg: null } },
            latest: { hits: { hits: [hit(buildDoc('b', 9, 9_000_000))] } },
          },
        ],
      },
    },
  };

  it('maps buckets to typed jobs, counting and skipping what is malformed', () => {
    const page = parseJobsPage(response);
    expect(page.afterKey).toEqual({ job: 'b' });
    expect(page.skippedBuckets).toBe(1);
    expect(page.skippedBuilds).toBe(1);
    expect(page.jobs.map((j) => j.job)).toEqual(['a', 'b']);
    const a = page.jobs[0]!;
    expect(a.builds).toBe(4);
    expect(a.usableBuilds).toBe(3);
    expect(a.recent.map((b) => b.number)).toEqual([3, 1]);
    expect(a.latest?.number).toBe(4);
    expect(a.stats).toEqual({ cpuP95CoresP50: 0.5, cpuP95CoresP95: 0.9, memoryPeakBytesP50: 1e9, memoryPeakBytesP99: 2e9, durationMsAvg: 600, durationMsMax: 900 });
    const b = page.jobs[1]!;
    expect(b.recent).toEqual([]);
    expect(b.latest?.number).toBe(9);
    expect(b.stats).toEqual({});
  });

  it('skips a hit filed under another job', () => {
    const r = structuredClone(response);
    r.aggregations.jobs.buckets[0]!.usable.recent!.hits.hits[0] = hit(buildDoc('zzz', 3, 3_000_000));
    expect(parseJobsPage(r).skippedBuilds).toBe(2);
  });

  it('has no after key on an empty page or a response without aggregations', () => {
    expect(parseJobsPage({ aggregations: { jobs: { buckets: [] } } })).toEqual({ jobs: [], skippedBuilds: 0, badFields: 0, skippedBuckets: 0 });
    expect(parseJobsPage({}).afterKey).toBeUndefined();
  });
});

describe('recommendations store requests', () => {
  const doc = (key: string, cpu: number): RecommendationDoc => ({
    '@timestamp': '2026-11-20T00:00:00.000Z',
    workload: { kind: 'jenkins.job', key },
    current: { cpu_cores: 2, memory_bytes: 4 * GiB },
    recommended: { cpu_cores: cpu, memory_bytes: GiB },
    basis: { builds: 20, window_days: 30, cpu_percentile: 95, memory_percentile: 99, headroom: 0.15 },
    confidence: 'high',
    reasons: [],
    severity: 'critical',
  });
  const runMs = Date.UTC(2026, 10, 22, 4, 0, 0);

  it('history ids are deterministic per workload and run, and differ between runs and keys', () => {
    expect(historyId('a', runMs)).toBe(historyId('a', runMs));
    expect(historyId('a', runMs)).toMatch(/^[0-9a-f]{40}$/);
    expect(historyId('a', runMs + 1)).not.toBe(historyId('a', runMs));
    expect(historyId('b', runMs)).not.toBe(historyId('a', runMs));
  });

  it('indexes changed documents by workload key, skips identical ones, and always creates history in the run month', () => {
    const stored = new Map([
      ['a', JSON.parse(JSON.stringify({ ...doc('a', 0.6) })) as RecommendationDoc],
      ['b', doc('b', 0.9)],
    ]);
    // Key order of the stored source must not matter.
    const reordered = Object.fromEntries(Object.entries(stored.get('a')!).reverse()) as unknown as RecommendationDoc;
    stored.set('a', reordered);
    // An undefined property is not stored (JSON drops it), so it does not count as a change.
    const a = { ...doc('a', 0.6), savings: undefined } as unknown as RecommendationDoc;
    const { operations, unchanged } = recommendationsBulkBody('rs', [a, doc('b', 0.7), doc('c', 1)], stored, runMs);
    expect(unchanged).toBe(1);
    const actions = operations.filter((_, i) => i % 2 === 0);
    expect(actions).toEqual([
      { create: { _index: 'rs-recommendations-history-2026.11', _id: historyId('a', runMs) } },
      { index: { _index: 'rs-recommendations', _id: 'b' } },
      { create: { _index: 'rs-recommendations-history-2026.11', _id: historyId('b', runMs) } },
      { index: { _index: 'rs-recommendations', _id: 'c' } },
      { create: { _index: 'rs-recommendations-history-2026.11', _id: historyId('c', runMs) } },
    ]);
  });

  it('reads found documents of an mget answer and ignores missing and failed ones', () => {
    const got = parseRecommendationsMget({
      docs: [
        { _index: 'rs-recommendations', _id: 'a', found: true, _source: doc('a', 0.5) },
        { _index: 'rs-recommendations', _id: 'b', found: false },
        { _index: 'rs-recommendations', _id: 'c', error: { type: 'index_not_found_exception' } },
        { _index: 'rs-recommendations', _id: 'd', found: true, _source: 'garbage' },
      ],
    });
    expect([...got.keys()]).toEqual(['a']);
    expect(got.get('a')?.recommended.cpu_cores).toBe(0.5);
    expect(parseRecommendationsMget(null).size).toBe(0);
  });
});

describe('exportPageRequest', () => {
  it('sorts by build end with the PIT tie-breaker and continues after the last sort values', () => {
    const q = { prefix: 'rs', fromMs: 1, toMs: 2, pageSize: 250 };
    const first = exportPageRequest(q, 'pit-1');
    expect(first).toMatchObject({
      pit: { id: 'pit-1', keep_alive: '2m' },
      size: 250,
      sort: [{ 'build.end': { order: 'asc' } }, { _shard_doc: { order: 'asc' } }],
    });
    expect(first['search_after']).toBeUndefined();
    expect(first['index']).toBeUndefined();
    expect(exportPageRequest(q, 'pit-2', [5, 17])['search_after']).toEqual([5, 17]);
  });
});
