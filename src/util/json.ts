import type { CollectError } from '../model/index.js';

/** A shape problem found while reading a response: becomes a {@link CollectError}. */
export type ParseIssue = CollectError;

/** True for a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The value at a dotted path of parsed JSON (`aggregations.jobs.buckets`, `hits.hits`), or
 * undefined as soon as a step is not a JSON object. Keys containing dots cannot be reached.
 */
export function at(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const part of path.split('.')) {
    if (!isRecord(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** `value` when it is a finite number, else undefined (strings, null, NaN and ±Infinity are not numbers here). */
export function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** `value` when it is one of `allowed` (a string enum read from untrusted JSON), else undefined. */
export function oneOf<T extends string>(allowed: readonly T[], value: unknown): T | undefined {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : undefined;
}

/**
 * Reads typed fields out of untrusted JSON and records every wrong type as an
 * `RS_ERR_PARSE_SHAPE` error for one target. Absent and `null` mean "not reported" and are not
 * errors; a value of the wrong type (a string where a number belongs, an infinite number after
 * `1e999`, ...) is reported and treated as absent, so a document never carries a wrong number.
 */
export class FieldReader {
  readonly errors: CollectError[] = [];
  readonly skipped: Record<string, number> = {};

  constructor(readonly target: string) {}

  /** Records a shape problem. */
  issue(message: string, subject?: string, code = 'RS_ERR_PARSE_SHAPE'): void {
    this.errors.push({ target: this.target, code, message, ...(subject === undefined ? {} : { subject }) });
  }

  /** Counts an item deliberately passed over. */
  skip(reason: string, n = 1): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + n;
  }

  /** A finite number, or undefined (reported when present with another type). */
  num(obj: Record<string, unknown>, key: string, subject?: string): number | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    this.issue(`${key} is not a finite number (${describeValue(v)})`, subject ?? key);
    return undefined;
  }

  /** A finite number ≥ 0, or undefined (negative values are reported). */
  nonNeg(obj: Record<string, unknown>, key: string, subject?: string): number | undefined {
    const v = this.num(obj, key, subject);
    if (v === undefined) return undefined;
    if (v < 0) {
      this.issue(`${key} is negative (${v})`, subject ?? key);
      return undefined;
    }
    return v;
  }

  /**
   * A finite number in [0, `max`], or undefined: negative values and wrong types as {@link nonNeg};
   * a value above `max` (more than the source can physically report) is an `RS_ERR_PARSE_RANGE` issue.
   */
  bounded(obj: Record<string, unknown>, key: string, max: number, subject?: string): number | undefined {
    return this.withinBound(this.nonNeg(obj, key, subject), max, subject ?? key, key);
  }

  /**
   * A whole number in [0, `max`], or undefined: {@link bounded}, then an integer check. Counts,
   * ids, build numbers, byte counts and epoch ms are integers at their source (`long`, `uint64`),
   * so a fraction (`5e-324`, `0.5`) is a broken answer, an `RS_ERR_PARSE_SHAPE` issue, never a
   * `long` field Elasticsearch would truncate. (Moved here from the Docker parsers' `wholeField`
   * so Docker, Mesos and Jenkins share one reader.)
   */
  whole(obj: Record<string, unknown>, key: string, max: number, subject?: string): number | undefined {
    // messages name the field by its path when the subject is one (`memory_stats.usage`), else by its key
    const what = subject !== undefined && subject.endsWith(key) ? subject : key;
    const v = this.withinBound(this.nonNeg(obj, key, subject), max, subject ?? key, what);
    if (v === undefined || Number.isInteger(v)) return v;
    this.issue(`${what} is ${v}, not a whole number`, subject ?? key);
    return undefined;
  }

  /** `value` when it is at most `max`; above it, an `RS_ERR_PARSE_RANGE` issue for `subject` and undefined. */
  withinBound(value: number | undefined, max: number, subject: string, what = subject): number | undefined {
    if (value === undefined || value <= max) return value;
    this.issue(`${what} is ${value}, beyond what the source can report (at most ${max})`, subject, 'RS_ERR_PARSE_RANGE');
    return undefined;
  }

  /** A string, or undefined (reported when present with another type). */
  str(obj: Record<string, unknown>, key: string, subject?: string): string | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    this.issue(`${key} is not a string (${describeValue(v)})`, subject ?? key);
    return undefined;
  }

  /** A boolean, or undefined (reported when present with another type). */
  bool(obj: Record<string, unknown>, key: string, subject?: string): boolean | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'boolean') return v;
    this.issue(`${key} is not a boolean (${describeValue(v)})`, subject ?? key);
    return undefined;
  }

  /** An array, or undefined (reported when present with another type). */
  arr(obj: Record<string, unknown>, key: string, subject?: string): unknown[] | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (Array.isArray(v)) return v as unknown[];
    this.issue(`${key} is not an array (${describeValue(v)})`, subject ?? key);
    return undefined;
  }

  /** An object, or undefined (reported when present with another type). */
  obj(obj: Record<string, unknown>, key: string, subject?: string): Record<string, unknown> | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (isRecord(v)) return v;
    this.issue(`${key} is not an object (${describeValue(v)})`, subject ?? key);
    return undefined;
  }
}

/**
 * What an untrusted value is, for messages: a string quoted (cut at 40), a number as text, else
 * its kind. Never `String(v)`: a parsed object with an own `toString` key (`{"toString":0}`)
 * makes that throw a TypeError.
 */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return 'array';
  return v === null ? 'null' : typeof v;
}

/** What a pure parser returns: its value plus the problems and skips met on the way (errors as data). */
export interface ParseResult<T> {
  readonly value: T;
  readonly errors: readonly CollectError[];
  readonly skipped: Readonly<Record<string, number>>;
}

/** Closes a parse: the value with what the reader collected. */
export function done<T>(value: T, fr: FieldReader): ParseResult<T> {
  return { value, errors: fr.errors, skipped: fr.skipped };
}
