import { describe, expect, it } from 'vitest';
import { MARATHON_MAX_BUCKETS, marathonAppsPageRequest, marathonPageSize, parseMarathonAppsPage } from '../../../../src/store/queries/index.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 20, 0, 0, 0);

describe('marathonAppsPageRequest', () => {
  it('mesos.executor readings with an app id in the range; composite on marathon.app.id; hourly windows; aggregations only', () => {
    const req = marathonAppsPageRequest({ prefix: 'rs', fromMs: T0, toMs: T0 + 10 * HOUR, windowMs: HOUR, pageSize: 50, after: { app: '/a' } });
    expect(req['index']).toBe('rs-containers-*');
    expect(req['size']).toBe(0);
    const text = JSON.stringify(req);
    expect(text).toContain('{"term":{"event.dataset":"mesos.executor"}}');
    expect(text).toContain('{"exists":{"field":"marathon.app.id"}}');
    expect(text).toContain(JSON.stringify({ range: { '@timestamp': { gte: T0, lte: T0 + 10 * HOUR, format: 'epoch_millis' } } }));
    expect(text).toContain('"composite":{"size":50,"sources":[{"app":{"terms":{"field":"marathon.app.id"}}}],"after":{"app":"/a"}}');
    expect(text).toContain('"date_histogram":{"field":"@timestamp","fixed_interval":"3600000ms","min_doc_count":1}');
    expect(text).toContain('"cpu_pct":{"percentiles":{"field":"cpu.cores","percents":[95]}}');
    expect(text).toContain('"memory_max":{"max":{"field":"memory.working_set_bytes"}}');
    expect(text).toContain('"sort":[{"@timestamp":{"order":"desc"}}]');
    expect(text).not.toMatch(/script|bucket_sort/);
  });

  it('keeps a page under search.max_buckets: 30 days of hours are 721 windows → 60,000 / 723 = 82 apps', () => {
    expect(marathonPageSize({ fromMs: T0, toMs: T0 + 30 * 24 * HOUR, windowMs: HOUR, pageSize: 500 })).toBe(82);
    expect(82 * 723).toBeLessThanOrEqual(MARATHON_MAX_BUCKETS);
    expect(marathonPageSize({ fromMs: T0, toMs: T0 + 10 * HOUR, windowMs: HOUR, pageSize: 50 })).toBe(50);
  });
});

describe('parseMarathonAppsPage', () => {
  it('windows oldest first, empty statistics absent (never 0), the newest request, skipped keys counted', () => {
    const page = parseMarathonAppsPage({
      aggregations: {
        apps: {
          after_key: { app: '/team/web' },
          buckets: [
            {
              key: { app: '/team/web' },
              doc_count: 9,
              windows: {
                buckets: [
                  { key: T0 + HOUR, doc_count: 3, cpu_pct: { values: { '95.0': 0.7 } }, cpu_max: { value: 0.8 }, memory_max: { value: 734_003_200 } },
                  // first readings only: no cpu.cores yet
                  { key: T0, doc_count: 6, cpu_pct: { values: { '95.0': null } }, cpu_max: { value: null }, memory_max: { value: 629_145_600 } },
                ],
              },
              requested: { doc_count: 9, newest: { hits: { hits: [{ _source: { request: { cpu_cores: 1, memory_bytes: 1_073_741_824 } } }] } } },
            },
            { key: { app: 42 }, doc_count: 1 },
            { key: { app: '/no/request' }, doc_count: 1, windows: { buckets: [] }, requested: { doc_count: 0, newest: { hits: { hits: [] } } } },
          ],
        },
      },
    });
    expect(page.afterKey).toEqual({ app: '/team/web' });
    expect(page.skippedBuckets).toBe(1);
    expect(page.apps).toEqual([
      {
        appId: '/team/web',
        readings: 9,
        windows: [
          { startMs: T0, readings: 6, memoryPeakBytes: 629_145_600 },
          { startMs: T0 + HOUR, readings: 3, cpuP95Cores: 0.7, cpuMaxCores: 0.8, memoryPeakBytes: 734_003_200 },
        ],
        requestCpuCores: 1,
        requestMemoryBytes: 1_073_741_824,
      },
      { appId: '/no/request', readings: 1, windows: [] },
    ]);
  });

  it('an answer without aggregations is an empty last page', () => {
    expect(parseMarathonAppsPage({})).toEqual({ apps: [], skippedBuckets: 0 });
  });
});
