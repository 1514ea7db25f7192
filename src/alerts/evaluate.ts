import { createHash } from 'node:crypto';
import type { AlertNotice } from '../model/ports.js';
import { compare, type AlertRule } from './rules.js';
import { renderMessage } from './template.js';
import { initialState, stepAlert, type AlertState, type FlappingPolicy, type NoticeAction } from './transitions.js';

/**
 * What a query found for one group of a rule in one evaluation. Threshold and job rules give
 * `value`; nodata rules give `lastSeenMs` (absent: nothing within the lookback).
 */
export interface Observation {
  /** The group-by value; '' for an ungrouped rule. */
  readonly group: string;
  readonly value?: number;
  readonly lastSeenMs?: number;
}

/** A silence: mutes a rule (one group, or all when `group` is absent) until `untilMs`. */
export interface Silence {
  readonly id: string;
  readonly ruleId: string;
  readonly group?: string;
  readonly untilMs: number;
  readonly createdBy?: string;
  readonly comment?: string;
}

export function isSilenced(silences: readonly Silence[], ruleId: string, group: string, nowMs: number): boolean {
  return silences.some((s) => s.ruleId === ruleId && (s.group === undefined || s.group === group) && s.untilMs > nowMs);
}

/** A notification decided by an evaluation, before grouping by receiver. */
export interface PlannedNotice {
  /** Deterministic: the same alert, firing episode and notification number give the same id. */
  readonly id: string;
  readonly receivers: readonly string[];
  readonly notice: AlertNotice;
}

/** A notification that was due but withheld (for the `silenced` events). */
export interface SuppressedNotice {
  readonly ruleId: string;
  readonly group: string;
  readonly action: NoticeAction;
  readonly reason: 'silenced' | 'flapping';
}

export interface EvaluationContext {
  readonly nowMs: number;
  readonly silences: readonly Silence[];
  readonly flapping: FlappingPolicy;
  /** Base URL of the web UI; the notice links there. */
  readonly uiUrl?: string;
  /** Explanation of a firing allocation/queue alert (item 2), per group; computed by the shell. */
  readonly explanation?: (group: string) => string | undefined;
}

export interface RuleEvaluation {
  /** The new state of every alert of the rule that has one (untouched alerts included). */
  readonly states: readonly AlertState[];
  readonly notices: readonly PlannedNotice[];
  readonly suppressed: readonly SuppressedNotice[];
}

/** Whether an observation meets the rule's condition, with the value the notice reports. */
export function conditionOf(rule: AlertRule, obs: Observation | undefined, nowMs: number): { active: boolean; value?: number } {
  if (rule.kind === 'nodata') {
    if (obs?.lastSeenMs === undefined) return { active: true };
    const ageMs = Math.max(0, nowMs - obs.lastSeenMs);
    return { active: ageMs > (rule.afterMs ?? 0), value: ageMs };
  }
  if (obs?.value === undefined || !Number.isFinite(obs.value) || rule.threshold === undefined) return { active: false };
  return { active: compare(obs.value, rule.comparator, rule.threshold), value: obs.value };
}

function sha1(parts: readonly unknown[]): string {
  return createHash('sha1').update(JSON.stringify(parts)).digest('hex');
}

/** The web UI link of an alert: the job's page for job rules, else the UI's start page. */
export function alertUrl(rule: AlertRule, group: string, uiUrl: string | undefined): string | undefined {
  if (uiUrl === undefined || uiUrl === '') return undefined;
  const base = uiUrl.replace(/\/+$/, '');
  if (group !== '' && rule.kind !== 'threshold' && rule.kind !== 'nodata') return `${base}/?job=${encodeURIComponent(group)}`;
  return `${base}/`;
}

/**
 * Evaluates one rule (pure): the observations of this round against the previous states, the
 * silences and the clock → the new states, the notifications to send and those withheld.
 * A group with a state but no observation this round counts as "condition not met" for threshold
 * and job rules (it left the data), and as "no data" for an ungrouped nodata rule.
 */
export function evaluateRule(
  rule: AlertRule,
  observations: readonly Observation[],
  previous: ReadonlyMap<string, AlertState>,
  ctx: EvaluationContext,
): RuleEvaluation {
  const byGroup = new Map<string, Observation>();
  for (const o of observations) byGroup.set(o.group, o);
  const groups = new Set<string>([...byGroup.keys(), ...previous.keys()]);
  if (rule.kind === 'nodata' && rule.groupBy === undefined) groups.add('');
  const states: AlertState[] = [];
  const notices: PlannedNotice[] = [];
  const suppressed: SuppressedNotice[] = [];
  for (const group of [...groups].sort()) {
    const prev = previous.get(group) ?? initialState(rule.id, group, ctx.nowMs);
    const obs = byGroup.get(group);
    const cond = rule.kind === 'nodata' && obs === undefined && rule.groupBy !== undefined ? { active: false } : conditionOf(rule, obs, ctx.nowMs);
    const step = stepAlert(rule, prev, {
      active: cond.active,
      ...(cond.value === undefined ? {} : { value: cond.value }),
      nowMs: ctx.nowMs,
      silenced: isSilenced(ctx.silences, rule.id, group, ctx.nowMs),
      flapping: ctx.flapping,
    });
    // Nothing to remember about an alert that never started and has no flapping history.
    const s = step.state;
    const keep = s.status !== 'resolved' || s.notified !== undefined || s.changesMs.length > 0 || previous.has(group);
    if (keep) states.push(s);
    if (step.suppressed) suppressed.push({ ruleId: rule.id, group, ...step.suppressed });
    if (step.action === undefined) continue;
    const explanation = step.action === 'resolved' || rule.explain === undefined ? undefined : ctx.explanation?.(group);
    const url = alertUrl(rule, group, ctx.uiUrl);
    const sinceMs = s.sinceMs ?? ctx.nowMs;
    const notice: AlertNotice = {
      ruleId: rule.id,
      ruleName: rule.name,
      ...(group === '' ? {} : { group }),
      severity: rule.severity,
      action: step.action,
      ...(cond.value === undefined ? {} : { value: cond.value }),
      ...(typeof rule.threshold === 'number' ? { threshold: rule.threshold } : rule.kind === 'nodata' ? { threshold: rule.afterMs ?? 0 } : {}),
      message: renderMessage(rule, {
        group,
        status: step.action === 'resolved' ? 'resolved' : 'firing',
        ...(cond.value === undefined ? {} : { value: cond.value }),
        ...(explanation === undefined ? {} : { explanation }),
        ...(url === undefined ? {} : { url }),
      }),
      ...(url === undefined ? {} : { url }),
      sinceMs,
    };
    notices.push({ id: sha1(['notice', rule.id, group, sinceMs, s.notifications]), receivers: rule.receivers, notice });
  }
  return { states, notices, suppressed };
}
