/**
 * What a Docker engine can physically report, the caps on text copied from a container, and the
 * small bounded readers every Docker parser shares.
 * A number beyond these is an `RS_ERR_PARSE_RANGE` item error (the field is left out, the
 * document kept), never stored: Elasticsearch's `long` ends at 2^63, and a value such as
 * `pids_stats.current` 2^63 would cost the whole document.
 */
import type { FieldReader } from '../../../util/json.js';

/** Upper bound of a string copied from a container (names, env values, label values). */
export const MAX_TEXT_LENGTH = 1024;
/** Upper bound of a label key copied to `container.labels`. */
export const MAX_LABEL_KEY_LENGTH = 128;
/** At most this many labels are copied per container; the rest are dropped (counted by the caller if needed). */
export const MAX_LABELS = 64;

/**
 * `memory_stats.limit` at or above this (2^62 bytes) means "no limit": the cgroup default is
 * 2^63 − 4096 (`PAGE_COUNTER_MAX` pages), sometimes float-rounded to 9223372036854772000.
 */
export const NO_LIMIT_BYTES = 2 ** 62;

/**
 * Largest memory figure a host can report: 2^50 bytes (1 PiB; the largest x86-64 and POWER hosts
 * address 16–64 TiB). Below 2^53, so every accepted byte count is an exact double.
 */
export const MAX_MEMORY_BYTES = 2 ** 50;

/** Largest process count: Linux `PID_MAX_LIMIT` on 64-bit (2^22), the most `pids.current` can count. */
export const MAX_PROCESS_COUNT = 2 ** 22;

/** Largest CPU count: Linux `NR_CPUS` maximum (8192). Bounds `online_cpus` and CPU limits, and rates when the reading has no CPU count. */
export const MAX_HOST_CPUS = 8192;

/**
 * Exit codes a container can end with: a Linux status is 0–255 (Docker reports -1 when it never
 * started), a Windows one a 32-bit NTSTATUS (`3221225477` = 0xC0000005). Anything outside
 * [-2^31, 2^32 − 1] is not an exit code and is left out.
 */
export const MIN_EXIT_CODE = -(2 ** 31);
export const MAX_EXIT_CODE = 2 ** 32 - 1;

/** An exit code from an event attribute (a decimal string) or an inspect field (a number), else undefined. */
export function exitCodeOf(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^-?\d{1,10}$/.test(value) ? Number(value) : typeof value === 'number' ? value : undefined;
  return n !== undefined && Number.isInteger(n) && n >= MIN_EXIT_CODE && n <= MAX_EXIT_CODE ? n : undefined;
}

/** Docker container ids are hex: 12 (short) to 64 characters. Anything else never goes into a URL. */
export const CONTAINER_ID_PATTERN = /^[0-9a-f]{12,64}$/i;

/** Cuts text to `maxLength` UTF-16 units without leaving half a surrogate pair behind. */
export function capText(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  let cut = text.slice(0, maxLength);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut;
}

/** What a value is, for messages. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

/** A non-empty string capped at `maxLength`, else undefined (a wrong type is an issue). */
export function cappedStr(fr: FieldReader, obj: Record<string, unknown>, key: string, maxLength: number, path: string): string | undefined {
  const v = fr.str(obj, key, path);
  return v !== undefined && v !== '' ? capText(v, maxLength) : undefined;
}
