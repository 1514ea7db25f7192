import type { AlertState, FlappingPolicy } from './transitions.js';
import { evaluateRule, type Observation, type PlannedNotice, type Silence, type SuppressedNotice } from './evaluate.js';
import type { AlertRule } from './rules.js';

/** Alert states by rule id, then group. */
export type AlertBook = Map<string, Map<string, AlertState>>;

export interface RoundInput {
  readonly rules: readonly AlertRule[];
  /** The observations of each rule at `nowMs` (already queried). */
  readonly observations: ReadonlyMap<string, readonly Observation[]>;
  readonly book: AlertBook;
  readonly nowMs: number;
  readonly silences: readonly Silence[];
  readonly flapping: FlappingPolicy;
  readonly uiUrl?: string;
  /** The explanation of an alert of a rule with `explain`, by rule and group. */
  readonly explanation?: (rule: AlertRule, group: string) => string | undefined;
}

export interface RoundResult {
  /** The states that changed (or were created) in this round. */
  readonly changed: readonly AlertState[];
  readonly notices: readonly PlannedNotice[];
  readonly suppressed: readonly SuppressedNotice[];
}

/**
 * One evaluation round over several rules (pure apart from updating `book` in place with the new
 * states): the notices of all rules of the round, to be grouped by receiver.
 */
export function evaluateRound(input: RoundInput): RoundResult {
  const changed: AlertState[] = [];
  const notices: PlannedNotice[] = [];
  const suppressed: SuppressedNotice[] = [];
  for (const rule of input.rules) {
    const prev = input.book.get(rule.id) ?? new Map<string, AlertState>();
    const ev = evaluateRule(rule, input.observations.get(rule.id) ?? [], prev, {
      nowMs: input.nowMs,
      silences: input.silences,
      flapping: input.flapping,
      ...(input.uiUrl === undefined ? {} : { uiUrl: input.uiUrl }),
      ...(input.explanation === undefined ? {} : { explanation: (g: string) => input.explanation?.(rule, g) }),
    });
    const next = new Map<string, AlertState>();
    for (const s of ev.states) {
      next.set(s.group, s);
      const before = prev.get(s.group);
      if (before === undefined || !sameState(before, s)) changed.push(s);
    }
    input.book.set(rule.id, next);
    notices.push(...ev.notices);
    suppressed.push(...ev.suppressed);
  }
  return { changed, notices, suppressed };
}

/** Equal apart from `updatedMs` and the measured value (so an unchanged alert is not rewritten every round). */
function sameState(a: AlertState, b: AlertState): boolean {
  const strip = (s: AlertState): string => JSON.stringify({ ...s, updatedMs: 0, value: 0 });
  return strip(a) === strip(b);
}
