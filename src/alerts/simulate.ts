import { explainCapacity, capacityFacts } from './explain.js';
import { groupByReceiver, type GroupedMessage } from './group.js';
import type { DocumentSet } from './memoryQuery.js';
import { evaluateRound, type AlertBook } from './round.js';
import type { AlertRule } from './rules.js';
import type { FlappingPolicy } from './transitions.js';
import type { Observation, Silence } from './evaluate.js';

/** One notification of a simulation, as `alerts test --print` writes it (an alert-events document). */
export interface SimulatedEvent {
  readonly '@timestamp': string;
  readonly rule: { readonly id: string; readonly name: string };
  readonly alert: { readonly group: string; readonly value?: number; readonly threshold?: number | readonly number[] };
  readonly event: { readonly action: 'fired' | 'repeated' | 'resolved' };
  readonly message: string;
}

export interface SimulationOptions {
  readonly flapping: FlappingPolicy;
  readonly uiUrl?: string;
  readonly silences?: readonly Silence[];
  /** Evaluation instants of a rule within (fromMs, toMs], ascending (intervals and cron expressions). */
  readonly times: (rule: AlertRule, fromMs: number, toMs: number) => readonly number[];
  /** How far back running containers and the leader's reading are looked for in explanations. @defaultValue 120 000 */
  readonly recentMs?: number;
}

export interface SimulationResult {
  readonly events: readonly SimulatedEvent[];
  /** The messages every receiver would get, round by round. */
  readonly messages: readonly GroupedMessage[];
  readonly rounds: number;
}

/**
 * Replays rules over a set of documents (pure): the clock steps through the documents' time span
 * at each rule's evaluation instants; rules due at the same instant form one round (one grouped
 * message per receiver). Returns every notification in time order.
 */
export function simulate(rules: readonly AlertRule[], docs: DocumentSet, opts: SimulationOptions): SimulationResult {
  if (docs.size === 0) return { events: [], messages: [], rounds: 0 };
  const due = new Map<number, AlertRule[]>();
  for (const rule of rules) {
    for (const t of opts.times(rule, docs.firstMs, docs.lastMs)) {
      const list = due.get(t) ?? [];
      list.push(rule);
      due.set(t, list);
    }
  }
  const book: AlertBook = new Map();
  const events: SimulatedEvent[] = [];
  const messages: GroupedMessage[] = [];
  const recentMs = opts.recentMs ?? 120_000;
  const instants = [...due.keys()].sort((a, b) => a - b);
  for (const nowMs of instants) {
    const roundRules = due.get(nowMs) ?? [];
    const observations = new Map<string, readonly Observation[]>();
    for (const r of roundRules) observations.set(r.id, docs.observe(r, nowMs));
    const result = evaluateRound({
      rules: roundRules,
      observations,
      book,
      nowMs,
      silences: opts.silences ?? [],
      flapping: opts.flapping,
      ...(opts.uiUrl === undefined ? {} : { uiUrl: opts.uiUrl }),
      explanation: (rule) => (rule.explain === undefined ? undefined : explainCapacity(capacityFacts(docs.capacity(rule.explain, nowMs, recentMs)))),
    });
    const byId = new Map(roundRules.map((r) => [r.id, r]));
    for (const p of result.notices) {
      const rule = byId.get(p.notice.ruleId);
      events.push({
        '@timestamp': new Date(nowMs).toISOString(),
        rule: { id: p.notice.ruleId, name: p.notice.ruleName },
        alert: {
          group: p.notice.group ?? '',
          ...(p.notice.value === undefined ? {} : { value: p.notice.value }),
          ...(rule?.threshold === undefined ? (p.notice.threshold === undefined ? {} : { threshold: p.notice.threshold }) : { threshold: rule.threshold }),
        },
        event: { action: p.notice.action },
        message: p.notice.message,
      });
    }
    messages.push(...groupByReceiver(result.notices, nowMs));
  }
  return { events, messages, rounds: instants.length };
}

/** The instants of an every-`everyMs` rule in (fromMs, toMs]: fromMs + k × everyMs. */
export function intervalTimes(everyMs: number, fromMs: number, toMs: number): number[] {
  const out: number[] = [];
  for (let t = fromMs + everyMs; t <= toMs; t += everyMs) out.push(t);
  return out;
}
