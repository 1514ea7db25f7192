import { describe, expect, it } from 'vitest';
import { isoWeekOf, isoWeekOfDate, parseIsoWeek, previousWeek, timeZoneProblem, weekLabel, weekRange } from '../../../../src/reports/weekly/index.js';

describe('ISO weeks', () => {
  it('names the weeks of known dates, also around New Year', () => {
    expect(weekLabel(isoWeekOfDate(2026, 11, 16))).toBe('2026-W47'); // a Monday
    expect(weekLabel(isoWeekOfDate(2026, 11, 22))).toBe('2026-W47'); // its Sunday
    expect(weekLabel(isoWeekOfDate(2025, 12, 29))).toBe('2026-W01'); // 2026 starts on a Thursday
    expect(weekLabel(isoWeekOfDate(2021, 1, 3))).toBe('2020-W53');
    expect(weekLabel(isoWeekOfDate(2027, 1, 1))).toBe('2026-W53');
  });

  it('parses only weeks that exist', () => {
    expect(parseIsoWeek('2026-W47')).toEqual({ year: 2026, week: 47 });
    expect(parseIsoWeek('2020-W53')).toEqual({ year: 2020, week: 53 });
    expect(parseIsoWeek('2021-W53')).toBeUndefined();
    for (const bad of ['2026-W00', '2026-47', 'W47', '2026-W470', ''])
      expect(parseIsoWeek(bad), bad).toBeUndefined();
  });

  it('gives [Monday 00:00, next Monday 00:00) in UTC and in a zone', () => {
    const utc = weekRange({ year: 2026, week: 47 }, 'UTC');
    expect(new Date(utc.startMs).toISOString()).toBe('2026-11-16T00:00:00.000Z');
    expect(new Date(utc.endMs).toISOString()).toBe('2026-11-23T00:00:00.000Z');
    const berlin = weekRange({ year: 2026, week: 47 }, 'Europe/Berlin');
    expect(new Date(berlin.startMs).toISOString()).toBe('2026-11-15T23:00:00.000Z');
    // The week DST starts in (2026-03-29) has 167 hours.
    const dst = weekRange({ year: 2026, week: 13 }, 'Europe/Berlin');
    expect((dst.endMs - dst.startMs) / 3_600_000).toBe(167);
    expect(new Date(dst.startMs).toISOString()).toBe('2026-03-22T23:00:00.000Z');
  });

  it('puts an instant in the week of its zone', () => {
    const sundayNightUtc = Date.parse('2026-11-22T23:30:00Z');
    expect(weekLabel(isoWeekOf(sundayNightUtc, 'UTC'))).toBe('2026-W47');
    expect(weekLabel(isoWeekOf(sundayNightUtc, 'Europe/Berlin'))).toBe('2026-W48');
    expect(weekLabel(previousWeek({ year: 2026, week: 1 }))).toBe('2025-W52');
    expect(weekLabel(previousWeek({ year: 2021, week: 1 }))).toBe('2020-W53');
  });

  it('rejects an unknown zone', () => {
    expect(timeZoneProblem('UTC')).toBeUndefined();
    expect(timeZoneProblem('Mars/Olympus')).toMatch(/not a time zone/);
  });
});
