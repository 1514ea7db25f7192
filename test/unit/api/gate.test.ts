import { describe, expect, it } from 'vitest';
import { ConcurrencyGate } from '../../../src/api/gate.js';

/** Whether `p` has settled after the pending promise callbacks ran, and with what. */
async function settled<T>(p: Promise<T>): Promise<{ done: boolean; value?: T }> {
  let out: { done: boolean; value?: T } = { done: false };
  void p.then((value) => (out = { done: true, value }));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return out;
}

describe('ConcurrencyGate', () => {
  it('lets maxActive run at once, queues the next ones in arrival order, refuses beyond maxQueued', async () => {
    const g = new ConcurrencyGate(2, 2);
    const a = g.enter()!;
    const b = g.enter()!;
    const c = g.enter()!;
    const d = g.enter()!;
    expect(g.enter()).toBeUndefined();
    expect(g.stats()).toEqual({ active: 2, queued: 2, refused: 1 });
    expect(await settled(a.ready)).toEqual({ done: true, value: true });
    expect(await settled(b.ready)).toEqual({ done: true, value: true });
    expect((await settled(c.ready)).done).toBe(false);
    b.release();
    // c (first in) gets b's place; d still waits.
    expect(await settled(c.ready)).toEqual({ done: true, value: true });
    expect((await settled(d.ready)).done).toBe(false);
    expect(g.stats()).toEqual({ active: 2, queued: 1, refused: 1 });
    a.release();
    c.release();
    d.release();
    expect(g.stats()).toEqual({ active: 0, queued: 0, refused: 1 });
  });

  it('a pass released while waiting leaves the queue, resolves false and gives no place away', async () => {
    const g = new ConcurrencyGate(1, 5);
    const a = g.enter()!;
    const gone = g.enter()!;
    const c = g.enter()!;
    gone.release(); // its client went away
    expect(await settled(gone.ready)).toEqual({ done: true, value: false });
    expect(g.stats()).toEqual({ active: 1, queued: 1, refused: 0 });
    a.release();
    expect(await settled(c.ready)).toEqual({ done: true, value: true });
    expect(g.stats()).toEqual({ active: 1, queued: 0, refused: 0 });
  });

  it('a second release of the same pass frees nothing more', () => {
    const g = new ConcurrencyGate(1, 1);
    const a = g.enter()!;
    const b = g.enter()!;
    a.release();
    a.release();
    expect(g.stats()).toEqual({ active: 1, queued: 0, refused: 0 });
    b.release();
    b.release();
    expect(g.stats()).toEqual({ active: 0, queued: 0, refused: 0 });
  });

  it('with maxQueued 0 refuses at once when full', () => {
    const g = new ConcurrencyGate(1, 0);
    expect(g.enter()).toBeDefined();
    expect(g.enter()).toBeUndefined();
  });

  it('rejects limits that are not integers in range', () => {
    expect(() => new ConcurrencyGate(0, 1)).toThrow(RangeError);
    expect(() => new ConcurrencyGate(1, -1)).toThrow(RangeError);
  });
});
