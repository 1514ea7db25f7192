import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS, WEEK_MS } from './units.js';

/**
 * Parses a duration such as `500ms`, `10s`, `5m`, `2h`, `30d` or a bare number of
 * milliseconds. Returns undefined for anything else (including negatives and NaN).
 *
 * @example parseDurationMs('1.5s') === 1500
 */
export function parseDurationMs(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/.exec(text);
  if (!m) return undefined;
  const value = Number(m[1]);
  const unit = m[2] ?? 'ms';
  const factor = { ms: 1, s: SECOND_MS, m: MINUTE_MS, h: HOUR_MS, d: DAY_MS, w: WEEK_MS }[unit];
  return factor === undefined ? undefined : value * factor;
}

/**
 * Parses a size such as `64m`, `1g`, `200MiB`, `512MB` or bare bytes into bytes. `m`/`MB`/`MiB`
 * are all binary (1024²), as Mesos and Docker treat memory.
 */
export function parseBytes(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = (m[2] ?? 'b').toLowerCase()[0] ?? 'b';
  const pow = { b: 0, k: 1, m: 2, g: 3, t: 4 }[unit] ?? 0;
  return Math.round(Number(m[1]) * 1024 ** pow);
}

/** UTC date suffix of a daily index: `YYYY.MM.DD`. */
export function dailySuffix(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10).replace(/-/g, '.');
}

/** UTC month suffix of a monthly index: `YYYY.MM`. */
export function monthlySuffix(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 7).replace(/-/g, '.');
}
