import { sortBySavings } from '../analysis/format.js';
import { workloadKey } from '../analysis/recommend/records.js';
import { toError, RightsizeError } from '../errors/index.js';
import type { RecommendationDoc, WorkloadKind } from '../model/index.js';
import { silentLogger, systemClock, type Clock, type Logger } from '../util/index.js';

/** One full read of the latest recommendations (the store shell: `latestRecommendationPages`). */
export type LoadRecommendations = (signal: AbortSignal) => Promise<{ readonly docs: readonly RecommendationDoc[]; readonly skipped: number }>;

export interface RecommendationCacheOptions {
  readonly load: LoadRecommendations;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** A refresh that takes longer is abandoned (counted as a failure), ms. @defaultValue 60000 */
  readonly timeoutMs?: number;
}

/** What the cache holds and how its refreshes went; counters are monotonic. */
export interface RecommendationCacheStatus {
  /** Workloads held, by kind. */
  readonly size: Readonly<Partial<Record<WorkloadKind, number>>>;
  /** When the last successful refresh finished (epoch ms); absent before the first. */
  readonly loadedAtMs?: number;
  readonly refreshes: number;
  readonly failures: number;
  /** Documents without a workload kind and key, left out (last refresh). */
  readonly skipped: number;
  readonly lastError?: { readonly code: string; readonly message: string; readonly atMs: number };
}

/**
 * The latest recommendations in memory, refreshed from Elasticsearch as a whole (a few
 * thousand small documents; one read every `intervalMs`), so the scheduler's question "what
 * should job X get?" is answered without a round trip to the store. A failed refresh keeps what
 * was loaded before, counts the failure and records the error; answers then carry their age.
 */
export class RecommendationCache {
  private readonly _opts: RecommendationCacheOptions;
  private readonly _clock: Clock;
  private readonly _logger: Logger;
  private _byKind = new Map<WorkloadKind, Map<string, RecommendationDoc>>();
  private _sorted = new Map<WorkloadKind, readonly RecommendationDoc[]>();
  private _loadedAtMs: number | undefined;
  private _refreshes = 0;
  private _failures = 0;
  private _skipped = 0;
  private _lastError: RecommendationCacheStatus['lastError'];
  private _running: Promise<boolean> | undefined;
  private _timer: NodeJS.Timeout | undefined;
  private _closed = false;
  private readonly _abort = new AbortController();

  constructor(opts: RecommendationCacheOptions) {
    this._opts = opts;
    this._clock = opts.clock ?? systemClock;
    this._logger = opts.logger ?? silentLogger();
  }

  /** Reloads everything; resolves true on success, false on failure (never rejects). Concurrent calls share one load. */
  refresh(): Promise<boolean> {
    this._running ??= this._refresh().finally(() => (this._running = undefined));
    return this._running;
  }

  private async _refresh(): Promise<boolean> {
    const timeout = AbortSignal.timeout(this._opts.timeoutMs ?? 60_000);
    const signal = AbortSignal.any([timeout, this._abort.signal]);
    try {
      const { docs, skipped } = await this._opts.load(signal);
      signal.throwIfAborted();
      const byKind = new Map<WorkloadKind, Map<string, RecommendationDoc>>();
      for (const d of docs) {
        let m = byKind.get(d.workload.kind);
        if (!m) byKind.set(d.workload.kind, (m = new Map<string, RecommendationDoc>()));
        m.set(d.workload.key, d);
      }
      this._byKind = byKind;
      this._sorted = new Map([...byKind].map(([k, m]) => [k, sortBySavings([...m.values()])]));
      this._skipped = skipped;
      this._loadedAtMs = this._clock.nowMs();
      this._refreshes++;
      return true;
    } catch (err) {
      this._failures++;
      const e = toError(err);
      this._lastError = { code: err instanceof RightsizeError ? err.code : e.name, message: e.message, atMs: this._clock.nowMs() };
      this._logger.warn({ err: e }, 'recommendation cache refresh failed; serving the previous load');
      return false;
    }
  }

  /** Refreshes now, then every `intervalMs` after the previous refresh ended (no overlap). */
  start(intervalMs: number): Promise<boolean> {
    const schedule = (): void => {
      if (!this._closed) this._timer = setTimeout(() => void this.refresh().then(schedule), intervalMs);
    };
    const first = this.refresh();
    void first.then(schedule);
    return first;
  }

  /** Stops the refresh loop and abandons a refresh in flight. */
  async close(): Promise<void> {
    this._closed = true;
    if (this._timer) clearTimeout(this._timer);
    this._abort.abort();
    await this._running;
  }

  get(kind: WorkloadKind, key: string): RecommendationDoc | undefined {
    return this._byKind.get(kind)?.get(key);
  }

  /**
   * The recommendation a Jenkins job runs under: its own key, else (multibranch pull requests
   * sized as one workload, `analysis.splitBranchKind`) the `…/PR-*` workload it belongs to.
   */
  forJob(jobFullName: string): RecommendationDoc | undefined {
    return this.get('jenkins.job', jobFullName) ?? this.get('jenkins.job', workloadKey(jobFullName, true));
  }

  /** Workloads of one kind, biggest weekly savings first. */
  list(kind: WorkloadKind): readonly RecommendationDoc[] {
    return this._sorted.get(kind) ?? [];
  }

  /** Age of the data in ms (undefined before the first successful refresh). */
  ageMs(): number | undefined {
    return this._loadedAtMs === undefined ? undefined : Math.max(0, this._clock.nowMs() - this._loadedAtMs);
  }

  status(): RecommendationCacheStatus {
    const size: Partial<Record<WorkloadKind, number>> = {};
    for (const [k, m] of this._byKind) size[k] = m.size;
    return {
      size,
      ...(this._loadedAtMs !== undefined ? { loadedAtMs: this._loadedAtMs } : {}),
      refreshes: this._refreshes,
      failures: this._failures,
      skipped: this._skipped,
      ...(this._lastError !== undefined ? { lastError: this._lastError } : {}),
    };
  }
}
