import type { AlertRule, Threshold } from './rules.js';
import { TEMPLATE_FIELDS } from './rules.js';

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

/** The placeholders of a template that are not known ({{labels.<key>}} is always known). */
export function unknownPlaceholders(template: string): string[] {
  const bad: string[] = [];
  for (const m of template.matchAll(PLACEHOLDER)) {
    const name = m[1] as string;
    if (name.startsWith('labels.')) continue;
    if (!(TEMPLATE_FIELDS as readonly string[]).includes(name) && !bad.includes(name)) bad.push(name);
  }
  return bad;
}

/** Replaces `{{name}}` with `vars[name]`; unknown names become the empty string. Nothing is escaped. */
export function renderTemplate(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(PLACEHOLDER, (_, name: string) => vars[name] ?? '');
}

function round3(v: number): string {
  if (v === 0) return '0';
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return String(Number(v.toFixed(digits)));
}

/** A duration in ms as the largest whole-ish unit: `10 min`, `90 s`, `2.5 h`. */
export function formatDurationMs(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 86_400_000) return `${round3(v / 86_400_000)} d`;
  if (abs >= 3_600_000) return `${round3(v / 3_600_000)} h`;
  if (abs >= 60_000) return `${round3(v / 60_000)} min`;
  if (abs >= 1000) return `${round3(v / 1000)} s`;
  return `${round3(v)} ms`;
}

/**
 * A value of a rule, formatted for people by what it measures: `*_ms` fields as durations,
 * `*.percent` fractions as percentages, recommendation changes as percentages, anything else with
 * three significant digits.
 */
export function formatRuleValue(rule: AlertRule, v: number): string {
  if (rule.kind === 'nodata') return formatDurationMs(v);
  if (rule.kind === 'recommendation-change') return `${round3(v * 100)} %`;
  const field = rule.field ?? '';
  if (field.endsWith('_ms')) return formatDurationMs(v);
  if (field.endsWith('.percent') || field.endsWith('percent')) return `${round3(v * 100)} %`;
  return round3(v);
}

export function formatThreshold(rule: AlertRule, t: Threshold | undefined): string {
  if (t === undefined) return '';
  if (typeof t === 'number') return formatRuleValue(rule, t);
  return `[${formatRuleValue(rule, t[0])}, ${formatRuleValue(rule, t[1])}]`;
}

export interface MessageInput {
  readonly group: string;
  readonly status: 'firing' | 'resolved';
  readonly value?: number;
  readonly explanation?: string;
  readonly url?: string;
}

/** Renders a rule's message for one alert (plain text; each notifier escapes for its medium). */
export function renderMessage(rule: AlertRule, m: MessageInput): string {
  const vars: Record<string, string> = {
    rule: rule.id,
    name: rule.name,
    group: m.group,
    group_suffix: m.group === '' ? '' : ` (${rule.kind === 'threshold' || rule.kind === 'nodata' ? rule.groupBy : 'jenkins.job.name'} ${m.group})`,
    value: m.value === undefined ? 'none' : formatRuleValue(rule, m.value),
    threshold: rule.kind === 'nodata' ? formatDurationMs(rule.afterMs ?? 0) : formatThreshold(rule, rule.threshold),
    comparator: rule.comparator,
    severity: rule.severity,
    status: m.status,
    url: m.url ?? '',
    explanation: m.explanation === undefined || m.explanation === '' ? '' : ` ${m.explanation}`,
  };
  for (const [k, v] of Object.entries(rule.labels)) vars[`labels.${k}`] = v;
  return renderTemplate(rule.message, vars).trim();
}
