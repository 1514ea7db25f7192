/**
 * Work on large arrays that gives the event loop back every `sliceSize` steps, so a reload of
 * 130,000 recommendations never holds up a request for more than a slice (measured in
 * bench/api-jobs-load.ts).
 */

/** Resolves on the next turn of the event loop, after pending I/O callbacks. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Calls `fn` on every item, pausing after each `sliceSize` items; stops when `signal` aborts. */
export async function forEachInSlices<T>(items: readonly T[], sliceSize: number, signal: AbortSignal, fn: (item: T) => void): Promise<void> {
  for (let i = 0; i < items.length; i++) {
    fn(items[i] as T);
    if ((i + 1) % sliceSize === 0) {
      await yieldToEventLoop();
      signal.throwIfAborted();
    }
  }
}

async function merge<T>(a: readonly T[], b: readonly T[], cmp: (x: T, y: T) => number, sliceSize: number, signal: AbortSignal): Promise<T[]> {
  const out: T[] = new Array<T>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    // `<= 0` takes from the left run first: the sort is stable.
    out[k++] = cmp(a[i] as T, b[j] as T) <= 0 ? (a[i++] as T) : (b[j++] as T);
    if (k % sliceSize === 0) {
      await yieldToEventLoop();
      signal.throwIfAborted();
    }
  }
  while (i < a.length) out[k++] = a[i++] as T;
  while (j < b.length) out[k++] = b[j++] as T;
  return out;
}

/**
 * A stable merge sort that pauses every `sliceSize` element moves: runs of `sliceSize` are sorted
 * with `Array.prototype.sort`, then merged pairwise. Same order as a stable `sort(cmp)`.
 */
export async function sortInSlices<T>(items: readonly T[], cmp: (x: T, y: T) => number, sliceSize: number, signal: AbortSignal): Promise<T[]> {
  let runs: T[][] = [];
  for (let i = 0; i < items.length; i += sliceSize) {
    runs.push(items.slice(i, i + sliceSize).sort(cmp));
    await yieldToEventLoop();
    signal.throwIfAborted();
  }
  while (runs.length > 1) {
    const next: T[][] = [];
    for (let r = 0; r < runs.length; r += 2) {
      const left = runs[r] as T[];
      const right = runs[r + 1];
      next.push(right === undefined ? left : await merge(left, right, cmp, sliceSize, signal));
    }
    runs = next;
  }
  return runs[0] ?? [];
}
