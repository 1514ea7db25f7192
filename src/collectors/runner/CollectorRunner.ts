import type { CollectError, CollectionResult } from '../../model/index.js';
import { RightsizeError, toError } from '../../errors/index.js';
import type { SampleSink } from '../../model/index.js';
import type { Logger } from '../../util/logger.js';
import type { Collector } from '../types.js';

/** How one target is polled. */
export interface RunnerTargetOptions {
  readonly collector: Collector;
  /** Period between the starts of two polls, ms. */
  readonly intervalMs: number;
  /** A poll that takes longer is abandoned and counted as an error, ms. MUST be ≤ intervalMs. */
  readonly timeoutMs: number;
}

export interface CollectorRunnerOptions {
  readonly targets: readonly RunnerTargetOptions[];
  readonly sink: SampleSink;
  readonly logger: Logger;
  /** Longest wait after repeated failures of one target, ms. @defaultValue 300000 */
  readonly backoffMaxMs?: number;
  /** Called after every poll (tests, `--once`). */
  readonly onPoll?: (target: string, result: PollOutcome) => void;
}

/** Counters per target, all monotonic except the `consecutiveFailures` and `last*` fields. */
export interface TargetStats {
  readonly target: string;
  readonly polls: number;
  readonly failedPolls: number;
  readonly skippedTicks: number;
  readonly documents: number;
  readonly itemErrors: number;
  readonly skipped: Readonly<Record<string, number>>;
  readonly consecutiveFailures: number;
  readonly lastError?: string;
  readonly lastPollMs?: number;
  readonly nextDelayMs: number;
}

/** The outcome of one poll of one target. */
export type PollOutcome =
  | { readonly ok: true; readonly result: CollectionResult; readonly durationMs: number }
  | { readonly ok: false; readonly error: RightsizeError | Error; readonly durationMs: number };

interface TargetState {
  readonly opts: RunnerTargetOptions;
  polls: number;
  failedPolls: number;
  skippedTicks: number;
  documents: number;
  itemErrors: number;
  skipped: Record<string, number>;
  consecutiveFailures: number;
  lastError?: string;
  lastPollMs?: number;
  nextDelayMs: number;
  timer?: NodeJS.Timeout;
  inFlight?: Promise<void>;
  /** The collector's own promise; outlives `inFlight` when a poll timed out. */
  pending?: Promise<unknown>;
}

/**
 * The one component that owns timers for collection. Per target it:
 * - polls every `intervalMs`, never overlapping (a tick while a poll is still running is skipped
 *   and counted);
 * - abandons a poll after `timeoutMs` (its AbortSignal fires) and counts it as failed;
 * - backs off exponentially per failing target (interval × 2^failures, capped at
 *   `backoffMaxMs`), so one dead endpoint never slows the others;
 * - writes samples to the sink and keeps counters for `/metrics`.
 * Errors never escape a timer: they are logged and counted.
 */
export class CollectorRunner {
  private readonly _targets: TargetState[];
  private readonly _sink: SampleSink;
  private readonly _logger: Logger;
  private readonly _backoffMaxMs: number;
  private readonly _onPoll: ((target: string, result: PollOutcome) => void) | undefined;
  private _started = false;
  private _shutdown = false;

  constructor(options: CollectorRunnerOptions) {
    for (const t of options.targets) {
      if (!(t.intervalMs > 0) || !(t.timeoutMs > 0)) throw new RangeError(`${t.collector.target}: intervalMs and timeoutMs must be > 0`);
      if (t.timeoutMs > t.intervalMs) throw new RangeError(`${t.collector.target}: timeoutMs (${t.timeoutMs}) must not exceed intervalMs (${t.intervalMs})`);
    }
    this._targets = options.targets.map((opts) => ({
      opts,
      polls: 0,
      failedPolls: 0,
      skippedTicks: 0,
      documents: 0,
      itemErrors: 0,
      skipped: {},
      consecutiveFailures: 0,
      nextDelayMs: opts.intervalMs,
    }));
    this._sink = options.sink;
    this._logger = options.logger;
    this._backoffMaxMs = options.backoffMaxMs ?? 300_000;
    this._onPoll = options.onPoll;
  }

  /** Starts polling every target now, then on its interval. Idempotent. */
  start(): void {
    if (this._started || this._shutdown) return;
    this._started = true;
    for (const state of this._targets) this._schedule(state, 0);
  }

  /** Polls every target once, concurrently, and resolves when all are done (used by `--once`). */
  async pollAllOnce(): Promise<void> {
    await Promise.all(this._targets.map((s) => this._pollGuarded(s)));
  }

  stats(): TargetStats[] {
    return this._targets.map((s) => ({
      target: s.opts.collector.target,
      polls: s.polls,
      failedPolls: s.failedPolls,
      skippedTicks: s.skippedTicks,
      documents: s.documents,
      itemErrors: s.itemErrors,
      skipped: { ...s.skipped },
      consecutiveFailures: s.consecutiveFailures,
      nextDelayMs: s.nextDelayMs,
      ...(s.lastError === undefined ? {} : { lastError: s.lastError }),
      ...(s.lastPollMs === undefined ? {} : { lastPollMs: s.lastPollMs }),
    }));
  }

  /** Stops the timers, waits for polls in flight, flushes the sink, closes collectors. Idempotent. */
  async shutdown(): Promise<void> {
    if (this._shutdown) {
      this._logger.debug('runner already shut down');
      return;
    }
    this._shutdown = true;
    for (const s of this._targets) if (s.timer) clearTimeout(s.timer);
    await Promise.allSettled(this._targets.map((s) => s.inFlight ?? Promise.resolve()));
    await Promise.allSettled(this._targets.map((s) => s.opts.collector.shutdown()));
  }

  private _schedule(state: TargetState, delayMs: number): void {
    if (this._shutdown) return;
    state.timer = setTimeout(() => {
      if (state.inFlight || state.pending) {
        // The previous poll is still running (it outlived its timeout): skip this tick.
        state.skippedTicks++;
        this._schedule(state, state.opts.intervalMs);
        return;
      }
      const startedAt = Date.now();
      void this._pollGuarded(state).then(() => {
        const elapsed = Date.now() - startedAt;
        this._schedule(state, Math.max(0, state.nextDelayMs - elapsed));
      });
    }, delayMs);
    state.timer.unref();
  }

  private _pollGuarded(state: TargetState): Promise<void> {
    if (state.inFlight) return state.inFlight;
    const run = this._poll(state).finally(() => {
      state.inFlight = undefined;
    });
    state.inFlight = run;
    return run;
  }

  private async _poll(state: TargetState): Promise<void> {
    const { collector, timeoutMs, intervalMs } = state.opts;
    const controller = new AbortController();
    const startedAt = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new RightsizeError('RS_ERR_COLLECT_TIMEOUT', `${collector.target}: poll exceeded ${timeoutMs} ms`, { meta: { target: collector.target } }));
      }, timeoutMs);
      timer.unref();
    });
    let outcome: PollOutcome;
    try {
      const pending = collector.collect(controller.signal);
      state.pending = pending;
      pending.then(
        () => (state.pending = undefined),
        () => (state.pending = undefined),
      );
      const result = await Promise.race([pending, timeout]);
      outcome = { ok: true, result, durationMs: Date.now() - startedAt };
    } catch (err) {
      outcome = { ok: false, error: err instanceof RightsizeError ? err : toError(err), durationMs: Date.now() - startedAt };
    } finally {
      if (timer) clearTimeout(timer);
    }
    state.polls++;
    state.lastPollMs = Date.now();
    if (outcome.ok) {
      const { samples, errors, skipped } = outcome.result;
      state.consecutiveFailures = 0;
      state.nextDelayMs = intervalMs;
      state.documents += samples.length;
      state.itemErrors += errors.length;
      for (const [reason, n] of Object.entries(skipped ?? {})) state.skipped[reason] = (state.skipped[reason] ?? 0) + n;
      if (samples.length > 0) this._sink.write(samples);
      for (const e of errors) this._logItemError(e);
    } else {
      state.failedPolls++;
      state.consecutiveFailures++;
      state.lastError = outcome.error.message;
      state.nextDelayMs = Math.min(this._backoffMaxMs, intervalMs * 2 ** state.consecutiveFailures);
      const code = outcome.error instanceof RightsizeError ? outcome.error.code : 'unknown';
      this._logger.warn(
        { target: collector.target, code, err: outcome.error.message, consecutiveFailures: state.consecutiveFailures, retryInMs: state.nextDelayMs },
        'poll failed',
      );
    }
    try {
      this._onPoll?.(collector.target, outcome);
    } catch (err) {
      this._logger.error({ err: toError(err).message }, 'onPoll callback threw');
    }
  }

  private _logItemError(e: CollectError): void {
    this._logger.warn({ target: e.target, code: e.code, subject: e.subject, err: e.message }, 'collection item error');
  }
}
