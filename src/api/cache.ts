import { workloadKey } from '../analysis/recommend/records.js';
import { toError, RightsizeError } from '../errors/index.js';
import type { RecommendationDoc, WorkloadKind } from '../model/index.js';
import type { ScheduledJob } from '../model/ports.js';
import { silentLogger, systemClock, type Clock, type Logger } from '../util/index.js';
import { PackedView, packRecommendations, type PackedSnapshot, type SortKey } from './packed.js';

/** One full read of the latest recommendations, handed over as documents (packed on this thread). */
export type LoadRecommendations = (signal: AbortSignal) => Promise<{ readonly docs: readonly RecommendationDoc[]; readonly skipped: number }>;

/** One reload's result: the packed snapshot and how it was made. */
export interface LoadedSnapshot {
  readonly snapshot: PackedSnapshot;
  /** Time spent packing (serializing, sorting, indexing), ms, wherever it ran. */
  readonly packMs: number;
  /** True when a worker thread read and packed it. */
  readonly inWorker: boolean;
}

/** Where a reload's snapshot comes from: a worker thread (serve's default), or this thread. */
export interface SnapshotSource {
  load(signal: AbortSignal): Promise<LoadedSnapshot>;
  /** Releases the worker, if any; idempotent. */
  close?(): Promise<void>;
}

/** A source that reads the documents with `load` and packs them on this thread (tests; `api.reloadInWorker: false`). */
export function inProcessSource(load: LoadRecommendations): SnapshotSource {
  return {
    load: async (signal) => {
      const { docs, skipped } = await load(signal);
      signal.throwIfAborted();
      const t0 = performance.now();
      const snapshot = packRecommendations(docs, skipped);
      return { snapshot, packMs: performance.now() - t0, inWorker: false };
    },
  };
}

export interface RecommendationCacheOptions {
  /** Reads the documents, packed on this thread; or give {@link source}. */
  readonly load?: LoadRecommendations;
  /** Where snapshots come from (wins over `load`). */
  readonly source?: SnapshotSource;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** A refresh that takes longer is abandoned (counted as a failure), ms. @defaultValue 60000 */
  readonly timeoutMs?: number;
}

/**
 * Recommendations per Elasticsearch page when the cache reloads (search_after pages; the worker
 * parses them, so a page's one `JSON.parse` no longer holds the server's event loop).
 */
export const RELOAD_PAGE_SIZE = 1000;

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
  /** How long the last successful refresh took, read and pack, ms. */
  readonly lastRefreshMs?: number;
  /** The last successful snapshot: pack time (ms), whether a worker made it, its size (bytes). */
  readonly lastBuild?: { readonly packMs: number; readonly inWorker: boolean; readonly bytes: number };
  readonly lastError?: { readonly code: string; readonly message: string; readonly atMs: number };
}

/** One cached recommendation and its JSON as stored in the snapshot. */
export interface CachedRecommendation {
  readonly doc: RecommendationDoc;
  readonly json: string;
}

export { SORT_KEYS, type SortKey } from './packed.js';

const EMPTY = new PackedView(packRecommendations([]));

/** `work`, or its signal's reason as soon as it aborts (a source that does not watch the signal cannot hold a refresh). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * The latest recommendations in memory, refreshed from Elasticsearch as a whole, so the
 * scheduler's question "what should job X get?" is answered without a round trip to the store.
 * A reload gets a new packed snapshot from its {@link SnapshotSource} (serve: a worker thread
 * reads and packs it, so the reload's garbage never reaches this thread's heap) and swaps it in
 * at once: a request sees the old or the new one. A failed refresh keeps what was loaded before,
 * counts the failure and records the error; answers then carry their age.
 */
export class RecommendationCache {
  private readonly _opts: RecommendationCacheOptions;
  private readonly _source: SnapshotSource;
  private readonly _clock: Clock;
  private readonly _logger: Logger;
  private _view: PackedView = EMPTY;
  private _loadedAtMs: number | undefined;
  private _refreshes = 0;
  private _failures = 0;
  private _lastRefreshMs: number | undefined;
  private _lastBuild: RecommendationCacheStatus['lastBuild'];
  private _lastError: RecommendationCacheStatus['lastError'];
  private _running: Promise<boolean> | undefined;
  private readonly _abort = new AbortController();

  constructor(opts: RecommendationCacheOptions) {
    this._opts = opts;
    const source = opts.source ?? (opts.load ? inProcessSource(opts.load) : undefined);
    if (source === undefined) throw new RightsizeError('RS_ERR_CONFIG_INVALID', 'RecommendationCache needs a source or a load function');
    this._source = source;
    this._clock = opts.clock ?? systemClock;
    this._logger = opts.logger ?? silentLogger();
  }

  /**
   * Reloads everything; resolves true on success, false on failure (never rejects). Concurrent
   * calls share one load. `signal` (a scheduler's timeout or stop) abandons it.
   */
  refresh(signal?: AbortSignal): Promise<boolean> {
    this._running ??= this._refresh(signal).finally(() => (this._running = undefined));
    return this._running;
  }

  /** The reload as a {@link ScheduledJob} for the `Scheduler` (a failed reload fails the run). */
  reloadJob(intervalMs: number): ScheduledJob {
    return {
      name: 'api-recommendation-cache',
      schedule: { everyMs: intervalMs },
      timeoutMs: this._opts.timeoutMs ?? 60_000,
      run: async (signal) => {
        if (!(await this.refresh(signal))) throw new RightsizeError('RS_ERR_STORE_UNAVAILABLE', `reload failed: ${this._lastError?.message ?? 'unknown'}`);
      },
    };
  }

  private async _refresh(outer: AbortSignal | undefined): Promise<boolean> {
    const startedMs = this._clock.nowMs();
    const signals = [AbortSignal.timeout(this._opts.timeoutMs ?? 60_000), this._abort.signal, ...(outer ? [outer] : [])];
    const signal = AbortSignal.any(signals);
    try {
      const { snapshot, packMs, inWorker } = await untilAborted(this._source.load(signal), signal);
      signal.throwIfAborted();
      // A dozen typed-array views over the shared buffer: the swap allocates next to nothing.
      this._view = new PackedView(snapshot);
      this._lastBuild = { packMs, inWorker, bytes: snapshot.layout.byteLength };
      this._loadedAtMs = this._clock.nowMs();
      this._lastRefreshMs = this._loadedAtMs - startedMs;
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

  /** Abandons a refresh in flight and releases the source (its worker); later refreshes fail at once. */
  async close(): Promise<void> {
    this._abort.abort();
    await this._running;
    await this._source.close?.();
  }

  /** The snapshot served now (replaced whole by each successful reload). */
  view(): PackedView {
    return this._view;
  }

  get(kind: WorkloadKind, key: string): RecommendationDoc | undefined {
    const v = this._view;
    const p = v.find(kind, key);
    return p < 0 ? undefined : v.doc(p);
  }

  /**
   * The recommendation a Jenkins job runs under: its own key, else (multibranch pull requests
   * sized as one workload, `analysis.splitBranchKind`) the `…/PR-*` workload it belongs to.
   */
  forJob(jobFullName: string): RecommendationDoc | undefined {
    return this.get('jenkins.job', jobFullName) ?? this.get('jenkins.job', workloadKey(jobFullName, true));
  }

  /**
   * Workloads of one kind in one order (biggest weekly savings first by default), each parsed
   * from the snapshot: for routes that need every document (labels, plan; memoize on
   * {@link generation}) and tests, not for a request path.
   */
  entries(kind: WorkloadKind, sort: SortKey = 'savings'): readonly CachedRecommendation[] {
    const v = this._view;
    const out: CachedRecommendation[] = [];
    v.scan(kind, sort, false, undefined, (p) => {
      const json = v.json(p);
      out.push({ json, doc: JSON.parse(json) as RecommendationDoc });
    });
    return out;
  }

  /** Workloads of one kind, biggest weekly savings first. */
  list(kind: WorkloadKind): readonly RecommendationDoc[] {
    return this.entries(kind).map((e) => e.doc);
  }

  /** Age of the data in ms (undefined before the first successful refresh). */
  ageMs(): number | undefined {
    return this._loadedAtMs === undefined ? undefined : Math.max(0, this._clock.nowMs() - this._loadedAtMs);
  }

  /** The newest recommendation's `@timestamp` (epoch ms): when `analyze` last wrote. */
  newestRecommendationMs(): number | undefined {
    return this._view.layout.newestMs;
  }

  /** An opaque value that changes with every successful reload (memoize derived answers on it). */
  generation(): number {
    return this._refreshes;
  }

  /** True when the most recent refresh failed (the data served is what an earlier one loaded). */
  lastRefreshFailed(): boolean {
    return this._lastError !== undefined && (this._loadedAtMs === undefined || this._lastError.atMs >= this._loadedAtMs);
  }

  status(): RecommendationCacheStatus {
    const size: Partial<Record<WorkloadKind, number>> = {};
    for (const k of this._view.layout.kinds) size[k.kind as WorkloadKind] = k.end - k.start;
    return {
      size,
      ...(this._loadedAtMs !== undefined ? { loadedAtMs: this._loadedAtMs } : {}),
      refreshes: this._refreshes,
      failures: this._failures,
      skipped: this._view.layout.skipped,
      ...(this._lastRefreshMs !== undefined ? { lastRefreshMs: this._lastRefreshMs } : {}),
      ...(this._lastBuild !== undefined ? { lastBuild: this._lastBuild } : {}),
      ...(this._lastError !== undefined ? { lastError: this._lastError } : {}),
    };
  }
}
