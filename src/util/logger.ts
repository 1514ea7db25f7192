import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs on stderr (stdout is reserved for command output such as NDJSON). */
export function createLogger(level: string = process.env['RIGHTSIZE_LOG_LEVEL'] ?? 'info'): Logger {
  return pino({ level, base: { service: 'rightsize' } }, pino.destination(2));
}

/** A logger that drops everything (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
