import { describe, expect, it } from 'vitest';
import { compileRules, evaluateRule, groupByReceiver, initialState, stepAlert, type AlertRule, type AlertState, type FlappingPolicy, type Observation, type RuleSpec, type Silence } from '../../../src/alerts/index.js';
import { ManualClock } from '../../../src/util/index.js';

const MIN = 60_000;
const NO_FLAP: FlappingPolicy = { maxChanges: 1000, windowMs: 3_600_000, stableForMs: 0 };

function rule(spec: Partial<RuleSpec> = {}): AlertRule {
  const [r] = compileRules(
    [{ id: 'cpu', kind: 'threshold', dataset: 'mesos.master', field: 'mesos.cpus.percent', threshold: 0.9, interval: '1m', for: '10m', repeatInterval: '1h', ...spec }],
    { intervalMs: MIN, receivers: ['ops'] },
  );
  return r as AlertRule;
}

/** Steps one ungrouped alert through values, one evaluation per minute; returns the actions per minute. */
function run(r: AlertRule, values: readonly (number | undefined)[], opts: { flapping?: FlappingPolicy; silences?: Silence[]; startMs?: number } = {}) {
  const clock = new ManualClock(opts.startMs ?? 0);
  let states = new Map<string, AlertState>();
  const actions: Array<{ minute: number; action: string; value?: number }> = [];
  values.forEach((v, minute) => {
    clock.set((opts.startMs ?? 0) + minute * MIN);
    const obs: Observation[] = v === undefined ? [] : [{ group: '', value: v }];
    const ev = evaluateRule(r, obs, states, { nowMs: clock.nowMs(), silences: opts.silences ?? [], flapping: opts.flapping ?? NO_FLAP });
    states = new Map(ev.states.map((s) => [s.group, s]));
    for (const n of ev.notices) actions.push({ minute, action: n.notice.action, ...(n.notice.value === undefined ? {} : { value: n.notice.value }) });
  });
  return { actions, states };
}

describe('stepAlert: pending → firing after `for`', () => {
  it('fires only once the condition has held for 10 minutes (minute 0 to minute 10)', () => {
    const { actions } = run(rule(), Array.from({ length: 15 }, () => 0.95));
    expect(actions).toEqual([{ minute: 10, action: 'fired', value: 0.95 }]);
  });

  it('a spike shorter than `for` never fires (9 minutes above, then below)', () => {
    const values = [...Array.from({ length: 9 }, () => 0.95), 0.5, 0.5, ...Array.from({ length: 9 }, () => 0.95), 0.5];
    expect(run(rule(), values).actions).toEqual([]);
  });

  it('for 0 fires at the first evaluation', () => {
    expect(run(rule({ for: 0 }), [0.95]).actions).toEqual([{ minute: 0, action: 'fired', value: 0.95 }]);
  });

  it('resolves once when the condition ends, and a new episode fires again after `for`', () => {
    const values = [...Array.from({ length: 11 }, () => 0.95), 0.5, 0.5, ...Array.from({ length: 11 }, () => 0.95)];
    expect(run(rule(), values).actions.map((a) => `${a.minute}:${a.action}`)).toEqual(['10:fired', '11:resolved', '23:fired']);
  });

  it('no data in the window resolves a threshold alert (the group left the data)', () => {
    const values = [...Array.from({ length: 11 }, () => 0.95), undefined];
    expect(run(rule(), values).actions.map((a) => `${a.minute}:${a.action}`)).toEqual(['10:fired', '11:resolved']);
  });

  it('no resolve notice with sendResolved false', () => {
    const values = [...Array.from({ length: 11 }, () => 0.95), 0.5];
    expect(run(rule({ sendResolved: false }), values).actions.map((a) => a.action)).toEqual(['fired']);
  });
});

describe('repeat interval and exponential backoff', () => {
  it('repeats every repeatInterval (30 min) while firing', () => {
    const { actions } = run(rule({ for: 0, repeatInterval: '30m' }), Array.from({ length: 100 }, () => 0.95));
    expect(actions.map((a) => `${a.minute}:${a.action}`)).toEqual(['0:fired', '30:repeated', '60:repeated', '90:repeated']);
  });

  it('with backoff factor 2 the waits are 10, 20, 40 min, capped at 60', () => {
    const r = rule({ for: 0, repeatInterval: '10m', repeatBackoff: { factor: 2, max: '60m' } });
    const { actions } = run(r, Array.from({ length: 200 }, () => 0.95));
    // fired 0; repeats at 0+10, 10+20, 30+40, 70+60, 130+60.
    expect(actions.map((a) => a.minute)).toEqual([0, 10, 30, 70, 130, 190]);
    expect(actions.slice(1).every((a) => a.action === 'repeated')).toBe(true);
  });

  it('the backoff starts over after the alert resolved and fired again', () => {
    const r = rule({ for: 0, repeatInterval: '10m', repeatBackoff: { factor: 2, max: '60m' } });
    const values = [...Array.from({ length: 31 }, () => 0.95), 0.1, ...Array.from({ length: 15 }, () => 0.95)];
    const { actions } = run(r, values);
    expect(actions.map((a) => `${a.minute}:${a.action}`)).toEqual(['0:fired', '10:repeated', '30:repeated', '31:resolved', '32:fired', '42:repeated']);
  });
});

describe('flapping hold', () => {
  const flapping: FlappingPolicy = { maxChanges: 3, windowMs: 60 * MIN, stableForMs: 10 * MIN };
  it('after more than 3 changes in an hour nothing is sent until 10 stable minutes; then the current state once', () => {
    // fires at 0, resolves at 1, fires at 2, resolves at 3 (4th change: held), fires at 4, then steady.
    const values = [0.95, 0.1, 0.95, 0.1, ...Array.from({ length: 20 }, () => 0.95)];
    const { actions, states } = run(rule({ for: 0 }), values, { flapping });
    // The 4th change (minute 3) is the first withheld: 0 fired, 1 resolved, 2 fired are sent; minute 3's resolve is held.
    // Fired again at 4, stable from there: released at 14, and the receivers last heard "firing" → a repeat is not due (lastNotified 2, repeat 1h).
    expect(actions.map((a) => `${a.minute}:${a.action}`)).toEqual(['0:fired', '1:resolved', '2:fired']);
    expect(states.get('')?.held).toBe(false);
  });

  it('a held alert that ends resolved is resolved once when released', () => {
    const values = [0.95, 0.1, 0.95, 0.1, 0.95, ...Array.from({ length: 20 }, () => 0.1)];
    const { actions } = run(rule({ for: 0 }), values, { flapping });
    // Held from minute 3; last change at 5 (resolve); released at 15 → the receivers heard "firing" (minute 2): resolved at 15.
    expect(actions.map((a) => `${a.minute}:${a.action}`)).toEqual(['0:fired', '1:resolved', '2:fired', '15:resolved']);
  });
});

describe('silences', () => {
  it('a silenced alert is notified when the silence expires while it still fires', () => {
    const silences: Silence[] = [{ id: 's1', ruleId: 'cpu', untilMs: 25 * MIN }];
    const { actions } = run(rule(), Array.from({ length: 40 }, () => 0.95), { silences });
    // Would fire at 10; silenced until 25 (exclusive): the first evaluation at or after 25 notifies.
    expect(actions).toEqual([{ minute: 25, action: 'fired', value: 0.95 }]);
  });

  it('a silence of another group does not mute this one; a rule-wide silence mutes every group', () => {
    const r = rule({ for: 0, groupBy: 'jenkins.label' });
    const obs: Observation[] = [{ group: 'linux', value: 0.95 }, { group: 'win', value: 0.99 }];
    const one = evaluateRule(r, obs, new Map(), { nowMs: 0, silences: [{ id: 'x', ruleId: 'cpu', group: 'win', untilMs: MIN }], flapping: NO_FLAP });
    expect(one.notices.map((n) => n.notice.group)).toEqual(['linux']);
    expect(one.suppressed).toEqual([{ ruleId: 'cpu', group: 'win', action: 'fired', reason: 'silenced' }]);
    const all = evaluateRule(r, obs, new Map(), { nowMs: 0, silences: [{ id: 'y', ruleId: 'cpu', untilMs: MIN }], flapping: NO_FLAP });
    expect(all.notices).toEqual([]);
  });

  it('a repeat withheld by a silence is sent at the first evaluation after it', () => {
    const silences: Silence[] = [{ id: 's', ruleId: 'cpu', untilMs: 45 * MIN }];
    // Fired at 0 without silence; a silence from minute 20 to 45 withholds the repeat due at 30 → sent at 45.
    const clock = new ManualClock(0);
    const r = rule({ for: 0, repeatInterval: '30m' });
    let states = new Map<string, AlertState>();
    const sent: string[] = [];
    for (let m = 0; m < 50; m++) {
      clock.set(m * MIN);
      const sil = m >= 20 ? silences : [];
      const ev = evaluateRule(r, [{ group: '', value: 0.95 }], states, { nowMs: clock.nowMs(), silences: sil, flapping: NO_FLAP });
      states = new Map(ev.states.map((s) => [s.group, s]));
      for (const n of ev.notices) sent.push(`${m}:${n.notice.action}`);
    }
    expect(sent).toEqual(['0:fired', '45:repeated']);
  });
});

describe('grouping', () => {
  it('alerts firing in one evaluation for one receiver go out as one message; each receiver gets its own', () => {
    const a = rule({ id: 'queue', for: 0, groupBy: 'jenkins.label', receivers: ['mail', 'chat'] });
    const ev = evaluateRule(a, [{ group: 'linux', value: 0.95 }, { group: 'win', value: 0.97 }, { group: 'mac', value: 0.5 }], new Map(), { nowMs: 0, silences: [], flapping: NO_FLAP });
    const b = rule({ id: 'mem', for: 0, severity: 'critical', receivers: ['mail'] });
    const ev2 = evaluateRule(b, [{ group: '', value: 0.93 }], new Map(), { nowMs: 0, silences: [], flapping: NO_FLAP });
    const messages = groupByReceiver([...ev.notices, ...ev2.notices], 0);
    expect(messages.map((m) => [m.receiver, m.message.alerts?.length, m.message.severity])).toEqual([
      ['chat', 2, 'warning'],
      ['mail', 3, 'critical'],
    ]);
    expect(messages[1]?.message.subject).toBe('[critical] 3 alerts: mem firing, queue linux firing, queue win firing');
    // The same notices give the same message id (idempotent after a restart).
    expect(groupByReceiver([...ev2.notices, ...ev.notices], 5).map((m) => m.message.id)).toEqual(messages.map((m) => m.message.id));
  });
});

describe('no-data', () => {
  const nodata = compileRules([{ id: 'nd', kind: 'nodata', dataset: 'mesos.master', after: '5m', interval: '1m' }], { intervalMs: MIN, receivers: [] })[0] as AlertRule;
  it('fires when the newest document is older than 5 min, with its age; resolves when documents return', () => {
    const at = (nowMs: number, lastSeenMs: number | undefined, prev: Map<string, AlertState>) =>
      evaluateRule(nodata, lastSeenMs === undefined ? [] : [{ group: '', lastSeenMs }], prev, { nowMs, silences: [], flapping: NO_FLAP });
    const fresh = at(10 * MIN, 9 * MIN, new Map());
    expect(fresh.notices).toEqual([]);
    const exactly = at(10 * MIN, 5 * MIN, new Map());
    expect(exactly.notices).toEqual([]); // 5 min old is not older than 5 min
    const stale = at(10 * MIN, 4 * MIN, new Map());
    expect(stale.notices.map((n) => [n.notice.action, n.notice.value])).toEqual([['fired', 6 * MIN]]);
    const back = at(11 * MIN, 11 * MIN - 1000, new Map(stale.states.map((s) => [s.group, s])));
    expect(back.notices.map((n) => n.notice.action)).toEqual(['resolved']);
  });
  it('nothing at all within the lookback fires too', () => {
    const ev = evaluateRule(nodata, [], new Map(), { nowMs: 0, silences: [], flapping: NO_FLAP });
    expect(ev.notices.map((n) => n.notice.action)).toEqual(['fired']);
    expect(ev.notices[0]?.notice.value).toBeUndefined();
  });
});

describe('stepAlert keeps its input', () => {
  it('does not mutate the previous state', () => {
    const prev = initialState('cpu', '', 0);
    const copy = structuredClone(prev);
    stepAlert(rule({ for: 0 }), prev, { active: true, value: 1, nowMs: 0, silenced: false, flapping: NO_FLAP });
    expect(prev).toEqual(copy);
  });
});
