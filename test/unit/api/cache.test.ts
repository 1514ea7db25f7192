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

describe('RecommendationCache snapshot', () => {
  it('orders each kind as sortBySavings does (savings, memory savings, name), whatever the keys and ties; finds every key', async () => {
    // Keys with case, accents and digits, where code-unit and collator orders differ; few savings values, so many ties.
    const key = fc.stringMatching(/^[a-zA-Zéü0-9/ _-]{1,6}$/);
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.record({ key, cpu: fc.integer({ min: 0, max: 3 }), mem: fc.integer({ min: 0, max: 2 }) }), { selector: (r) => r.key, maxLength: 60 }), async (rows) => {
        const docs = rows.map((r) => rec(r.key, r.cpu, r.mem));
        const cache = new RecommendationCache({ load: () => Promise.resolve({ docs, skipped: 0 }) });
        expect(await cache.refresh()).toBe(true);
        expect(keys(cache.list('jenkins.job'))).toEqual(keys(sortBySavings(docs)));
        const mem = (d: RecommendationDoc): number => d.savings?.memory_gib_hours_per_week ?? 0;
        const cpu = (d: RecommendationDoc): number => d.savings?.cpu_core_hours_per_week ?? 0;
        const byMemory = [...docs].sort((a, b) => mem(b) - mem(a) || cpu(b) - cpu(a) || a.workload.key.localeCompare(b.workload.key));
        expect(keys(cache.entries('jenkins.job', 'memory_savings').map((e) => e.doc))).toEqual(keys(byMemory));
        expect(keys(cache.entries('jenkins.job', 'name').map((e) => e.doc))).toEqual([...keys(docs)].sort((a, b) => a.localeCompare(b)));
        for (const d of docs) expect(cache.get('jenkins.job', d.workload.key)).toEqual(d);
        expect(cache.get('jenkins.label', docs[0]?.workload.key ?? 'x')).toBeUndefined();
      }),
    );
  });

  it('keeps each document’s JSON as stored, and the last of a duplicated kind and key', async () => {
    const docs = [rec('b', 1, 1), rec('a "quoted" <job> ü', 2, 1), rec('b', 5, 5), rec('b', 7, 0, 'jenkins.label')];
    const cache = new RecommendationCache({ load: () => Promise.resolve({ docs, skipped: 3 }) });
    await cache.refresh();
    for (const e of cache.entries('jenkins.job')) expect(JSON.parse(e.json)).toEqual(e.doc);
    expect(cache.get('jenkins.job', 'b')?.savings?.cpu_core_hours_per_week).toBe(5);
    expect(cache.get('jenkins.label', 'b')?.savings?.cpu_core_hours_per_week).toBe(7);
    expect(cache.status()).toMatchObject({ size: { 'jenkins.job': 2, 'jenkins.label': 1 }, skipped: 3, refreshes: 1, lastBuild: { inWorker: false } });
    expect(cache.status().lastBuild?.bytes).toBeGreaterThan(0);
  });

  it('swaps the new snapshot in whole; a failed or abandoned reload keeps the previous one', async () => {
    const clock = new ManualClock(T0);
    const first = Array.from({ length: 500 }, (_, i) => rec(`old-${i}`, i % 5, 0));
    const second = [...Array.from({ length: 500 }, (_, i) => rec(`new-${i}`, i % 5, 0)), rec('linux-2c', 1, 1, 'jenkins.label', T0 + 5000)];
    let docs = first;
    let gate: Promise<void> | undefined;
    const cache = new RecommendationCache({
      clock,
      load: async () => {
        if (gate) await gate;
        return { docs, skipped: 0 };
      },
    });
    await cache.refresh();
    expect(cache.newestRecommendationMs()).toBe(T0);

    docs = second;
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    const reload = cache.refresh();
    await new Promise((r) => setImmediate(r));
    expect(cache.forJob('old-499')).toBeDefined();
    expect(cache.forJob('new-0')).toBeUndefined();
    open();
    expect(await reload).toBe(true);
    expect(cache.forJob('old-499')).toBeUndefined();
    expect(cache.list('jenkins.job')).toHaveLength(500);
    expect(cache.get('jenkins.label', 'linux-2c')).toBeDefined();
    expect(cache.newestRecommendationMs()).toBe(T0 + 5000);

    docs = first;
    gate = new Promise(() => undefined);
    const abandoned = cache.refresh();
    await new Promise((r) => setImmediate(r));
    await cache.close();
    expect(await abandoned).toBe(false);
    expect(cache.forJob('new-0')).toBeDefined();
    expect(cache.forJob('old-0')).toBeUndefined();
    expect(cache.status().failures).toBe(1);
  });
});
