/** Start, die and oom events. */
import { describe, expect, it } from 'vitest';
import { exitFromEvents, parseDockerTime, parseExitEvents, parseStartEvents, startedBetween } from '../../../../../src/collectors/docker/index.js';
import { ID } from './fixtures.js';

describe('start events', () => {
  const body = [
    `{"status":"start","id":"${ID}","Type":"container","Action":"start","Actor":{"ID":"${ID}"},"time":1795318260,"timeNano":1795318260057537285}`,
    `{"status":"die","id":"${ID}","Action":"die","timeNano":1795318261000000000}`,
    '{"garbage',
    `{"Action":"start","id":"../x","timeNano":1795318262000000000}`,
    '',
  ].join('\n');

  it('keeps the 19-digit timeNano exact (a JSON number would round it)', () => {
    const r = parseStartEvents(body);
    expect(r.value).toEqual([{ id: ID, at: { epochMs: 1_795_318_260_057, subMsNs: 537_285 } }]);
    expect(r.skipped).toEqual({ ignored: 3 });
  });

  it('a start counts only strictly after the previous reading and not after the current one', () => {
    const events = parseStartEvents(body).value;
    const at = (iso: string) => parseDockerTime(iso)!;
    expect(startedBetween(events, ID, at('2026-11-22T03:31:00.057537284Z'), at('2026-11-22T03:31:01Z'))).toBe(true);
    expect(startedBetween(events, ID, at('2026-11-22T03:31:00.057537285Z'), at('2026-11-22T03:31:01Z'))).toBe(false);
    expect(startedBetween(events, ID, at('2026-11-22T03:30:59Z'), at('2026-11-22T03:31:00.057537284Z'))).toBe(false);
    expect(startedBetween(events, 'b'.repeat(64), at('2026-11-22T03:30:59Z'), at('2026-11-22T03:31:01Z'))).toBe(false);
  });
});

describe('parseExitEvents / exitFromEvents', () => {
  const id = 'f'.repeat(64);
  const other = 'e'.repeat(64);
  const line = (action: string, timeNano: string, attrs = '{}', who = id) =>
    `{"status":"${action}","id":"${who}","from":"rightsize/workload:latest","Type":"container","Action":"${action}","Actor":{"ID":"${who}","Attributes":${attrs}},"scope":"local","time":${timeNano.slice(0, 10)},"timeNano":${timeNano}}`;

  it('reads die (exit code from the string attribute) and oom, ignores the rest and garbage', () => {
    const body = [
      line('oom', '1763780400123456789', '{"image":"x","name":"mesos-1"}'),
      line('die', '1763780400125000001', '{"exitCode":"137","image":"x","name":"mesos-1"}'),
      line('start', '1763780399000000000'),
      '{not json',
      line('die', '1763780400200000000', '{"exitCode":"x"}', other),
    ].join('\n');
    const r = parseExitEvents(body);
    expect(r.skipped).toEqual({ ignored: 2 });
    expect(r.value).toEqual([
      { id, action: 'oom', at: { epochMs: 1763780400123, subMsNs: 456789 } },
      { id, action: 'die', at: { epochMs: 1763780400125, subMsNs: 1 }, exitCode: 137 },
      { id: other, action: 'die', at: { epochMs: 1763780400200, subMsNs: 0 } },
    ]);
    expect(exitFromEvents(r.value, id)).toEqual({ atMs: 1763780400125, exitCode: 137, oomKilled: true });
    expect(exitFromEvents(r.value, other)).toEqual({ atMs: 1763780400200, oomKilled: false });
    expect(exitFromEvents(r.value, 'd'.repeat(64))).toBeUndefined();
  });

  it('an oom after the newest die belongs to a later run, not to this exit; the newest die wins', () => {
    const events = parseExitEvents(
      [line('die', '1763780400000000000', '{"exitCode":"1"}'), line('die', '1763780401000000000', '{"exitCode":"0"}'), line('oom', '1763780402000000000')].join('\n'),
    ).value;
    expect(exitFromEvents(events, id)).toEqual({ atMs: 1763780401000, exitCode: 0, oomKilled: false });
  });
});
