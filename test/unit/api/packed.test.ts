import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PackedView, packRecommendations, type PackedFilter } from '../../../src/api/packed.js';
import type { RecommendationDoc } from '../../../src/model/index.js';

function rec(key: string, label: string | undefined, severity: RecommendationDoc['severity'], cpuSaved: number): RecommendationDoc {
  return {
    '@timestamp': '2026-12-03T06:00:00.000Z',
    workload: { kind: 'jenkins.job', key },
    ...(label !== undefined ? { jenkins: { label } } : {}),
    current: { cpu_cores: 2 },
    recommended: { cpu_cores: 1 },
    basis: { builds: 10, window_days: 30 },
    confidence: 'high',
    reasons: [],
    savings: { cpu_core_hours_per_week: cpuSaved, memory_gib_hours_per_week: 0 },
    severity,
  };
}

/** What the list route's filter means, on plain documents. */
function expected(docs: readonly RecommendationDoc[], f: PackedFilter): string[] {
  return docs
    .filter(
      (d) =>
        (f.label === undefined || d.jenkins?.label === f.label) &&
        (f.severity === undefined || d.severity === f.severity) &&
        (f.minSavings === undefined || (d.savings?.cpu_core_hours_per_week ?? 0) >= f.minSavings) &&
        (f.needle === undefined || d.workload.key.toLowerCase().includes(f.needle) || (d.jenkins?.label ?? '').toLowerCase().includes(f.needle)),
    )
    .map((d) => d.workload.key)
    .sort(new Intl.Collator().compare);
}

describe('packRecommendations / PackedView', () => {
  it('filters by label, severity, savings and text in key or label exactly as on the documents (a match never spans key and label)', () => {
    const text = fc.stringMatching(/^[aAbB/İ-]{0,5}$/);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ key: fc.stringMatching(/^[aAbB/İ-]{1,5}$/), label: fc.option(text, { nil: undefined }), sev: fc.constantFrom('ok', 'warning', 'critical' as const), cpu: fc.integer({ min: 0, max: 3 }) }), {
          selector: (r) => r.key,
          maxLength: 40,
        }),
        fc.record({ label: fc.option(text, { nil: undefined }), severity: fc.option(fc.constantFrom('warning', 'critical'), { nil: undefined }), minSavings: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }), needle: fc.option(text.map((t) => t.toLowerCase()), { nil: undefined }) }),
        (rows, f) => {
          const docs = rows.map((r) => rec(r.key, r.label, r.sev, r.cpu));
          const view = new PackedView(packRecommendations(docs));
          const filter: PackedFilter = Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined));
          const got: string[] = [];
          view.scan('jenkins.job', 'name', false, filter, (p) => void got.push(view.key(p)));
          expect(got).toEqual(expected(docs, filter));
        },
      ),
    );
  });

  it('finds every key of every kind through the hash table, and nothing else; reads each document back', () => {
    const docs = Array.from({ length: 3000 }, (_, i) => rec(`team-${i % 7}/job-${i}`, `linux-${i % 3}`, 'warning', i % 10));
    const labelDoc: RecommendationDoc = { ...rec('team-0/job-0', undefined, 'ok', 1), workload: { kind: 'jenkins.label', key: 'team-0/job-0' } };
    const view = new PackedView(packRecommendations([...docs, labelDoc], 2));
    expect(view.layout).toMatchObject({ count: 3001, skipped: 2 });
    for (const d of docs) expect(view.doc(view.find('jenkins.job', d.workload.key))).toEqual(d);
    expect(view.doc(view.find('jenkins.label', 'team-0/job-0'))).toEqual(labelDoc);
    expect(view.find('jenkins.job', 'team-0/job-3000')).toBe(-1);
    expect(view.find('marathon.app', 'team-0/job-0')).toBe(-1);
    expect(view.size('jenkins.job')).toBe(3000);
  });

  it('packs nothing into an empty snapshot that answers every lookup with nothing', () => {
    const view = new PackedView(packRecommendations([]));
    expect(view.find('jenkins.job', 'a')).toBe(-1);
    const seen: number[] = [];
    view.scan('jenkins.job', 'savings', false, { needle: 'a' }, (p) => void seen.push(p));
    expect(seen).toEqual([]);
    expect(view.layout.newestMs).toBeUndefined();
  });
});
