/** Engine timestamps, exact to the nanosecond (pure). */

/**
 * An instant as the daemon reports it, kept exact to the nanosecond: whole epoch milliseconds
 * plus the nanoseconds within that millisecond (a float of epoch ms would round to ~0.24 µs).
 */
export interface DockerInstant {
  /** Whole epoch milliseconds. */
  readonly epochMs: number;
  /** Nanoseconds within that millisecond, 0–999,999. */
  readonly subMsNs: number;
}

/** Nanoseconds from `a` to `b` (negative when `b` is earlier). */
export function nsBetween(a: DockerInstant, b: DockerInstant): number {
  return (b.epochMs - a.epochMs) * 1e6 + (b.subMsNs - a.subMsNs);
}

/**
 * Parses an RFC 3339 timestamp with up to nanosecond fraction (`2017-12-06T00:42:03.8352972Z`).
 * Returns `null` for Go's zero time (`0001-01-01T00:00:00Z`, "never read"; any year before 1970
 * is treated the same), and undefined for anything unparseable.
 */
export function parseDockerTime(text: unknown): DockerInstant | null | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const year = Number(y);
  if (year < 1970) return null;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  let epochMs = Date.UTC(year, month - 1, day, hour, minute, second);
  if (!Number.isFinite(epochMs)) return undefined;
  const fracNs = frac === '' ? 0 : Number(frac.padEnd(9, '0'));
  epochMs += Math.floor(fracNs / 1e6);
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const offsetMin = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6));
    epochMs -= sign * offsetMin * 60_000;
  }
  return { epochMs, subMsNs: fracNs % 1e6 };
}

/** Formats an instant as the Engine API's `since`/`until` (`<seconds>.<9-digit nanoseconds>`). */
export function formatDockerTimestamp(at: DockerInstant): string {
  const seconds = Math.floor(at.epochMs / 1000);
  const ns = (at.epochMs - seconds * 1000) * 1e6 + at.subMsNs;
  return `${seconds}.${String(ns).padStart(9, '0')}`;
}
