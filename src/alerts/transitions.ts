import { repeatWaitMs, type AlertRule } from './rules.js';

/** What the receivers last heard of an alert. */
export type NotifiedState = 'firing' | 'resolved';

/**
 * The state of one alert (one group of one rule), as kept between evaluations (and in
 * `<prefix>-alerts`). `status` is the engine's view; `notified` is what the receivers were told,
 * so a notification is due exactly when the two differ (or a repeat is due).
 */
export interface AlertState {
  readonly ruleId: string;
  readonly group: string;
  readonly status: 'pending' | 'firing' | 'resolved';
  /** Epoch ms the condition started to hold (pending or firing). */
  readonly pendingSinceMs?: number;
  /** Epoch ms the alert fired. */
  readonly sinceMs?: number;
  /** Epoch ms the alert last resolved. */
  readonly resolvedAtMs?: number;
  readonly value?: number;
  readonly notified?: NotifiedState;
  readonly lastNotifiedMs?: number;
  /** Notifications sent for this alert, ever. */
  readonly notifications: number;
  /** Repeats sent since it last fired (the exponent of the repeat backoff). */
  readonly repeats: number;
  /** Fire and resolve instants within the flapping window, ascending. */
  readonly changesMs: readonly number[];
  /** Held because it flaps: not notified until stable. */
  readonly held: boolean;
  /** A due notification was withheld by a silence: notify as soon as it is lifted. */
  readonly withheld: boolean;
  readonly updatedMs: number;
}

export interface FlappingPolicy {
  /** More fire/resolve changes than this within `windowMs` make an alert flapping. */
  readonly maxChanges: number;
  readonly windowMs: number;
  /** A flapping alert is released after this long without a change. */
  readonly stableForMs: number;
}

export type NoticeAction = 'fired' | 'repeated' | 'resolved';

/** One evaluation's input for one alert. */
export interface StepInput {
  /** The condition holds now. */
  readonly active: boolean;
  readonly value?: number;
  readonly nowMs: number;
  /** A silence matches the alert now. */
  readonly silenced: boolean;
  readonly flapping: FlappingPolicy;
}

export interface StepResult {
  readonly state: AlertState;
  /** The notification to send now. */
  readonly action?: NoticeAction;
  /** A notification was due but withheld. */
  readonly suppressed?: { readonly action: NoticeAction; readonly reason: 'silenced' | 'flapping' };
}

/** A fresh state for an alert never seen before. */
export function initialState(ruleId: string, group: string, nowMs: number): AlertState {
  return { ruleId, group, status: 'resolved', notifications: 0, repeats: 0, changesMs: [], held: false, withheld: false, updatedMs: nowMs };
}

/**
 * One evaluation step of one alert (pure). Pending → firing only once the condition has held for
 * `rule.forMs` (a shorter spike never fires); a firing alert repeats after the repeat interval
 * (growing with `repeatBackoff`); a notified alert whose condition ended is resolved once. An
 * alert that changed more than `maxChanges` times within the flapping window is held (nothing is
 * sent) until it has been stable for `stableForMs`; then the receivers get its current state if
 * it differs from what they last heard. A silenced alert's due notifications are withheld and
 * sent at the first evaluation after the silence ends.
 */
export function stepAlert(rule: AlertRule, prev: AlertState, input: StepInput): StepResult {
  const now = input.nowMs;
  let s: Mutable<AlertState> = { ...prev, updatedMs: now };
  if (input.value === undefined) delete s.value;
  else s.value = input.value;
  let changed = false;
  if (input.active) {
    if (s.status === 'resolved') {
      s.status = 'pending';
      s.pendingSinceMs = now;
    }
    if (s.status === 'pending' && now - (s.pendingSinceMs ?? now) >= rule.forMs) {
      s.status = 'firing';
      s.sinceMs = now;
      changed = true;
    }
  } else if (s.status === 'pending') {
    s.status = 'resolved';
    delete s.pendingSinceMs;
  } else if (s.status === 'firing') {
    s.status = 'resolved';
    s.resolvedAtMs = now;
    delete s.pendingSinceMs;
    changed = true;
  }
  s.changesMs = (changed ? [...s.changesMs, now] : s.changesMs).filter((t) => t > now - input.flapping.windowMs);
  if (s.held) {
    const last = prev.changesMs[prev.changesMs.length - 1];
    const lastChange = changed ? now : (last ?? -Infinity);
    if (now - lastChange >= input.flapping.stableForMs) {
      s.held = false;
      s.changesMs = [];
    }
  } else if (s.changesMs.length > input.flapping.maxChanges) {
    s.held = true;
  }

  const due = dueAction(rule, s, now);
  if (due === undefined) return { state: s };
  if (due === 'resolved' && !rule.sendResolved) {
    s = { ...s, notified: 'resolved', withheld: false };
    return { state: s };
  }
  if (s.held) return { state: s, suppressed: { action: due, reason: 'flapping' } };
  if (input.silenced) {
    s.withheld = true;
    return { state: s, suppressed: { action: due, reason: 'silenced' } };
  }
  s.notified = due === 'resolved' ? 'resolved' : 'firing';
  s.lastNotifiedMs = now;
  s.notifications += 1;
  s.repeats = due === 'repeated' ? s.repeats + 1 : 0;
  s.withheld = false;
  return { state: s, action: due };
}

function dueAction(rule: AlertRule, s: AlertState, now: number): NoticeAction | undefined {
  if (s.status === 'firing') {
    if (s.notified !== 'firing') return 'fired';
    if (s.withheld) return 'repeated';
    if (now - (s.lastNotifiedMs ?? -Infinity) >= repeatWaitMs(rule, s.repeats)) return 'repeated';
    return undefined;
  }
  if (s.status === 'resolved' && s.notified === 'firing') return 'resolved';
  return undefined;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
