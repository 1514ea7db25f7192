import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forEachInSlices, sortInSlices } from '../../../src/api/chunked.js';

describe('sortInSlices', () => {
  it('gives the order of a stable Array.prototype.sort, for any slice size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ k: fc.integer({ min: 0, max: 20 }), i: fc.nat() })), fc.integer({ min: 1, max: 9 }), async (items, slice) => {
        const cmp = (a: { k: number }, b: { k: number }) => a.k - b.k;
        expect(await sortInSlices(items, cmp, slice, new AbortController().signal)).toEqual([...items].sort(cmp));
      }),
    );
  });

  it('lets other callbacks run between slices, and stops when aborted', async () => {
    const items = Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 10_007);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const sorted = await sortInSlices(items, (a, b) => a - b, 100, new AbortController().signal);
    clearInterval(timer);
    expect(sorted).toEqual([...items].sort((a, b) => a - b));
    expect(ticks).toBeGreaterThan(0);
    const ac = new AbortController();
    ac.abort();
    await expect(sortInSlices(items, (a, b) => a - b, 100, ac.signal)).rejects.toThrow();
    await expect(forEachInSlices(items, 100, ac.signal, () => undefined)).rejects.toThrow();
  });
});
