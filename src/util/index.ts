export { systemClock, ManualClock } from './clock.js';
export type { Clock } from './clock.js';
export { createLogger, silentLogger } from './logger.js';
export type { Logger } from './logger.js';
export { parseDurationMs, parseBytes, dailySuffix, monthlySuffix } from './time.js';
export { isRecord, at, finiteNumber, FieldReader, done } from './json.js';
export type { ParseIssue, ParseResult } from './json.js';
