import { workloadKey } from '../analysis/recommend/records.js';
import { toError, RightsizeError } from '../errors/index.js';
import type { RecommendationDoc, WorkloadKind } from '../model/index.js';
import type { ScheduledJob } from '../model/ports.js';
import { silentLogger, systemClock, type Clock, type Logger } from '../util/index.js';
import { forEachInSlices, Slicer, sortInSlices, type SliceBudget } from './chunked.js';

/** One full read of the latest recommendations (the store shell: `latestRecommendationPages`). */
export type LoadRecommendations = (signal: AbortSignal) => Promise<{ readonly docs: readonly RecommendationDoc[]; readonly skipped: number }>;

export interface RecommendationCacheOptions {
  readonly load: LoadRecommendations;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** A refresh that takes longer is abandoned (counted as a failure), ms. @defaultValue 60000 */
  readonly timeoutMs?: number;
  /** How long the index build may hold the event loop before it yields. @defaultValue {@link RELOAD_SLICE} */
  readonly slice?: SliceBudget;
  /** A monotonic stopwatch for the slices, ms (tests inject one). @defaultValue performance.now */
  readonly stopwatchMs?: () => number;
}

/**
 * A reload's slices of synchronous work last about this long: a request that arrives during a
 * reload waits at most about this (the goal is p99 ≤ 10 ms, bench/api-jobs-load.ts).
 */
export const RELOAD_SLICE: SliceBudget = { maxMs: 2 };

/**
 * Recommendations per Elasticsearch page when the cache reloads: one page's response is parsed by
 * one `JSON.parse` that cannot yield, about 0.7 kB a document (1,000 took 6 ms unloaded and over
 * 20 ms on the shared 2-core machine; 250 keep the parse near the slice budget).
 */
export const RELOAD_PAGE_SIZE = 250;

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
  /** How long the last successful refresh took, load and index build, ms. */
  readonly lastRefreshMs?: number;
  /** The index build of the last successful refresh: slices of work and the longest (event-loop hold, ms). */
  readonly lastBuild?: { readonly slices: number; readonly longestSliceMs: number };
  readonly lastError?: { readonly code: string; readonly message: string; readonly atMs: number };
}

/** One cached recommendation and its JSON, serialized at most once per reload (the list route joins these). */
export interface CachedRecommendation {
  readonly doc: RecommendationDoc;
  readonly json: string;
}

/**
 * An entry of the index. Its JSON is made on first use (a list page), not at reload: serializing
 * 130,000 documents per reload cost more than the rest of the build and most are never listed.
 * `nameRank` is the entry's place in name order, set during the build so that the savings orders
 * break ties with a number instead of a collator call.
 */
class Entry implements CachedRecommendation {
  private _json: string | undefined;
  nameRank = 0;
  constructor(readonly doc: RecommendationDoc) {}
  get json(): string {
    return (this._json ??= JSON.stringify(this.doc));
  }
}

/** The orders the list route offers; each is computed once per reload, never per request. */
export const SORT_KEYS = ['savings', 'memory_savings', 'name'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

interface Snapshot {
  /** The newest `@timestamp` of the documents (epoch ms), when any parses. */
  readonly newestMs?: number;
  readonly byKind: ReadonlyMap<WorkloadKind, ReadonlyMap<string, CachedRecommendation>>;
  readonly sorted: ReadonlyMap<WorkloadKind, Readonly<Record<SortKey, readonly CachedRecommendation[]>>>;
}

const EMPTY: Snapshot = { byKind: new Map(), sorted: new Map() };
const collator = new Intl.Collator();
const cpuSaved = (e: Entry): number => e.doc.savings?.cpu_core_hours_per_week ?? 0;
const memSaved = (e: Entry): number => e.doc.savings?.memory_gib_hours_per_week ?? 0;
const byName = (a: Entry, b: Entry): number => collator.compare(a.doc.workload.key, b.doc.workload.key);
/** The same orders as `sortBySavings` (analysis/format): core-hours, then GiB-hours, then key (its rank in name order). */
const BY_SAVINGS: Record<Exclude<SortKey, 'name'>, (a: Entry, b: Entry) => number> = {
  savings: (a, b) => cpuSaved(b) - cpuSaved(a) || memSaved(b) - memSaved(a) || a.nameRank - b.nameRank,
  memory_savings: (a, b) => memSaved(b) - memSaved(a) || cpuSaved(b) - cpuSaved(a) || a.nameRank - b.nameRank,
};

/**
 * The latest recommendations in memory, refreshed from Elasticsearch as a whole, so the
 * scheduler's question "what should job X get?" is answered without a round trip to the store.
 * A reload builds a new snapshot off the hot path (indexing, serializing and sorting in slices
 * that yield to the event loop) and swaps it in at once. A failed refresh keeps what was loaded
 * before, counts the failure and records the error; answers then carry their age.
 */
export class RecommendationCache {
  private readonly _opts: RecommendationCacheOptions;
  private readonly _clock: Clock;
  private readonly _logger: Logger;
  private readonly _slice: SliceBudget;
  private readonly _stopwatchMs: (() => number) | undefined;
  private _snap: Snapshot = EMPTY;
  private _loadedAtMs: number | undefined;
  private _refreshes = 0;
  private _failures = 0;
  private _skipped = 0;
  private _lastRefreshMs: number | undefined;
  private _lastBuild: RecommendationCacheStatus['lastBuild'];
  private _lastError: RecommendationCacheStatus['lastError'];
  private _running: Promise<boolean> | undefined;
  private readonly _abort = new AbortController();

  constructor(opts: RecommendationCacheOptions) {
    this._opts = opts;
    this._clock = opts.clock ?? systemClock;
    this._logger = opts.logger ?? silentLogger();
    this._slice = opts.slice ?? RELOAD_SLICE;
    this._stopwatchMs = opts.stopwatchMs;
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
      const { docs, skipped } = await this._opts.load(signal);
      signal.throwIfAborted();
      const slicer = new Slicer(this._slice, signal, ...(this._stopwatchMs ? [this._stopwatchMs] : []));
      // The new index is built aside and swapped in whole: a request sees the old or the new one.
      this._snap = await this._build(docs, slicer);
      const { slices, longestMs } = slicer.stats();
      this._lastBuild = { slices, longestSliceMs: longestMs };
      this._skipped = skipped;
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

  private async _build(docs: readonly RecommendationDoc[], slicer: Slicer): Promise<Snapshot> {
    const byKind = new Map<WorkloadKind, Map<string, Entry>>();
    let newestMs: number | undefined;
    await forEachInSlices(docs, slicer, (d) => {
      const t = Date.parse(d['@timestamp']);
      if (Number.isFinite(t) && (newestMs === undefined || t > newestMs)) newestMs = t;
      let m = byKind.get(d.workload.kind);
      if (!m) byKind.set(d.workload.kind, (m = new Map<string, Entry>()));
      m.set(d.workload.key, new Entry(d));
    });
    const sorted = new Map<WorkloadKind, Record<SortKey, readonly CachedRecommendation[]>>();
    for (const [kind, m] of byKind) {
      const entries: Entry[] = [];
      await forEachInSlices(m.values(), slicer, (e) => entries.push(e));
      // Name order first (the only collator sort); its ranks break the savings orders' ties.
      const name = await sortInSlices(entries, byName, slicer);
      let rank = 0;
      await forEachInSlices(name, slicer, (e) => (e.nameRank = rank++));
      sorted.set(kind, {
        name,
        savings: await sortInSlices(entries, BY_SAVINGS.savings, slicer),
        memory_savings: await sortInSlices(entries, BY_SAVINGS.memory_savings, slicer),
      });
    }
    return { byKind, sorted, ...(newestMs !== undefined ? { newestMs } : {}) };
  }

  /** Abandons a refresh in flight; later refreshes fail at once. */
  async close(): Promise<void> {
    this._abort.abort();
    await this._running;
  }

  get(kind: WorkloadKind, key: string): RecommendationDoc | undefined {
    return this._snap.byKind.get(kind)?.get(key)?.doc;
  }

  /**
   * The recommendation a Jenkins job runs under: its own key, else (multibranch pull requests
   * sized as one workload, `analysis.splitBranchKind`) the `…/PR-*` workload it belongs to.
   */
  forJob(jobFullName: string): RecommendationDoc | undefined {
    return this.get('jenkins.job', jobFullName) ?? this.get('jenkins.job', workloadKey(jobFullName, true));
  }

  /** Workloads of one kind in one order (biggest weekly savings first by default), with their JSON. */
  entries(kind: WorkloadKind, sort: SortKey = 'savings'): readonly CachedRecommendation[] {
    return this._snap.sorted.get(kind)?.[sort] ?? [];
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
    return this._snap.newestMs;
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
    for (const [k, m] of this._snap.byKind) size[k] = m.size;
    return {
      size,
      ...(this._loadedAtMs !== undefined ? { loadedAtMs: this._loadedAtMs } : {}),
      refreshes: this._refreshes,
      failures: this._failures,
      skipped: this._skipped,
      ...(this._lastRefreshMs !== undefined ? { lastRefreshMs: this._lastRefreshMs } : {}),
      ...(this._lastBuild !== undefined ? { lastBuild: this._lastBuild } : {}),
      ...(this._lastError !== undefined ? { lastError: this._lastError } : {}),
    };
  }
}
