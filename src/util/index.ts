export { systemClock, ManualClock } from './clock.js';
export type { Clock } from './clock.js';
export { createLogger, silentLogger } from './logger.js';
export type { Logger } from './logger.js';
export { parseDurationMs, parseBytes, dailySuffix, monthlySuffix } from './time.js';
export { SECOND_MS, MINUTE_MS, HOUR_MS, DAY_MS, WEEK_MS, KiB, MiB, GiB, TiB } from './units.js';
