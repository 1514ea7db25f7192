import { Option } from 'commander';
import { RightsizeError } from '../errors/index.js';
import { DAY_MS, parseDurationMs } from '../util/index.js';

/**
 * The option helpers every command shares (one module, so commands never import each other).
 * A bad value is a usage error (`RS_ERR_CLI_USAGE`, exit 2) whose message names the option.
 */

function usage(message: string): RightsizeError {
  return new RightsizeError('RS_ERR_CLI_USAGE', message);
}

/** An integer option ≥ `min` (and ≤ `max`), `fallback` when absent. */
export function intOption(value: string | undefined, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
    throw usage(max === Number.MAX_SAFE_INTEGER ? `${name} must be an integer ≥ ${min}, got "${value}"` : `${name} must be an integer between ${min} and ${max}, got "${value}"`);
  return n;
}

/** A TCP port option (0 = any free port). */
export function portOption(value: string | undefined, name: string, fallback: number): number {
  return intOption(value, name, fallback, 0, 65535);
}

/** An instant option: ISO-8601 or epoch ms; undefined when absent. */
export function instantOption(value: string | undefined, name = '--now'): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw usage(`${name} must be an ISO-8601 instant or epoch ms, got "${value}"`);
  return ms;
}

/** A positive duration option (`30d`, `6h`, ms) of at least `minMs`; undefined when absent. */
export function durationOption(value: string | undefined, name: string, minMs = 1): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDurationMs(value);
  if (ms === undefined || ms < minMs) throw usage(`${name} must be a duration${minMs >= DAY_MS ? ` of at least ${minMs / DAY_MS}d` : ''}, e.g. 30d; got "${value}"`);
  return ms;
}

/** `--window` in days (at least one day), or undefined when not given (the config's `analysis.windowDays` applies). */
export function windowDaysOption(value: string | undefined): number | undefined {
  const ms = durationOption(value, '--window', DAY_MS);
  return ms === undefined ? undefined : ms / DAY_MS;
}

/** A `--format` option limited to `choices` (commander rejects anything else naming the option, exit 2). */
export function formatOption(choices: readonly string[], description: string, defaultValue?: string): Option {
  const o = new Option('--format <format>', description).choices(choices);
  return defaultValue === undefined ? o : o.default(defaultValue);
}

/** `-c, --config <file>`, the same on every command. */
export function configOption(): Option {
  return new Option('-c, --config <file>', 'config file (default: $RIGHTSIZE_CONFIG or ./rightsize.yaml)');
}

/** The log levels of `--log-level` (pino's). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
