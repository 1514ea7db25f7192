import { DAY_MS } from '../../util/units.js';

/**
 * ISO-8601 weeks (Monday to Monday) in an IANA time zone, pure. A week is named `2026-W47`; its
 * range is [Monday 00:00, next Monday 00:00) local time, as epoch ms (a DST change makes a week
 * 167 or 169 hours long).
 */


export interface IsoWeek {
  /** ISO week-numbering year (may differ from the calendar year around New Year). */
  readonly year: number;
  /** 1..53 */
  readonly week: number;
}

export interface WeekRange {
  readonly week: IsoWeek;
  /** `2026-W47` */
  readonly label: string;
  readonly timeZone: string;
  /** Monday 00:00 local, epoch ms (inclusive). */
  readonly startMs: number;
  /** The next Monday 00:00 local, epoch ms (exclusive). */
  readonly endMs: number;
}

export function weekLabel(w: IsoWeek): string {
  return `${w.year}-W${String(w.week).padStart(2, '0')}`;
}

/** Days since the epoch of a calendar date (proleptic Gregorian, UTC). */
function dayNumber(y: number, m: number, d: number): number {
  return Math.floor(Date.UTC(y, m - 1, d) / DAY_MS);
}

/** Monday (1) … Sunday (7) of a day number; day 0 (1970-01-01) was a Thursday. */
function weekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** The ISO week holding a calendar date. */
export function isoWeekOfDate(y: number, m: number, d: number): IsoWeek {
  const day = dayNumber(y, m, d);
  const thursday = day - weekday(day) + 4; // the week's Thursday decides its year
  const ty = new Date(thursday * DAY_MS).getUTCFullYear();
  const week = Math.floor((thursday - dayNumber(ty, 1, 1)) / 7) + 1;
  return { year: ty, week };
}

/** Day number of the Monday of an ISO week (January 4th is always in week 1). */
function mondayOf(w: IsoWeek): number {
  const jan4 = dayNumber(w.year, 1, 4);
  return jan4 - (weekday(jan4) - 1) + (w.week - 1) * 7;
}

/** Parses `2026-W47` (also `2026W47`); undefined when malformed or the year has no such week. */
export function parseIsoWeek(text: string): IsoWeek | undefined {
  const m = /^(\d{4})-?W(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const w = { year: Number(m[1]), week: Number(m[2]) };
  if (w.week < 1 || w.week > 53) return undefined;
  const back = isoWeekOfUtcDay(mondayOf(w));
  return back.year === w.year && back.week === w.week ? w : undefined;
}

function isoWeekOfUtcDay(day: number): IsoWeek {
  const dt = new Date(day * DAY_MS);
  return isoWeekOfDate(dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate());
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Checks an IANA zone name; returns a problem or undefined. */
export function timeZoneProblem(timeZone: string): string | undefined {
  try {
    formatterFor(timeZone);
    return undefined;
  } catch {
    return `'${timeZone}' is not a time zone known to this Node (IANA names such as UTC or Europe/Berlin)`;
  }
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Local calendar fields of an instant in a zone. */
export function localParts(ms: number, timeZone: string): { y: number; m: number; d: number; hh: number; mm: number; ss: number } {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { y: parts['year']!, m: parts['month']!, d: parts['day']!, hh: parts['hour']! % 24, mm: parts['minute']!, ss: parts['second']! };
}

/** Offset of the zone from UTC at an instant, ms (local = UTC + offset). */
function offsetMs(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  const asUtc = Date.UTC(p.y, p.m - 1, p.d, p.hh, p.mm, p.ss);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/** The instant of local midnight of a day number in a zone. */
export function localMidnightMs(day: number, timeZone: string): number {
  const guess = day * DAY_MS;
  let t = guess - offsetMs(guess, timeZone);
  // Once more at the result: the offset may differ across a DST change between guess and result.
  t = guess - offsetMs(t, timeZone);
  return t;
}

/** The local calendar day (day number) of an instant. */
export function localDay(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  return dayNumber(p.y, p.m, p.d);
}

/** The ISO week holding an instant, in a zone. */
export function isoWeekOf(ms: number, timeZone: string): IsoWeek {
  const p = localParts(ms, timeZone);
  return isoWeekOfDate(p.y, p.m, p.d);
}

export function weekRange(w: IsoWeek, timeZone: string): WeekRange {
  const monday = mondayOf(w);
  return { week: w, label: weekLabel(w), timeZone, startMs: localMidnightMs(monday, timeZone), endMs: localMidnightMs(monday + 7, timeZone) };
}

/** The week before. */
export function previousWeek(w: IsoWeek): IsoWeek {
  return isoWeekOfUtcDay(mondayOf(w) - 7);
}

/** `YYYY-MM-DD` of a day number. */
export function dayString(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
