import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forEachInSlices, Slicer, sortInSlices } from '../../../src/api/chunked.js';

const never = (): AbortSignal => new AbortController().signal;

/** A stopwatch the test moves by hand. */
function fakeStopwatch(): { nowMs: () => number; advance: (ms: number) => void } {
  let t = 1000;
  return { nowMs: () => t, advance: (ms) => (t += ms) };
}

describe('Slicer', () => {
  it('says a slice is used up once its time budget has passed (looking at the clock every 16 items), and starts a new one after pause', async () => {
    const w = fakeStopwatch();
    const s = new Slicer({ maxMs: 2 }, never(), w.nowMs);
    for (let i = 1; i < 16; i++) expect(s.tick()).toBe(false);
    expect(s.tick()).toBe(false); // 16th item: looked, 0 ms passed
    w.advance(1.5);
    for (let i = 0; i < 16; i++) expect(s.tick()).toBe(false);
    w.advance(1);
    for (let i = 0; i < 15; i++) expect(s.tick()).toBe(false);
    expect(s.tick()).toBe(true); // 2.5 ms since the slice began
    await s.pause();
    expect(s.stats()).toEqual({ slices: 2, longestMs: 2.5 });
    for (let i = 0; i < 32; i++) expect(s.tick()).toBe(false);
    w.advance(3);
    // A multi-item step (a sorted run) always looks at the clock.
    expect(s.tick(5)).toBe(true);
  });

  it('also ends a slice after maxItems items; pause throws once the signal has aborted', async () => {
    const ac = new AbortController();
    const s = new Slicer({ maxMs: 1e9, maxItems: 3 }, ac.signal);
    expect([s.tick(), s.tick(), s.tick()]).toEqual([false, false, true]);
    await s.pause();
    expect(s.tick()).toBe(false);
    ac.abort();
    await expect(s.pause()).rejects.toThrow();
  });
});

describe('forEachInSlices', () => {
  it('visits every item of an array or an iterator in order, yielding to the event loop between slices', async () => {
    const seen: number[] = [];
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    await forEachInSlices(
      new Map(Array.from({ length: 1000 }, (_, i) => [i, i])).values(),
      new Slicer({ maxMs: 1e9, maxItems: 10 }, never()),
      (v) => {
        seen.push(v);
        // Each item takes a while, so the timer is due at every pause.
        const until = performance.now() + 0.02;
        while (performance.now() < until);
      },
    );
    clearInterval(timer);
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(ticks).toBeGreaterThan(0);
  });
});

describe('sortInSlices', () => {
  it('gives the order of a stable Array.prototype.sort, for any slice size and run length', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ k: fc.integer({ min: 0, max: 20 }), i: fc.nat() })),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        async (items, slice, run) => {
          const cmp = (a: { k: number }, b: { k: number }) => a.k - b.k;
          expect(await sortInSlices(items, cmp, new Slicer({ maxMs: 1e9, maxItems: slice }, never()), run)).toEqual([...items].sort(cmp));
        },
      ),
    );
  });

  it('lets other callbacks run between slices, and stops when aborted', async () => {
    const items = Array.from({ length: 10_000 }, (_, i) => (i * 7919) % 10_007);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const slicer = new Slicer({ maxMs: 1e9, maxItems: 100 }, never());
    const sorted = await sortInSlices(items, (a, b) => a - b, slicer);
    clearInterval(timer);
    expect(sorted).toEqual([...items].sort((a, b) => a - b));
    expect(ticks).toBeGreaterThan(0);
    // Runs of 256 (40 of them) then merges of 10,000 moves per level: well over 100 slices.
    expect(slicer.stats().slices).toBeGreaterThan(100);
    const ac = new AbortController();
    ac.abort();
    await expect(sortInSlices(items, (a, b) => a - b, new Slicer({ maxMs: 1e9, maxItems: 100 }, ac.signal))).rejects.toThrow();
    await expect(forEachInSlices(items, new Slicer({ maxMs: 1e9, maxItems: 100 }, ac.signal), () => undefined)).rejects.toThrow();
  });
});
