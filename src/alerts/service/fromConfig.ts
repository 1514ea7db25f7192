import { parse as parseCron } from 'node-cron';
import type { AlertsConfig } from '../../config/index.js';
import { parseDurationMs } from '../../util/index.js';
import { compileRules, DEFAULT_RULE_SPECS, type AlertRule } from '../rules.js';
import { intervalTimes } from '../simulate.js';
import type { FlappingPolicy } from '../transitions.js';

function ms(v: number | string, fallback: number): number {
  return parseDurationMs(v) ?? fallback;
}

/** The rules of `config.alerts` (the default rules when `rules` is absent), compiled. */
export function rulesFromConfig(a: AlertsConfig): AlertRule[] {
  return compileRules(a.rules ?? DEFAULT_RULE_SPECS, { intervalMs: ms(a.defaultInterval, 60_000), receivers: a.defaultReceivers });
}

export function flappingFromConfig(a: AlertsConfig): FlappingPolicy {
  return { maxChanges: a.flapping.maxChanges, windowMs: ms(a.flapping.window, 3_600_000), stableForMs: ms(a.flapping.stableFor, 1_800_000) };
}

/** The engine's tunables in ms. */
export interface EngineTimings {
  readonly maxAgeMs: number;
  readonly leaseTtlMs: number;
}

export function timingsFromConfig(a: AlertsConfig): EngineTimings {
  return { maxAgeMs: ms(a.delivery.maxAge, 86_400_000), leaseTtlMs: ms(a.lease.ttl, 90_000) };
}

function zonedParts(ms: number, timeZone: string): { second: number; minute: number; hour: number; day: number; month: number; weekday: number } {
  const f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', second: 'numeric', minute: 'numeric', hour: 'numeric', day: 'numeric', month: 'numeric', weekday: 'short' });
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(ms))) p[part.type] = part.value;
  const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  return {
    second: Number(p['second']),
    minute: Number(p['minute']),
    hour: Number(p['hour']),
    day: Number(p['day']),
    month: Number(p['month']),
    weekday: weekdays.indexOf(p['weekday'] ?? ''),
  };
}

/**
 * The instants a rule is evaluated at within (fromMs, toMs]: every interval from fromMs, or the
 * seconds its cron expression matches in its time zone (node-cron's parsed fields; `alerts test`).
 */
export function evaluationTimes(rule: AlertRule, fromMs: number, toMs: number): number[] {
  const s = rule.schedule;
  if ('everyMs' in s) return intervalTimes(s.everyMs, fromMs, toMs);
  const fields = parseCron(s.cron);
  const tz = s.timezone ?? 'UTC';
  const everySecond = !(fields.second.length === 1 && fields.second[0] === 0);
  const step = everySecond ? 1000 : 60_000;
  const out: number[] = [];
  const has = (list: readonly (number | string)[], v: number): boolean => list.some((x) => Number(x) === v);
  for (let t = Math.floor(fromMs / step) * step + step; t <= toMs; t += step) {
    const p = zonedParts(t, tz);
    if (has(fields.second, p.second) && has(fields.minute, p.minute) && has(fields.hour, p.hour) && has(fields.dayOfMonth, p.day) && has(fields.month, p.month) && (has(fields.dayOfWeek, p.weekday) || (p.weekday === 0 && has(fields.dayOfWeek, 7)))) out.push(t);
  }
  return out;
}
