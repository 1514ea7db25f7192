/**
 * Work on large arrays that gives the event loop back whenever a slice of work has used its time
 * budget, so a reload of 130,000 recommendations never holds up a request for more than a slice
 * (measured in bench/api-jobs-load.ts: count-based slices of 2,000 documents held the loop for
 * 10–30 ms each on a shared machine; a time budget bounds the hold whatever one item costs).
 */

/** Resolves on the next turn of the event loop, after pending I/O callbacks. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** How much synchronous work one slice may do before it yields. */
export interface SliceBudget {
  /** Time a slice may take, ms (checked every few items, so a slice ends shortly after). */
  readonly maxMs: number;
  /** Items a slice may take at most (tests use it to force many slices). */
  readonly maxItems?: number;
}

/** Items done between two looks at the clock (a look costs about as much as a cheap item). */
const CHECK_EVERY = 16;

/**
 * Counts units of work and says when the current slice is used up; `pause` then yields to the
 * event loop and starts the next slice. One slicer is shared by every phase of one job, so the
 * budget holds across them. `nowMs` is a monotonic stopwatch (not the wall clock), injected for tests.
 */
export class Slicer {
  private _items = 0;
  private _startMs: number;
  private _slices = 1;
  private _longestMs = 0;

  constructor(
    private readonly _budget: SliceBudget,
    private readonly _signal: AbortSignal,
    private readonly _nowMs: () => number = () => performance.now(),
  ) {
    this._startMs = _nowMs();
  }

  /** Counts `n` units of work; true when the slice is used up (the caller then awaits {@link pause}). */
  tick(n = 1): boolean {
    this._items += n;
    if (this._budget.maxItems !== undefined && this._items >= this._budget.maxItems) return true;
    if (n === 1 && this._items % CHECK_EVERY !== 0) return false;
    return this._nowMs() - this._startMs >= this._budget.maxMs;
  }

  /** Yields to the event loop, then starts a new slice; throws when the signal has aborted. */
  async pause(): Promise<void> {
    this._longestMs = Math.max(this._longestMs, this._nowMs() - this._startMs);
    await yieldToEventLoop();
    this._signal.throwIfAborted();
    this._items = 0;
    this._slices++;
    this._startMs = this._nowMs();
  }

  /** Slices so far and the longest one that ended in a pause, ms (what a reload held the loop for). */
  stats(): { readonly slices: number; readonly longestMs: number } {
    return { slices: this._slices, longestMs: Math.max(this._longestMs, this._nowMs() - this._startMs) };
  }
}

/** Calls `fn` on every item, pausing whenever the slice is used up. */
export async function forEachInSlices<T>(items: Iterable<T>, slicer: Slicer, fn: (item: T) => void): Promise<void> {
  for (const item of items) {
    fn(item);
    if (slicer.tick()) await slicer.pause();
  }
}

async function merge<T>(a: readonly T[], b: readonly T[], cmp: (x: T, y: T) => number, slicer: Slicer): Promise<T[]> {
  const out: T[] = new Array<T>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    // `<= 0` takes from the left run first: the sort is stable.
    out[k++] = cmp(a[i] as T, b[j] as T) <= 0 ? (a[i++] as T) : (b[j++] as T);
    if (slicer.tick()) await slicer.pause();
  }
  while (i < a.length) out[k++] = a[i++] as T;
  while (j < b.length) out[k++] = b[j++] as T;
  return out;
}

/**
 * Longest run `Array.prototype.sort` sorts at once: the one step a slice cannot interrupt
 * (256 items with a collator comparison take about 1 ms).
 */
export const SORT_RUN = 256;

/**
 * A stable merge sort that pauses when the slice is used up: runs of `runLength` are sorted with
 * `Array.prototype.sort`, then merged pairwise. Same order as a stable `sort(cmp)`.
 */
export async function sortInSlices<T>(items: readonly T[], cmp: (x: T, y: T) => number, slicer: Slicer, runLength = SORT_RUN): Promise<T[]> {
  const run = Math.max(1, runLength);
  let runs: T[][] = [];
  for (let i = 0; i < items.length; i += run) {
    runs.push(items.slice(i, i + run).sort(cmp));
    // A run's sort counts as many items as it holds.
    if (slicer.tick(Math.min(run, items.length - i))) await slicer.pause();
  }
  while (runs.length > 1) {
    const next: T[][] = [];
    for (let r = 0; r < runs.length; r += 2) {
      const left = runs[r] as T[];
      const right = runs[r + 1];
      next.push(right === undefined ? left : await merge(left, right, cmp, slicer));
    }
    runs = next;
  }
  return runs[0] ?? [];
}
