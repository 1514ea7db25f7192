export { systemClock, ManualClock } from './clock.js';
export type { Clock } from './clock.js';
export { createLogger, silentLogger } from './logger.js';
export type { Logger } from './logger.js';
export { parseDurationMs, parseBytes, dailySuffix, monthlySuffix } from './time.js';
export { isRecord, at, finiteNumber, oneOf, FieldReader, done, describeValue } from './json.js';
export type { ParseIssue, ParseResult } from './json.js';
export { MAX_HOST_CPUS, MAX_MEMORY_BYTES, MAX_PROCESS_COUNT, MAX_TOTAL_BYTES, MAX_COUNT } from './bounds.js';
export { SECOND_MS, MINUTE_MS, HOUR_MS, DAY_MS, WEEK_MS, KiB, MiB, GiB, TiB } from './units.js';
export {
  readBuildDoc,
  BUILD_MIN_EPOCH_MS,
  BUILD_MAX_EPOCH_MS,
  BUILD_MAX_DURATION_MS,
  BUILD_MAX_CPU_CORES,
  BUILD_MAX_MEMORY_BYTES,
  BUILD_MAX_NAME_CHARS,
} from './buildDoc.js';
export type { BuildDocRead } from './buildDoc.js';
export { compileGlob, globProblem } from './glob.js';
export type { Glob } from './glob.js';
