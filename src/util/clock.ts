/** An injected clock: pure code takes `now` from here, never from `Date.now()` directly. */
export interface Clock {
  /** Epoch milliseconds. */
  nowMs(): number;
}

/** The wall clock. */
export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock for tests and replays that moves only when told to. */
export class ManualClock implements Clock {
  private _nowMs: number;
  constructor(startMs = 0) {
    this._nowMs = startMs;
  }
  nowMs(): number {
    return this._nowMs;
  }
  advance(ms: number): void {
    this._nowMs += ms;
  }
  set(ms: number): void {
    this._nowMs = ms;
  }
}
