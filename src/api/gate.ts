/**
 * At most a few of the costly answers (list pages of up to 500 documents, the label plan) at once
 * (issue 15 probe a). Node answers on one thread: 200 concurrent list pages of ~260 KB each put
 * seconds of joining and socket writes into one event-loop turn, and a scheduler's job lookup
 * (a microsecond of work) waited behind them past its 10 s deadline. Gated, a turn holds at most
 * `maxActive` of them; the rest wait their turn (FIFO) and beyond `maxQueued` are refused at once
 * (503 `RS_ERR_API_BUSY`), so the waiting ones cannot hold every connection either.
 *
 * Pure: promises and counters, no timers or sockets (the route hook releases on the response's close).
 */

/**
 * A place taken in the gate: `ready` resolves `true` when the holder may run, `false` when it was
 * released while still waiting (it must not run); `release` frees the place (once).
 */
export interface GatePass {
  readonly ready: Promise<boolean>;
  readonly release: () => void;
}

export interface GateStats {
  readonly active: number;
  readonly queued: number;
  /** Refused because the queue was full. */
  readonly refused: number;
}

export class ConcurrencyGate {
  private _active = 0;
  private readonly _queue = new Set<() => void>();
  private _refused = 0;

  constructor(
    readonly maxActive: number,
    readonly maxQueued: number,
  ) {
    if (!Number.isInteger(maxActive) || maxActive < 1) throw new RangeError(`maxActive must be a positive integer, got ${maxActive}`);
    if (!Number.isInteger(maxQueued) || maxQueued < 0) throw new RangeError(`maxQueued must be a non-negative integer, got ${maxQueued}`);
  }

  /** A pass that is ready at once below `maxActive`, queued below `maxQueued` waiting, else `undefined` (refused). */
  enter(): GatePass | undefined {
    if (this._active < this.maxActive) {
      this._active++;
      return { ready: Promise.resolve(true), release: this._releaser() };
    }
    if (this._queue.size >= this.maxQueued) {
      this._refused++;
      return undefined;
    }
    let start!: (run: boolean) => void;
    const ready = new Promise<boolean>((resolve) => (start = resolve));
    let running = false;
    const wake = (): void => {
      running = true;
      start(true);
    };
    this._queue.add(wake);
    const releaseActive = this._releaser();
    return {
      ready,
      release: () => {
        if (running) releaseActive();
        else if (this._queue.delete(wake)) start(false); // left before its turn (the client went away)
      },
    };
  }

  stats(): GateStats {
    return { active: this._active, queued: this._queue.size, refused: this._refused };
  }

  private _releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this._queue.values().next();
      if (next.done === true) {
        this._active--;
        return;
      }
      // The slot passes straight to the oldest waiter.
      this._queue.delete(next.value);
      next.value();
    };
  }
}
