import type { AlertSeverity } from '../model/index.js';
import type { Schedule } from '../model/ports.js';
import { parseDurationMs } from '../util/index.js';

/** How a window of values is reduced to one number per group. */
export type Aggregation = 'avg' | 'max' | 'min' | 'sum' | 'count' | 'p95';
export type Comparator = '>' | '>=' | '<' | '<=' | 'between' | 'outside';
export type RuleKind = 'threshold' | 'nodata' | 'job-oom' | 'job-waste' | 'recommendation-change';
/** A threshold: one number, or [low, high] for between/outside. */
export type Threshold = number | readonly [number, number];
export type FilterValue = string | number | boolean;

/** A rule ready to evaluate: durations in ms, every default applied. */
export interface AlertRule {
  readonly id: string;
  readonly name: string;
  readonly kind: RuleKind;
  /** threshold/nodata: `event.dataset`, or `jenkins.build` for the builds documents. */
  readonly dataset?: string;
  readonly field?: string;
  readonly aggregation?: Aggregation;
  readonly comparator: Comparator;
  readonly threshold?: Threshold;
  readonly windowMs: number;
  readonly groupBy?: string;
  readonly filter: Readonly<Record<string, FilterValue>>;
  /** nodata: the newest document may be at most this old. */
  readonly afterMs?: number;
  /** nodata with groupBy: how far back groups are looked for. */
  readonly lookbackMs: number;
  readonly schedule: Schedule;
  readonly forMs: number;
  readonly severity: AlertSeverity;
  readonly labels: Readonly<Record<string, string>>;
  readonly receivers: readonly string[];
  readonly repeatIntervalMs: number;
  readonly repeatBackoff?: { readonly factor: number; readonly maxMs: number };
  readonly sendResolved: boolean;
  readonly explain?: 'cpu' | 'memory';
  readonly message: string;
}

/** The shape of one `alerts.rules` entry (as the config schema validates it; durations not parsed yet). */
export interface RuleSpec {
  readonly id: string;
  readonly name?: string;
  readonly kind: RuleKind;
  readonly dataset?: string;
  readonly field?: string;
  readonly aggregation?: Aggregation;
  readonly comparator?: Comparator;
  readonly threshold?: number | readonly number[];
  readonly window?: number | string;
  readonly groupBy?: string;
  readonly filter?: Readonly<Record<string, FilterValue>>;
  readonly after?: number | string;
  readonly lookback?: number | string;
  readonly interval?: number | string;
  readonly cron?: string;
  readonly timezone?: string;
  readonly for?: number | string;
  readonly severity?: AlertSeverity;
  readonly labels?: Readonly<Record<string, string>>;
  readonly receivers?: readonly string[];
  readonly repeatInterval?: number | string;
  readonly repeatBackoff?: { readonly factor?: number; readonly max?: number | string };
  readonly sendResolved?: boolean;
  readonly explain?: 'cpu' | 'memory';
  readonly message?: string;
}

/** Engine-wide defaults a rule falls back to. */
export interface RuleDefaults {
  readonly intervalMs: number;
  readonly receivers: readonly string[];
}

/** Placeholders a message template may use (`{{labels.<key>}}` as well). */
export const TEMPLATE_FIELDS = ['rule', 'name', 'group', 'group_suffix', 'value', 'threshold', 'comparator', 'severity', 'status', 'url', 'explanation'] as const;

/** Window defaults per kind, ms. */
export const DEFAULT_WINDOW_MS: Readonly<Record<RuleKind, number>> = {
  threshold: 120_000,
  nodata: 0,
  'job-oom': 86_400_000,
  'job-waste': 7 * 86_400_000,
  'recommendation-change': 7 * 86_400_000,
};

const DEFAULT_MESSAGES: Readonly<Record<RuleKind, string>> = {
  threshold: '{{name}}{{group_suffix}} {{status}}: {{value}} (threshold {{comparator}} {{threshold}}).{{explanation}}',
  nodata: '{{name}}{{group_suffix}} {{status}}: no documents for {{value}} (allowed {{threshold}}).',
  'job-oom': '{{name}}{{group_suffix}} {{status}}: {{value}} build(s) killed for lack of memory in the window (threshold {{comparator}} {{threshold}}).',
  'job-waste': '{{name}}{{group_suffix}} {{status}}: {{value}} reserved-but-unused core-hours a week (threshold {{comparator}} {{threshold}}).',
  'recommendation-change': '{{name}}{{group_suffix}} {{status}}: the recommendation changed by {{value}} (threshold {{comparator}} {{threshold}}).',
};

/**
 * The rules used when the config names none (`alerts.rules` absent), exactly as docs/alerts.md
 * lists them. Allocation and the p95 queue wait explain themselves with the right-sizing data.
 */
export const DEFAULT_RULE_SPECS: readonly RuleSpec[] = [
  {
    id: 'cluster-cpu-allocation',
    name: 'CPU allocation',
    kind: 'threshold',
    dataset: 'mesos.master',
    filter: { 'mesos.master.elected': true },
    field: 'mesos.cpus.percent',
    aggregation: 'avg',
    comparator: '>',
    threshold: 0.9,
    window: '2m',
    for: '10m',
    severity: 'critical',
    explain: 'cpu',
  },
  {
    id: 'cluster-memory-allocation',
    name: 'Memory allocation',
    kind: 'threshold',
    dataset: 'mesos.master',
    filter: { 'mesos.master.elected': true },
    field: 'mesos.mem.percent',
    aggregation: 'avg',
    comparator: '>',
    threshold: 0.9,
    window: '2m',
    for: '10m',
    severity: 'critical',
    explain: 'memory',
  },
  {
    id: 'queue-wait-p95',
    name: 'p95 queue wait',
    kind: 'threshold',
    dataset: 'jenkins.queue.label',
    field: 'queue.wait_ms.p95',
    aggregation: 'avg',
    comparator: '>',
    threshold: 600_000,
    window: '2m',
    groupBy: 'jenkins.label',
    for: '5m',
    severity: 'warning',
    explain: 'cpu',
  },
  {
    id: 'agents-inactive',
    name: 'Inactive agents',
    kind: 'threshold',
    dataset: 'mesos.master',
    filter: { 'mesos.master.elected': true },
    field: 'mesos.agents.inactive',
    aggregation: 'max',
    comparator: '>',
    threshold: 0,
    window: '2m',
    for: '5m',
    severity: 'warning',
  },
  { id: 'nodata-mesos-master', name: 'No Mesos master documents', kind: 'nodata', dataset: 'mesos.master', after: '5m', severity: 'critical' },
  { id: 'nodata-jenkins-queue', name: 'No Jenkins queue documents', kind: 'nodata', dataset: 'jenkins.queue', after: '5m', severity: 'critical' },
];

function ms(v: number | string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  return parseDurationMs(v) ?? fallback;
}

function thresholdOf(spec: RuleSpec): Threshold | undefined {
  const t = spec.threshold;
  if (Array.isArray(t)) return [t[0] as number, t[1] as number];
  if (typeof t === 'number') return t;
  if (spec.kind === 'job-oom') return 1;
  return undefined;
}

/**
 * Turns validated rule specs (config or {@link DEFAULT_RULE_SPECS}) into {@link AlertRule}s.
 * Pure; assumes the config validation passed (an unreadable duration falls back to the default).
 */
export function compileRules(specs: readonly RuleSpec[], defaults: RuleDefaults): AlertRule[] {
  return specs.map((spec) => {
    const schedule: Schedule =
      spec.cron !== undefined ? { cron: spec.cron, timezone: spec.timezone ?? 'UTC' } : { everyMs: ms(spec.interval, defaults.intervalMs) };
    const threshold = thresholdOf(spec);
    const rule: AlertRule = {
      id: spec.id,
      name: spec.name ?? spec.id,
      kind: spec.kind,
      ...(spec.dataset === undefined ? {} : { dataset: spec.dataset }),
      ...(spec.field === undefined ? {} : { field: spec.field }),
      ...(spec.kind === 'threshold' ? { aggregation: spec.aggregation ?? 'avg' } : {}),
      comparator: spec.comparator ?? (spec.kind === 'job-oom' ? '>=' : '>'),
      ...(threshold === undefined ? {} : { threshold }),
      windowMs: ms(spec.window, DEFAULT_WINDOW_MS[spec.kind]),
      ...(spec.groupBy === undefined ? {} : { groupBy: spec.groupBy }),
      filter: spec.filter ?? {},
      ...(spec.kind === 'nodata' ? { afterMs: ms(spec.after, 300_000) } : {}),
      lookbackMs: ms(spec.lookback, 86_400_000),
      schedule,
      forMs: ms(spec.for, 0),
      severity: spec.severity ?? 'warning',
      labels: spec.labels ?? {},
      receivers: spec.receivers ?? defaults.receivers,
      repeatIntervalMs: ms(spec.repeatInterval, 4 * 3_600_000),
      ...(spec.repeatBackoff === undefined
        ? {}
        : { repeatBackoff: { factor: spec.repeatBackoff.factor ?? 2, maxMs: ms(spec.repeatBackoff.max, 86_400_000) } }),
      sendResolved: spec.sendResolved ?? true,
      ...(spec.explain === undefined ? {} : { explain: spec.explain }),
      message: spec.message ?? DEFAULT_MESSAGES[spec.kind],
    };
    return rule;
  });
}

/** True when `value` meets the rule's condition (`value OP threshold`). */
export function compare(value: number, comparator: Comparator, threshold: Threshold): boolean {
  if (comparator === 'between' || comparator === 'outside') {
    const [lo, hi] = typeof threshold === 'number' ? [threshold, threshold] : threshold;
    const inside = value >= lo && value <= hi;
    return comparator === 'between' ? inside : !inside;
  }
  const t = typeof threshold === 'number' ? threshold : threshold[0];
  switch (comparator) {
    case '>':
      return value > t;
    case '>=':
      return value >= t;
    case '<':
      return value < t;
    case '<=':
      return value <= t;
  }
}

/** The schedule's evaluation period in ms (cron rules: undefined). */
export function intervalMsOf(rule: AlertRule): number | undefined {
  return 'everyMs' in rule.schedule ? rule.schedule.everyMs : undefined;
}

/** The repeat wait after `repeats` repeats already sent (exponential when repeatBackoff is set). */
export function repeatWaitMs(rule: AlertRule, repeats: number): number {
  if (!rule.repeatBackoff) return rule.repeatIntervalMs;
  const wait = rule.repeatIntervalMs * rule.repeatBackoff.factor ** Math.min(repeats, 60);
  return Math.min(rule.repeatBackoff.maxMs, wait);
}

/** Which index kind holds a dataset's documents. */
export const DATASET_INDEX: Readonly<Record<string, 'cluster' | 'queue' | 'containers' | 'builds'>> = {
  'mesos.master': 'cluster',
  'mesos.agent': 'cluster',
  'mesos.role': 'cluster',
  'jenkins.queue': 'queue',
  'jenkins.queue.label': 'queue',
  'docker.container': 'containers',
  'mesos.executor': 'containers',
  'jenkins.build': 'builds',
};
