import { describe, expect, it } from 'vitest';
import { expiredIndices, parseIndexDate } from '../../../src/store/index.js';

const now = Date.UTC(2026, 10, 22, 3, 0); // 2026-11-22T03:00Z
const days = { containers: 14, cluster: 30, queue: 30, builds: 400 };
const names = (list: readonly { index: string }[]): string[] => list.map((e) => e.index);

describe('expiredIndices', () => {
  it('deletes a daily index only when its whole day is older than the retention', () => {
    // cutoff = 2026-11-08T03:00Z; the 07th ends at 11-08T00:00 (gone), the 08th ends 11-09T00:00 (kept).
    const got = expiredIndices(
      ['rightsize-containers-2026.11.06', 'rightsize-containers-2026.11.07', 'rightsize-containers-2026.11.08', 'rightsize-containers-2026.11.22'],
      { prefix: 'rightsize', retentionDays: days, nowMs: now },
    );
    expect(names(got)).toEqual(['rightsize-containers-2026.11.06', 'rightsize-containers-2026.11.07']);
  });

  it('applies each kind its own number of days', () => {
    const got = expiredIndices(['rs-containers-2026.11.01', 'rs-cluster-2026.11.01', 'rs-queue-2026.10.22', 'rs-queue-2026.10.21'], {
      prefix: 'rs',
      retentionDays: days,
      nowMs: now,
    });
    // cluster/queue cutoff = 2026-10-23T03:00Z: the 21st (ends 10-22) goes, the 22nd (ends 10-23T00:00) goes too.
    expect(names(got)).toEqual(['rs-queue-2026.10.21', 'rs-queue-2026.10.22', 'rs-containers-2026.11.01']);
  });

  it('deletes a monthly index only when its whole month is older, never the current month', () => {
    // builds: 400 days → cutoff 2025-10-18T03:00Z. September 2025 ended 2025-10-01: gone. October 2025 ends 11-01: kept.
    const got = expiredIndices(['rs-builds-2025.09', 'rs-builds-2025.10', 'rs-builds-2026.11'], { prefix: 'rs', retentionDays: days, nowMs: now });
    expect(names(got)).toEqual(['rs-builds-2025.09']);
    // With 1 day, last month (ended 11-01) goes and the current month stays even on its last day.
    const lastDay = Date.UTC(2026, 10, 30, 23, 59);
    expect(names(expiredIndices(['rs-builds-2026.10', 'rs-builds-2026.11'], { prefix: 'rs', retentionDays: { builds: 1 }, nowMs: lastDay }))).toEqual([
      'rs-builds-2026.10',
    ]);
  });

  it('never deletes today even with a 1-day retention, and deletes yesterday only after a full day', () => {
    const opts = { prefix: 'rs', retentionDays: { containers: 1 }, nowMs: Date.UTC(2026, 10, 22, 23, 59) };
    expect(names(expiredIndices(['rs-containers-2026.11.22', 'rs-containers-2026.11.21', 'rs-containers-2026.11.20'], opts))).toEqual([
      'rs-containers-2026.11.20',
    ]);
  });

  it('leaves alone other prefixes, single indices, kinds without retention, and malformed dates', () => {
    const got = expiredIndices(
      [
        'other-containers-2020.01.01',
        'rightsize2-containers-2020.01.01',
        'rightsize-recommendations',
        'rightsize-alerts',
        'rightsize-alert-events-2020.01',
        'rightsize-recommendations-history-2020.01',
        'rightsize-containers-2020.02.30',
        'rightsize-containers-2020.13.01',
        'rightsize-containers-2020.01',
        'rightsize-builds-2020.01.01',
        'rightsize-containers-2020.01.01-restored',
        '.security-7',
      ],
      { prefix: 'rightsize', retentionDays: days, nowMs: now },
    );
    expect(got).toEqual([]);
  });

  it('handles prefixes with regex characters literally', () => {
    expect(names(expiredIndices(['a.b-queue-2020.01.01', 'axb-queue-2020.01.01'], { prefix: 'a.b', retentionDays: { queue: 1 }, nowMs: now }))).toEqual([
      'a.b-queue-2020.01.01',
    ]);
  });
});

describe('parseIndexDate', () => {
  it('tells the kind and the interval an index covers', () => {
    expect(parseIndexDate('rs-recommendations-history-2024.02', 'rs')).toEqual({
      index: 'rs-recommendations-history-2024.02',
      kind: 'recommendations-history',
      startMs: Date.UTC(2024, 1, 1),
      endMs: Date.UTC(2024, 2, 1),
    });
    expect(parseIndexDate('rs-cluster-2024.02.29', 'rs')?.endMs).toBe(Date.UTC(2024, 2, 1));
    expect(parseIndexDate('rs-cluster-2023.02.29', 'rs')).toBeUndefined();
  });
});
