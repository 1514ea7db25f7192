import { describe, expect, it } from 'vitest';
import { SeqQueue, type BufferedDoc } from '../../../src/store/index.js';

const doc = (seq: number, bytes = 10): BufferedDoc => ({ seq, writtenMs: seq, index: 'i', id: String(seq), line: 'x', bytes, attempts: 0 });
const drain = (q: SeqQueue): number[] => {
  const out: number[] = [];
  for (let d = q.shift(); d !== undefined; d = q.shift()) out.push(d.seq);
  return out;
};

describe('SeqQueue', () => {
  it('is FIFO and tracks bytes', () => {
    const q = new SeqQueue();
    for (let i = 1; i <= 5; i++) q.push(doc(i, i));
    expect(q.length).toBe(5);
    expect(q.bytes).toBe(15);
    expect(q.shift()?.seq).toBe(1);
    expect(q.bytes).toBe(14);
    expect(drain(q)).toEqual([2, 3, 4, 5]);
    expect(q.bytes).toBe(0);
  });

  it('puts a failed batch back in front, and merges batches that failed out of order', () => {
    const q = new SeqQueue();
    for (let i = 1; i <= 9; i++) q.push(doc(i));
    const a = [q.shift()!, q.shift()!, q.shift()!]; // 1..3
    const b = [q.shift()!, q.shift()!]; // 4..5
    q.push(doc(10));
    q.prepend(b); // b failed first
    q.prepend(a);
    expect(q.bytes).toBe(100);
    expect(drain(q)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // a batch newer than the head is merged into place
    q.push(doc(3));
    q.push(doc(7));
    q.prepend([doc(5), doc(9)]);
    expect(drain(q)).toEqual([3, 5, 7, 9]);
  });

  it('stays correct across internal compaction', () => {
    const q = new SeqQueue();
    for (let i = 1; i <= 10_000; i++) q.push(doc(i, 1));
    for (let i = 1; i <= 6000; i++) q.shift();
    q.prepend([doc(5999, 1), doc(6000, 1)]);
    expect(q.length).toBe(4002);
    expect(q.peek()?.seq).toBe(5999);
    const rest = drain(q);
    expect(rest[0]).toBe(5999);
    expect(rest[rest.length - 1]).toBe(10_000);
    expect(rest.length).toBe(4002);
  });
});
