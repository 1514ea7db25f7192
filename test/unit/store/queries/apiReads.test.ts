import { describe, expect, it } from 'vitest';
import { bucketCoveredMs, lastCompletePoint } from '../../../../src/store/queries/index.js';

describe('bucketCoveredMs', () => {
  it('the part of an aligned bucket inside [from, to): whole, the partial last and first, outside', () => {
    expect(bucketCoveredMs(60_000, 60_000, 0, 600_000)).toBe(60_000);
    expect(bucketCoveredMs(540_000, 60_000, 0, 555_000)).toBe(15_000);
    expect(bucketCoveredMs(0, 60_000, 45_000, 600_000)).toBe(15_000);
    expect(bucketCoveredMs(600_000, 60_000, 0, 600_000)).toBe(0);
  });
});

describe('lastCompletePoint', () => {
  const series = [
    { t: 0, cpus_used: 2 },
    { t: 60_000, cpus_used: 3 },
    { t: 120_000, cpus_used: 0.5 },
  ];
  it('skips the bucket still filling at `to`', () => {
    expect(lastCompletePoint(series, 'cpus_used', 60_000, 130_000)).toEqual({ t: 60_000, cpus_used: 3 });
    expect(lastCompletePoint(series, 'cpus_used', 60_000, 180_000)).toEqual({ t: 120_000, cpus_used: 0.5 });
  });
  it('skips points without the value; the newest with it when no bucket is complete; none when none has it', () => {
    expect(lastCompletePoint([{ t: 0, cpus_used: 2 }, { t: 60_000 }] as Array<{ t: number; cpus_used?: number }>, 'cpus_used', 60_000, 200_000)).toEqual({ t: 0, cpus_used: 2 });
    expect(lastCompletePoint([{ t: 0, cpus_used: 2 }], 'cpus_used', 60_000, 30_000)).toEqual({ t: 0, cpus_used: 2 });
    expect(lastCompletePoint([{ t: 0 }] as Array<{ t: number; cpus_used?: number }>, 'cpus_used', 60_000, 120_000)).toBeUndefined();
  });
});
