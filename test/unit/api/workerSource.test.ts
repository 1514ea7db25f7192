import { afterEach, describe, expect, it } from 'vitest';
import { RecommendationCache } from '../../../src/api/cache.js';
import { WorkerSnapshotSource } from '../../../src/api/workerSource.js';
import { startRecommendationSearch, type RecommendationSearchServer } from '../../../src/emulators/elasticsearch/recommendationSearch.js';
import type { RecommendationDoc } from '../../../src/model/index.js';
import { RECOMMENDATION_SOURCE_MODULE } from '../../../src/store/queries/recommendationSource.js';

function rec(key: string, cpuSaved: number, kind: RecommendationDoc['workload']['kind'] = 'jenkins.job'): RecommendationDoc {
  return {
    '@timestamp': '2026-12-03T06:00:00.000Z',
    workload: { kind, key },
    jenkins: { label: 'linux' },
    current: { cpu_cores: 2 },
    recommended: { cpu_cores: 1 },
    basis: { builds: 10, window_days: 30 },
    confidence: 'high',
    reasons: [],
    savings: { cpu_core_hours_per_week: cpuSaved, memory_gib_hours_per_week: 0 },
    severity: 'warning',
  };
}

const closing: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closing.splice(0)) await c();
});

function source(url: string, pageSize: number): WorkerSnapshotSource {
  return new WorkerSnapshotSource({ module: RECOMMENDATION_SOURCE_MODULE, spec: { elasticsearch: { url, requestTimeoutMs: 5000 }, prefix: 'rs', pageSize } });
}

describe('WorkerSnapshotSource (the reload in a worker thread, from the .ts sources through tsx)', () => {
  it('reads every page from Elasticsearch in the worker and hands over the packed snapshot; the cache answers from it', async () => {
    const docs = [...Array.from({ length: 2500 }, (_, i) => rec(`team/job-${i}`, i % 17)), rec('linux', 3, 'jenkins.label')];
    const es: RecommendationSearchServer = await startRecommendationSearch(docs);
    closing.push(() => es.close());
    const cache = new RecommendationCache({ source: source(es.url, 1000) });
    closing.push(() => cache.close());
    expect(await cache.refresh()).toBe(true);
    // 2,501 documents in pages of 1,000: three full-or-partial pages.
    expect(es.searches()).toBe(3);
    expect(cache.status()).toMatchObject({ size: { 'jenkins.job': 2500, 'jenkins.label': 1 }, refreshes: 1, lastBuild: { inWorker: true } });
    for (const i of [0, 1234, 2499]) expect(cache.forJob(`team/job-${i}`)).toEqual(docs[i]);
    expect(cache.list('jenkins.job').map((d) => d.savings?.cpu_core_hours_per_week)[0]).toBe(16);
    // A second reload reuses the worker and its client (and packs into the other shared buffer).
    expect(await cache.refresh()).toBe(true);
    expect(es.searches()).toBe(6);
    // The store grows past what the buffers hold, then shrinks: each reload serves exactly the store.
    for (const n of [6000, 6001, 100, 3000]) {
      const next = Array.from({ length: n }, (_, i) => rec(`team/job-${i}`, (i * 7) % 23));
      es.replace(next);
      expect(await cache.refresh()).toBe(true);
      expect(cache.status().size).toEqual({ 'jenkins.job': n });
      for (const i of [0, n >> 1, n - 1]) expect(cache.forJob(`team/job-${i}`)).toEqual(next[i]);
      expect(cache.forJob(`team/job-${n}`)).toBeUndefined();
      expect(cache.list('jenkins.job')).toHaveLength(n);
    }
  });

  it('fails a reload when Elasticsearch stops answering, keeping the previous snapshot', async () => {
    const es = await startRecommendationSearch([rec('a', 1)]);
    const cache = new RecommendationCache({ source: source(es.url, 1000), timeoutMs: 20_000 });
    closing.push(() => cache.close());
    expect(await cache.refresh()).toBe(true);
    await es.close();
    expect(await cache.refresh()).toBe(false);
    expect(cache.status()).toMatchObject({ refreshes: 1, failures: 1, lastBuild: { inWorker: true } });
    expect(cache.status().lastError?.code).toMatch(/^RS_ERR_STORE_/);
    expect(cache.lastRefreshFailed()).toBe(true);
    expect(cache.forJob('a')).toEqual(rec('a', 1));
  });
});
