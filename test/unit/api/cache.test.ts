import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sortBySavings } from '../../../src/analysis/format.js';
import { RecommendationCache } from '../../../src/api/cache.js';
import type { RecommendationDoc } from '../../../src/model/index.js';
import { ManualClock } from '../../../src/util/index.js';

const T0 = Date.UTC(2026, 11, 3, 6, 0, 0);

function rec(key: string, cpuSaved: number, memSaved: number, kind: RecommendationDoc['workload']['kind'] = 'jenkins.job', atMs = T0): RecommendationDoc {
  return {
    '@timestamp': new Date(atMs).toISOString(),
    workload: { kind, key },
    current: { cpu_cores: 2 },
    recommended: { cpu_cores: 1 },
    basis: { builds: 10, window_days: 30 },
    confidence: 'high',
    reasons: [],
    savings: { cpu_core_hours_per_week: cpuSaved, memory_gib_hours_per_week: memSaved },
    severity: 'warning',
  };
}

const keys = (docs: readonly RecommendationDoc[]): string[] => docs.map((d) => d.workload.key);

describe('RecommendationCache index build', () => {
  it('orders each kind as sortBySavings does (savings, memory savings, name), whatever the keys, ties and slice size', async () => {
    // Keys with case, accents and digits, where code-unit and collator orders differ; few savings values, so many ties.
    const key = fc.stringMatching(/^[a-zA-Zéü0-9/ _-]{1,6}$/);
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.record({ key, cpu: fc.integer({ min: 0, max: 3 }), mem: fc.integer({ min: 0, max: 2 }) }), { selector: (r) => r.key, maxLength: 60 }),
        fc.integer({ min: 1, max: 7 }),
        async (rows, slice) => {
          const docs = rows.map((r) => rec(r.key, r.cpu, r.mem));
          const cache = new RecommendationCache({ load: () => Promise.resolve({ docs, skipped: 0 }), slice: { maxMs: 1e9, maxItems: slice } });
          expect(await cache.refresh()).toBe(true);
          expect(keys(cache.list('jenkins.job'))).toEqual(keys(sortBySavings(docs)));
          const mem = (d: RecommendationDoc): number => d.savings?.memory_gib_hours_per_week ?? 0;
          const cpu = (d: RecommendationDoc): number => d.savings?.cpu_core_hours_per_week ?? 0;
          const byMemory = [...docs].sort((a, b) => mem(b) - mem(a) || cpu(b) - cpu(a) || a.workload.key.localeCompare(b.workload.key));
          expect(keys(cache.entries('jenkins.job', 'memory_savings').map((e) => e.doc))).toEqual(keys(byMemory));
          expect(keys(cache.entries('jenkins.job', 'name').map((e) => e.doc))).toEqual([...keys(docs)].sort((a, b) => a.localeCompare(b)));
        },
      ),
    );
  });

  it('serializes an entry on first use, to the document’s JSON', async () => {
    const docs = [rec('b', 1, 1), rec('a "quoted" <job>', 2, 1)];
    const cache = new RecommendationCache({ load: () => Promise.resolve({ docs, skipped: 0 }) });
    await cache.refresh();
    for (const e of cache.entries('jenkins.job')) {
      expect(JSON.parse(e.json)).toEqual(e.doc);
      expect(e.json).toBe(e.json);
    }
  });

  it('builds the new index aside: requests during a reload see the previous load whole, then the new one; a reload abandoned mid-build keeps the previous load', async () => {
    const clock = new ManualClock(T0);
    const first = Array.from({ length: 500 }, (_, i) => rec(`old-${i}`, i % 5, 0));
    const second = [...Array.from({ length: 500 }, (_, i) => rec(`new-${i}`, i % 5, 0)), rec('linux-2c', 1, 1, 'jenkins.label', T0 + 5000)];
    let docs = first;
    const cache = new RecommendationCache({ clock, load: () => Promise.resolve({ docs, skipped: 0 }), slice: { maxMs: 1e9, maxItems: 10 } });
    await cache.refresh();
    expect(cache.newestRecommendationMs()).toBe(T0);

    docs = second;
    const seen: Array<{ old: boolean; new: boolean; size: number }> = [];
    const reload = cache.refresh();
    // Other callbacks run between the build's slices (what a request is): each sees one load whole.
    await new Promise<void>((resolve) => {
      const look = (): void => {
        seen.push({ old: cache.forJob('old-499') !== undefined, new: cache.forJob('new-0') !== undefined, size: cache.list('jenkins.job').length });
        if (cache.forJob('new-0') === undefined) setImmediate(look);
        else resolve();
      };
      setImmediate(look);
    });
    expect(await reload).toBe(true);
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.slice(0, -1).every((s) => s.old && !s.new && s.size === 500)).toBe(true);
    expect(seen.at(-1)).toEqual({ old: false, new: true, size: 500 });
    expect(cache.get('jenkins.label', 'linux-2c')).toBeDefined();
    expect(cache.newestRecommendationMs()).toBe(T0 + 5000);
    const build = cache.status().lastBuild;
    expect(build?.slices).toBeGreaterThan(100);
    expect(build?.longestSliceMs).toBeGreaterThanOrEqual(0);

    docs = first;
    const abandoned = cache.refresh();
    await new Promise((r) => setImmediate(r));
    await cache.close();
    expect(await abandoned).toBe(false);
    expect(cache.forJob('new-0')).toBeDefined();
    expect(cache.forJob('old-0')).toBeUndefined();
    expect(cache.status().failures).toBe(1);
  });

  it('ends a slice on its time budget, measured by the injected stopwatch', async () => {
    let t = 0;
    // Every look at the stopwatch finds 1 ms more: with a 2 ms budget a slice ends at the second look (32 items).
    const stopwatchMs = (): number => (t += 1);
    const docs = Array.from({ length: 3200 }, (_, i) => rec(`job-${i}`, i % 3, 0));
    const cache = new RecommendationCache({ load: () => Promise.resolve({ docs, skipped: 0 }), slice: { maxMs: 2 }, stopwatchMs });
    await cache.refresh();
    // Indexing 3,200 documents alone needs 100 slices of 32.
    expect(cache.status().lastBuild?.slices).toBeGreaterThanOrEqual(100);
    expect(cache.list('jenkins.job')).toHaveLength(3200);
  });
});
