import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../../src/scheduler/index.js';

describe('backoffDelayMs', () => {
  const policy = { baseMs: 1000, maxMs: 30_000, jitter: 0.5 };
  it('doubles per attempt and jitters within [(1-j)·step, step] (worked example of the doc comment)', () => {
    expect(backoffDelayMs(3, policy, () => 0.25)).toBe(2500);
    expect(backoffDelayMs(1, policy, () => 0)).toBe(500);
    expect(backoffDelayMs(1, policy, () => 0.999999)).toBe(1000);
    expect(backoffDelayMs(2, { ...policy, jitter: 0 }, () => 0.7)).toBe(2000);
  });
  it('caps at maxMs and never returns Infinity or NaN', () => {
    expect(backoffDelayMs(1e9, { ...policy, jitter: 0 }, () => 0)).toBe(30_000);
    expect(backoffDelayMs(Number.NaN, { ...policy, jitter: 0 }, () => 0)).toBe(1000);
    expect(backoffDelayMs(0, { ...policy, jitter: 0 }, () => 0)).toBe(1000);
  });
});
