import { describe, expect, it } from 'vitest';
import { firstInstant } from '../../support/alertTiming.js';

const above = (avg: number | undefined): boolean => avg !== undefined && avg > 0.9;
const notAbove = (avg: number | undefined): boolean => !above(avg);

describe('firstInstant (when a windowed avg condition starts and stops holding)', () => {
  // Values every 10 s: 0.85 at 0, 10, 20 s; 0.95 from 30 s to 150 s; 0.5 from 160 s. Window 60 s.
  const values = [
    ...[0, 10, 20].map((s) => ({ atMs: s * 1000, value: 0.85 })),
    ...Array.from({ length: 13 }, (_, i) => ({ atMs: (30 + i * 10) * 1000, value: 0.95 })),
    ...[160, 170, 180].map((s) => ({ atMs: s * 1000, value: 0.5 })),
  ];

  it('starts when enough high values outweigh the low ones still in the window', () => {
    // At 50 s the window (−10, 50] holds 0.85 ×3 and 0.95 ×3: avg 0.9, not above. At 60 s it holds
    // 0.85 ×2 (10, 20) and 0.95 ×4 (30..60): (1.7 + 3.8) / 6 = 0.9167 > 0.9.
    expect(firstInstant(values, 60_000, 30_000, above)).toBe(60_000);
  });

  it('stops when enough low values came in (a value on the window’s lower edge is out)', () => {
    // At 160 s: (100, 160] = 0.95 ×5 (110..150) + 0.5 → 5.25 / 6 = 0.875 ≤ 0.9.
    expect(firstInstant(values, 60_000, 150_000, notAbove)).toBe(160_000);
    // With a 120 s window, at 160 s: (40, 160] = 0.95 ×11 + 0.5 → 0.9125; at 170 s: 0.95 ×10 + 0.5 ×2 → 0.875.
    expect(firstInstant(values, 120_000, 150_000, notAbove)).toBe(170_000);
  });

  it('an empty window does not hold; from an instant with no change, that instant itself is examined', () => {
    expect(firstInstant([], 60_000, 0, above)).toBeUndefined();
    expect(firstInstant([{ atMs: 0, value: 1 }], 60_000, 5_000, above)).toBe(5_000);
    // The value leaves the window at exactly 60 s.
    expect(firstInstant([{ atMs: 0, value: 1 }], 60_000, 5_000, notAbove)).toBe(60_000);
  });
});
