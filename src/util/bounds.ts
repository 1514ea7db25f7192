/**
 * What a source can physically report. A number beyond these is an `RS_ERR_PARSE_RANGE` item
 * error (the field is left out, the document kept), never stored: Elasticsearch's `long` ends
 * at 2^63, and one such value would cost the whole document; a `double` field would take 1e300
 * and poison every statistic over it.
 */

/** Largest CPU count of one host: Linux's `NR_CPUS` maximum (8192). Bounds CPU limits and rates. */
export const MAX_HOST_CPUS = 8192;

/**
 * Largest memory figure one host can report: 2^50 bytes (1 PiB; the largest x86-64 and POWER
 * hosts address 16–64 TiB). Below 2^53, so every accepted byte count is an exact double.
 */
export const MAX_MEMORY_BYTES = 2 ** 50;

/** Largest process count: Linux `PID_MAX_LIMIT` on 64-bit (2^22), the most `pids.current` can count. */
export const MAX_PROCESS_COUNT = 2 ** 22;

/**
 * Largest byte total of a whole cluster (memory or disk summed over agents) or of one agent's
 * disk: 2^53 bytes (8 PiB), the largest integer a double holds exactly, far below `long`'s 2^63.
 */
export const MAX_TOTAL_BYTES = 2 ** 53;

/** Largest counter or count (tasks, agents, CFS periods, cumulative seconds): 2^53 − 1, exact in a double and a `long`. */
export const MAX_COUNT = Number.MAX_SAFE_INTEGER;
