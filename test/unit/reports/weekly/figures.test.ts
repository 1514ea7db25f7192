import { describe, expect, it } from 'vitest';
import { analyzeBuilds, DEFAULT_POLICY, generateTrace, sortBySavings, withPolicy } from '../../../../src/analysis/index.js';
import type { BuildDoc } from '../../../../src/model/index.js';
import {
  asOfMs,
  dailyPeaksFromBuilds,
  figuresFromBuilds,
  isoWeekOf,
  renderCsv,
  renderHtml,
  renderMarkdown,
  toReportBuild,
  weekRange,
} from '../../../../src/reports/index.js';
import { forecast } from '../../../../src/reports/weekly/index.js';
import { build } from './fixture.js';

const GiB = 1024 ** 3;
const HOSTILE = '<script>alert(1)</script>';
const W47 = { year: 2026, week: 47 };
const GENERATED = Date.parse('2026-11-23T08:00:00Z');

/** Week 2026-W47 (UTC) is 2026-11-16 .. 2026-11-23. */
function handBuilds(): BuildDoc[] {
  return [
    // W47: reserved 2 cores × 2 h = 4 core-h, 4 GiB × 2 h = 8 GiB-h; used 1 core-h, 1 GiB × 2 h = 2 GiB-h.
    build({ job: 'team/a', number: 2, label: 'small', startIso: '2026-11-17T10:00:00Z', hours: 2, cpu: 2, memGib: 4, coreSeconds: 3600, avgGib: 1, waitMs: 1000 }),
    // Started in W46, ended in W47: counts in W47. Reserved 4 / 8, used 2 / 4. OOM-killed.
    build({ job: 'team/a', number: 1, label: 'small', startIso: '2026-11-15T23:00:00Z', hours: 2, cpu: 2, memGib: 4, coreSeconds: 7200, avgGib: 2, oom: true, waitMs: 3000 }),
    // A hostile name on a hostile label: reserved 4 × 1 = 4 / 8, used 1 / 2. CPU-throttled.
    build({ job: HOSTILE, number: 1, label: '<b>big</b>', startIso: '2026-11-20T00:00:00Z', hours: 1, cpu: 4, memGib: 8, coreSeconds: 3600, avgGib: 2, throttled: 0.3, waitMs: 60_000 }),
    // W46 (the previous week): reserved 2 / 4, used 0.5 / 1.
    build({ job: 'team/a', number: 0, label: 'small', startIso: '2026-11-10T08:00:00Z', hours: 1, cpu: 2, memGib: 4, coreSeconds: 1800, avgGib: 1 }),
    // W48: in neither week.
    build({ job: 'team/a', number: 3, label: 'small', startIso: '2026-11-23T01:00:00Z', hours: 1, cpu: 2, memGib: 4, coreSeconds: 3600, avgGib: 1 }),
  ];
}

const opts = { week: W47, timeZone: 'UTC', policy: DEFAULT_POLICY, planK: 4, generatedAtMs: GENERATED };

describe('weekly figures from hand-written builds', () => {
  const f = figuresFromBuilds(handBuilds(), opts);

  it('sums reserved, used and waste of the builds that ended in the week, and of the week before', () => {
    expect(f.week).toBe('2026-W47');
    expect(f.totals.builds).toBe(3);
    expect(f.totals.reserved).toEqual({ cpu_core_hours: 4 + 4 + 4, memory_gib_hours: 8 + 8 + 8 });
    expect(f.totals.used).toEqual({ cpu_core_hours: 1 + 2 + 1, memory_gib_hours: 2 + 4 + 2 });
    expect(f.totals.waste).toEqual({ cpu_core_hours: 12 - 4, memory_gib_hours: 24 - 8 });
    expect(f.previous.week).toBe('2026-W46');
    expect(f.previous.totals).toMatchObject({ builds: 1, reserved: { cpu_core_hours: 2, memory_gib_hours: 4 }, used: { cpu_core_hours: 0.5, memory_gib_hours: 1 }, waste: { cpu_core_hours: 1.5, memory_gib_hours: 3 } });
    expect(f.totals.cost).toBeUndefined();
  });

  it('prices the waste when prices are set', () => {
    const priced = figuresFromBuilds(handBuilds(), { ...opts, prices: { perCoreHour: 0.5, perGibHour: 0.25, currency: 'EUR' } });
    expect(priced.totals.cost).toEqual({ cpu: 8 * 0.5, memory: 16 * 0.25, total: 8, currency: 'EUR' });
    expect(priced.currency).toBe('EUR');
  });

  it('in another zone a build belongs to that zone\'s week', () => {
    // In Europe/Berlin W47 starts 2026-11-15T23:00Z, so the W46-started build still counts; the W48 one
    // (2026-11-23T02:00Z end = 03:00 local Monday) does not.
    const berlin = figuresFromBuilds(handBuilds(), { ...opts, timeZone: 'Europe/Berlin' });
    expect(berlin.totals.builds).toBe(3);
    expect(berlin.period.start).toBe('2026-11-15T23:00:00.000Z');
  });

  it('lists OOM-killed and throttled jobs at risk, and queue waits per label', () => {
    const a = f.at_risk.find((r) => r.job === 'team/a');
    expect(a).toMatchObject({ oom_killed: 1, builds: 2 });
    expect(f.at_risk.find((r) => r.job === HOSTILE)).toMatchObject({ throttled: 1 });
    const small = f.labels.find((l) => l.label === 'small')!;
    expect(small.builds).toBe(2);
    expect(small.queue_wait_p95_ms).toBe(3000);
    // 8 core-h reserved over the 168 h week.
    expect(small.allocated_cpu_cores).toBeCloseTo(8 / 168, 3);
  });

  it('escapes every name in the HTML and uses no script or outside resource', () => {
    const html = renderHtml(f);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;big&lt;/b&gt;');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<b>big</b>');
    expect(html).not.toMatch(/\b(src|href)\s*=|url\(|@import|<link|<img|<iframe/i);
    expect(html).toContain('<svg');
    expect(html.indexOf('1. Reserved vs used')).toBeLessThan(html.indexOf('2. The'));
    for (const s of ['3. Jobs at risk', '4. Queue waits', '5. Label plan', '6. Capacity forecast', '7. Collection health'])
      expect(html.indexOf(s), s).toBeGreaterThan(html.indexOf('2. The'));
  });

  it('escapes names in the Markdown too', () => {
    const md = renderMarkdown(f);
    expect(md).toContain('\\<script\\>alert(1)\\</script\\>');
    expect(md).not.toContain(HOSTILE);
  });
});

describe('weekly figures from a generated trace', () => {
  const docs = generateTrace({ jobs: 40, buildsPerJob: 60, seed: 11, days: 42, startMs: Date.parse('2026-10-05T00:00:00Z') });
  const newest = Math.max(...docs.map((d) => d.build.end));
  const week = isoWeekOf(newest - 7 * 86_400_000, 'UTC');
  const range = weekRange(week, 'UTC');
  const f = figuresFromBuilds(docs, { ...opts, week });

  it('totals equal sums computed here over the builds that ended in the week', () => {
    let cr = 0;
    let cu = 0;
    let mr = 0;
    let mu = 0;
    let n = 0;
    for (const d of docs) {
      if (d.build.end < range.startMs || d.build.end >= range.endMs) continue;
      const h = d.build.duration_ms / 3_600_000;
      n++;
      cr += d.request!.cpu_cores! * h;
      mr += (d.request!.memory_bytes! / GiB) * h;
      cu += d.usage!.cpu!.core_seconds! / 3600;
      mu += (d.usage!.memory!.avg_bytes! / GiB) * h;
    }
    expect(n).toBeGreaterThan(50);
    expect(f.totals.builds).toBe(n);
    // Rounded to 0.001 per waste row; a week spans at most two start weeks.
    expect(f.totals.reserved.cpu_core_hours).toBeCloseTo(cr, 2);
    expect(f.totals.reserved.memory_gib_hours).toBeCloseTo(mr, 2);
    expect(f.totals.used.cpu_core_hours).toBeCloseTo(cu, 2);
    expect(f.totals.used.memory_gib_hours).toBeCloseTo(mu, 2);
    expect(f.totals.waste.cpu_core_hours).toBeCloseTo(cr - cu, 2);
    expect(f.totals.waste.memory_gib_hours).toBeCloseTo(mr - mu, 2);
  });

  it("job rows are analyze's recommendations as of the end of the week, in analyze's order", () => {
    const records = docs.map((d) => toReportBuild(d, false));
    const analysis = analyzeBuilds(records, { policy: DEFAULT_POLICY, nowMs: asOfMs(range.endMs), planK: 4 });
    const expected = sortBySavings(analysis.jobs);
    expect(f.jobs.map((j) => j.job)).toEqual(expected.map((d) => d.workload.key));
    f.jobs.forEach((j, i) => {
      const d = expected[i]!;
      expect(j.current).toEqual(d.current);
      expect({ cpu_cores: j.recommended.cpu_cores, memory_bytes: j.recommended.memory_bytes }).toEqual({ cpu_cores: d.recommended.cpu_cores, memory_bytes: d.recommended.memory_bytes });
      expect(j.savings).toEqual(d.savings);
      expect(j.confidence).toBe(d.confidence);
      expect(j.reasons).toEqual(d.reasons);
    });
    const moves = new Map(analysis.plan!.moves.map((m) => [m.key, m.label]));
    for (const j of f.jobs) expect(j.move_to).toBe(moves.get(j.job));
    expect(f.top_jobs).toBe(20);
  });

  it('the CSV has one row per recommended job', () => {
    const csv = renderCsv(f);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines.length).toBe(1 + f.jobs.length);
    expect(f.jobs.length).toBe(40);
    expect(lines[1]!.split(',')[1]).toBe(f.jobs[0]!.job);
  });

  it('a policy from config changes the rows the same way it changes analyze', () => {
    const policy = withPolicy({ cpu: { headroom: 0.5 } });
    const g = figuresFromBuilds(docs, { ...opts, week, policy });
    const a = analyzeBuilds(docs.map((d) => toReportBuild(d, false)), { policy, nowMs: asOfMs(range.endMs) });
    expect(new Map(g.jobs.map((j) => [j.job, j.recommended.cpu_cores]))).toEqual(new Map(a.jobs.map((d) => [d.workload.key, d.recommended.cpu_cores])));
  });
});

describe('CSV cells', () => {
  it('quotes commas and quotes and defuses formulas', () => {
    const f = figuresFromBuilds(
      [build({ job: 'x,"y"', number: 1, startIso: '2026-11-17T10:00:00Z', hours: 1, cpu: 1, memGib: 2, coreSeconds: 100, avgGib: 1 }), build({ job: '=cmd()', number: 1, startIso: '2026-11-17T10:00:00Z', hours: 1, cpu: 1, memGib: 2, coreSeconds: 100, avgGib: 1 })],
      opts,
    );
    const csv = renderCsv(f);
    expect(csv).toContain('"x,""y"""');
    expect(csv).toContain("'=cmd()");
    expect(csv.trimEnd().split('\r\n')).toHaveLength(3);
  });
});

describe('capacity forecast', () => {
  it('fits the trend of the daily peaks and counts the days to 90 % of capacity', () => {
    const fc = forecast([10, 12, 14, 16, 18], 100);
    expect(fc.slope_per_day).toBeCloseTo(2, 6);
    expect(fc.fitted_last).toBeCloseTo(18, 6);
    expect(fc.days_until_90).toBeCloseTo((90 - 18) / 2, 1);
    expect(forecast([10, 9, 8], 100).days_until_90).toBeUndefined();
    expect(forecast([95, 95], 100).days_until_90).toBe(0);
    expect(forecast([10, 12], undefined).days_until_90).toBeUndefined();
    expect(forecast([10], 100).slope_per_day).toBeUndefined();
  });

  it('takes the peak of overlapping builds per day, also across midnight', () => {
    const docs = [
      build({ job: 'a', number: 1, startIso: '2026-11-16T10:00:00Z', hours: 2, cpu: 2, memGib: 4 }),
      build({ job: 'b', number: 1, startIso: '2026-11-16T11:00:00Z', hours: 2, cpu: 3, memGib: 1 }),
      // Runs from the 16th 23:00 to the 18th 01:00: the 17th peaks at 1 core.
      build({ job: 'c', number: 1, startIso: '2026-11-16T23:00:00Z', hours: 26, cpu: 1, memGib: 1 }),
    ].map((d) => toReportBuild(d, false));
    const peaks = dailyPeaksFromBuilds(docs, Date.parse('2026-11-16T00:00:00Z'), Date.parse('2026-11-19T00:00:00Z'), 'UTC');
    expect(peaks.map((p) => [p.day, p.cpuCores, p.memoryBytes / GiB])).toEqual([
      ['2026-11-16', 5, 5],
      ['2026-11-17', 1, 1],
      ['2026-11-18', 1, 1],
    ]);
  });
});
