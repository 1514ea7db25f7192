/** Engine timestamps: nanosecond-exact parsing and formatting. */
import { describe, expect, it } from 'vitest';
import { formatDockerTimestamp, nsBetween, parseDockerTime } from '../../../../../src/collectors/docker/index.js';

describe('parseDockerTime', () => {
  it('keeps nanoseconds exactly and reads zone offsets', () => {
    const a = parseDockerTime('2026-11-22T03:00:00.000000001Z');
    const b = parseDockerTime('2026-11-22T04:00:01.5+01:00');
    expect(a).toEqual({ epochMs: Date.UTC(2026, 10, 22, 3), subMsNs: 1 });
    expect(b).toEqual({ epochMs: Date.UTC(2026, 10, 22, 3, 0, 1, 500), subMsNs: 0 });
    expect(nsBetween(a!, b!)).toBe(1_499_999_999);
  });

  it('Go zero time is "never"; garbage is undefined', () => {
    expect(parseDockerTime('0001-01-01T00:00:00Z')).toBeNull();
    for (const bad of ['', 'yesterday', '2026-13-01T00:00:00Z', '2026-11-22 03:00:00', 17, null, undefined, {}]) {
      expect(parseDockerTime(bad)).toBeUndefined();
    }
  });

  it('formats since/until as <seconds>.<nanoseconds>', () => {
    expect(formatDockerTimestamp({ epochMs: 1_795_318_260_057, subMsNs: 537_285 })).toBe('1795318260.057537285');
    expect(formatDockerTimestamp({ epochMs: 1_795_318_260_000, subMsNs: 5 })).toBe('1795318260.000000005');
  });
});
