export { systemClock, ManualClock } from './clock.js';
export type { Clock } from './clock.js';
export { createLogger, silentLogger } from './logger.js';
export type { Logger } from './logger.js';
export { parseDurationMs, parseBytes, dailySuffix, monthlySuffix } from './time.js';
export { isRecord, at, finiteNumber, FieldReader, done } from './json.js';
export type { ParseIssue, ParseResult } from './json.js';
export { MAX_HOST_CPUS, MAX_MEMORY_BYTES, MAX_PROCESS_COUNT, MAX_TOTAL_BYTES, MAX_COUNT } from './bounds.js';
