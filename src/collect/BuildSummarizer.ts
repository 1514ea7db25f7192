import { buildNode, summarizeBuild, type BuildSpan, type FinishedBuildInfo, type TaskRequest } from '../analysis/builds/index.js';
import { RightsizeError, toError } from '../errors/index.js';
import type { BuildDoc, BuildSummarizerStats, BuildUsageAggregation, Sample, SampleSink } from '../model/index.js';
import { backoffDelayMs } from '../scheduler/index.js';
import { isRetryableStoreCode } from '../store/index.js';
import type { BuildUsageQuery } from '../store/queries/index.js';
import { silentLogger, systemClock, type Clock, type Logger } from '../util/index.js';
import type { PendingBuildRecord, PendingBuildState } from './PendingBuildsFile.js';

export type { BuildSummarizerStats } from '../model/index.js';

/** Options of {@link BuildSummarizer}. */
export interface BuildSummarizerOptions {
  /** Runs the usage aggregation of one build (`searchBuildUsage` bound to the process's client). */
  readonly search: (query: BuildUsageQuery, signal: AbortSignal) => Promise<BuildUsageAggregation>;
  /** Where the `builds` documents go (`kind: 'build'`). */
  readonly sink: SampleSink;
  /** Index prefix (`elasticsearch.indexPrefix`). */
  readonly prefix: string;
  /**
   * Wait after a build's end before summarizing it, ms: MUST cover one container poll interval
   * (the reading after the end), the sink's flush interval and the containers index's refresh
   * interval (5 s), so the build's last readings are searchable.
   */
  readonly graceMs: number;
  /** The longest container poll interval (Docker, Mesos agents), ms: readings this long after the end still count. */
  readonly pollIntervalMs: number;
  /** The leading Mesos master's active tasks by id (`MesosMasterCollector.latestState().tasks`). */
  readonly tasks?: () => ReadonlyMap<string, { readonly request: TaskRequest }> | undefined;
  /**
   * The ended tasks the master still lists (`latestState().completedTasks`): the only place the
   * request of a build shorter than the master poll shows. Active tasks win on a clash.
   */
  readonly completedTasks?: () => ReadonlyMap<string, { readonly request: TaskRequest }> | undefined;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Builds waiting at most; beyond it the oldest are dropped and counted. @defaultValue 10000 */
  readonly maxPending?: number;
  /** A build still failing this long after it became due is dropped and counted, ms. @defaultValue 21600000 (6 h) */
  readonly maxRetryAgeMs?: number;
  /** First wait after a failed search, doubling per failure (`backoffDelayMs`), ms. @defaultValue 5000 */
  readonly retryBaseMs?: number;
  /** Longest wait between retries, ms. @defaultValue 300000 */
  readonly retryMaxMs?: number;
  /** Source of backoff jitter in [0, 1). @defaultValue Math.random */
  readonly random?: () => number;
  /**
   * The sink's "every document written before this instant is indexed or given up on"
   * (`ElasticsearchSink.settledBeforeMs`). With it a build is summarized only once its readings
   * are settled and `refreshMs` has passed since, so after an outage no build is summarized
   * before the buffered readings are in. Absent: the grace period alone decides.
   */
  readonly settledBeforeMs?: () => number;
  /** Refresh interval of the containers indices (readings become searchable after it), ms. @defaultValue 5000 */
  readonly refreshMs?: number;
  /**
   * Where pending builds (with their Mesos request) are kept across restarts; written after
   * every change, read by {@link BuildSummarizer.resume}. Absent: pending builds live in memory only.
   */
  readonly state?: PendingBuildState;
  /** Searches in flight at once. @defaultValue 2 */
  readonly concurrency?: number;
  /** Task requests remembered (tasks end with their builds; their request must outlive them). @defaultValue 50000 */
  readonly maxTasksRemembered?: number;
}

const NODE_MEMORY_MS = 24 * 3_600_000;
const MAX_BUILDS_PER_NODE = 200;
const MAX_NODES_REMEMBERED = 50_000;

interface Pending {
  readonly build: FinishedBuildInfo;
  readonly firstDueMs: number;
  dueMs: number;
  attempts: number;
  /** The task request, captured as soon as the master showed it (it is persisted with the build). */
  request?: TaskRequest;
}

function pendingKey(build: FinishedBuildInfo): string {
  return `${build.jenkinsUrl ?? ''}\u0000${build.jobName}#${build.number}`;
}

/**
 * Turns finished builds into `builds` documents. The Jenkins collector hands it each poll's
 * finished builds (`onFinishedBuilds` → {@link enqueue}); {@link runDue}, called by the
 * scheduler as the `build-summary` job (`buildSummaryJob` in cli/commands/collect.ts), summarizes the builds whose grace period is
 * over: one aggregation search per build (`searchBuildUsage`), the pure `summarizeBuild`, and a
 * write to the sink. A search that fails because Elasticsearch is away, slow or overloaded
 * (`RS_ERR_STORE_UNREACHABLE`, `_TIMEOUT`, `_UNAVAILABLE`) is retried with `backoffDelayMs`;
 * only a 4xx refusal (`RS_ERR_STORE_REJECTED`) drops the build. A run cut short (timeout, stop)
 * leaves its builds pending without counting an attempt. The queue is bounded and every drop is
 * counted and logged.
 *
 * With a {@link BuildSummarizerOptions.state} the pending builds and their requests are written
 * after every change, so a stop or a SIGKILL loses none: {@link resume} reads them back.
 *
 * Requests come from the Mesos task of the build's node. Single-use agents' tasks end with
 * their build and leave the master's active task list, so the requests seen on each master poll
 * are remembered (bounded) until the build is summarized.
 */
export class BuildSummarizer {
  private readonly _opts: BuildSummarizerOptions;
  private readonly _clock: Clock;
  private readonly _logger: Logger;
  private readonly _pending = new Map<string, Pending>();
  private readonly _requests = new Map<string, TaskRequest>();
  /** Recently finished builds per node, for `shared_agent` on multi-executor agents. */
  private readonly _byNode = new Map<string, BuildSpan[]>();
  private _lastTasks: unknown;
  private _lastCompleted: unknown;
  private _received = 0;
  private _written = 0;
  private _withoutSamples = 0;
  private _withoutRequest = 0;
  private _retries = 0;
  private _droppedOverflow = 0;
  private _droppedExpired = 0;
  private _droppedRejected = 0;
  private _resumed = 0;
  private _shutdown = false;
  private _dirty = false;
  private _saving: Promise<void> = Promise.resolve();
  private readonly _random: () => number;
  private readonly _startedMs: number;
  /** (when, settledBeforeMs) observations of the last minutes, oldest first. */
  private _settled: { atMs: number; settledMs: number }[] = [];
  /**
   * Summarized builds whose document the sink has not settled yet (with `settledBeforeMs`):
   * still persisted, so a crash before the document is indexed summarizes them again (same
   * `_id`: no duplicate).
   */
  private readonly _unconfirmed = new Map<string, { readonly pending: Pending; readonly writtenMs: number }>();

  constructor(options: BuildSummarizerOptions) {
    if (!(options.graceMs >= 0) || !(options.pollIntervalMs > 0)) throw new RangeError('BuildSummarizer: graceMs must be ≥ 0 and pollIntervalMs > 0');
    this._opts = options;
    this._clock = options.clock ?? systemClock;
    this._logger = options.logger ?? silentLogger();
    this._random = options.random ?? Math.random;
    this._startedMs = this._clock.nowMs();
  }

  /**
   * Readings written before this instant are searchable: the sink had settled them at least
   * `refreshMs` ago. Readings from before this process started were flushed by the previous one.
   */
  private _searchableBeforeMs(nowMs: number): number {
    const settled = this._opts.settledBeforeMs;
    if (settled === undefined) return Number.POSITIVE_INFINITY;
    this._settled.push({ atMs: nowMs, settledMs: settled() });
    const refreshMs = this._opts.refreshMs ?? 5_000;
    let bound = this._startedMs - this._opts.pollIntervalMs;
    let keepFrom = 0;
    for (let i = 0; i < this._settled.length; i++) {
      const o = this._settled[i]!;
      if (o.atMs > nowMs - refreshMs) break;
      bound = Math.max(bound, o.settledMs);
      keepFrom = i; // older observations than the newest usable one are not needed again
    }
    this._settled = this._settled.slice(keepFrom);
    return bound;
  }

  /**
   * Reads the pending builds the state kept (a previous process stopped or was killed before
   * summarizing them) and queues them again with their request; due at once, or at their
   * retry time. Call once, before the first {@link runDue}. Never rejects.
   */
  async resume(): Promise<number> {
    if (this._opts.state === undefined) return 0;
    let records: readonly PendingBuildRecord[];
    try {
      records = await this._opts.state.load();
    } catch (err) {
      this._logger.error({ err: toError(err).message }, 'cannot read the pending builds; starting without them');
      return 0;
    }
    const now = this._clock.nowMs();
    let n = 0;
    for (const r of records) {
      const key = pendingKey(r.build);
      if (this._pending.has(key)) continue;
      this._pending.set(key, { build: r.build, firstDueMs: r.firstDueMs, dueMs: Math.min(r.dueMs, now), attempts: r.attempts, ...(r.request ? { request: r.request } : {}) });
      this._remember(r.build, now);
      n++;
    }
    this._resumed += n;
    if (n > 0) this._logger.info({ resumed: n }, 'resumed pending builds of a previous run');
    this._enforceMax();
    return n;
  }

  /** Queues finished builds; each is summarized `graceMs` after its end. Never throws. */
  enqueue(builds: readonly FinishedBuildInfo[]): void {
    if (this._shutdown) return;
    const now = this._clock.nowMs();
    if (builds.length > 0) this.observeTasks();
    for (const build of builds) {
      const key = pendingKey(build);
      if (this._pending.has(key) || this._unconfirmed.has(key)) continue;
      this._received++;
      const dueMs = Math.max(now, build.endMs + this._opts.graceMs);
      const node = buildNode(build);
      const request = node !== undefined ? this._requests.get(node) : undefined;
      this._pending.set(key, { build, firstDueMs: dueMs, dueMs, attempts: 0, ...(request ? { request } : {}) });
      this._remember(build, now);
      this._dirty = true;
    }
    this._enforceMax();
    this._persist();
  }

  private _enforceMax(): void {
    const max = this._opts.maxPending ?? 10_000;
    if (this._pending.size > max) {
      // Map order is insertion order: the oldest go first.
      let over = this._pending.size - max;
      for (const key of this._pending.keys()) {
        if (over-- <= 0) break;
        this._pending.delete(key);
        this._droppedOverflow++;
      }
      this._logger.error({ code: 'RS_ERR_STORE_BUFFER_FULL', maxPending: max, dropped: this._droppedOverflow }, 'build summary queue full; oldest builds dropped');
      this._dirty = true;
    }
  }

  /** Writes the pending builds when they changed (one write at a time; the last state wins). */
  private _persist(): void {
    const state = this._opts.state;
    if (state === undefined || !this._dirty) return;
    this._dirty = false;
    this._saving = this._saving.then(async () => {
      const records: PendingBuildRecord[] = [...this._pending.values(), ...[...this._unconfirmed.values()].map((u) => u.pending)].map((p) => ({
        build: p.build,
        firstDueMs: p.firstDueMs,
        dueMs: p.dueMs,
        attempts: p.attempts,
        ...(p.request ? { request: p.request } : {}),
      }));
      try {
        await state.save(records);
      } catch (err) {
        this._dirty = true; // try again on the next change
        this._logger.error({ err: toError(err).message, pending: records.length }, 'cannot write the pending builds');
      }
    });
  }

  /** Forgets summarized builds whose documents the sink has settled. */
  private _confirmWritten(): void {
    if (this._unconfirmed.size === 0 || this._opts.settledBeforeMs === undefined) return;
    const settled = this._opts.settledBeforeMs();
    for (const [key, u] of this._unconfirmed) {
      if (u.writtenMs < settled) {
        this._unconfirmed.delete(key);
        this._dirty = true;
      }
    }
  }

  /** Resolves when the last write of the pending builds finished. */
  flushState(): Promise<void> {
    this._persist();
    return this._saving;
  }

  /**
   * Keeps the builds of the last {@link NODE_MEMORY_MS} per node: a build that shared its node
   * with one that finished earlier (or is still waiting to be summarized) is marked shared.
   */
  private _remember(build: FinishedBuildInfo, nowMs: number): void {
    const node = buildNode(build);
    if (node === undefined) return;
    const spans = (this._byNode.get(node) ?? []).filter((b) => nowMs - b.endMs < NODE_MEMORY_MS);
    spans.push({ key: `${build.jobName}#${build.number}`, startMs: build.startMs, endMs: build.endMs });
    this._byNode.delete(node);
    this._byNode.set(node, spans.slice(-MAX_BUILDS_PER_NODE));
    let over = this._byNode.size - MAX_NODES_REMEMBERED;
    for (const key of this._byNode.keys()) {
      if (over-- <= 0) break;
      this._byNode.delete(key);
    }
  }

  /** Remembers the requests of the master's current and recently ended tasks (cheap when the state did not change). */
  observeTasks(): void {
    const completed = this._opts.completedTasks?.();
    const tasks = this._opts.tasks?.();
    const newCompleted = completed !== undefined && completed !== this._lastCompleted;
    const newTasks = tasks !== undefined && tasks !== this._lastTasks;
    if (!newCompleted && !newTasks) return;
    if (newCompleted) {
      this._lastCompleted = completed;
      for (const [id, t] of completed) if (!this._requests.has(id)) this._requests.set(id, t.request);
    }
    if (newTasks) {
      this._lastTasks = tasks;
      for (const [id, t] of tasks) {
        this._requests.delete(id);
        this._requests.set(id, t.request);
      }
    }
    const max = this._opts.maxTasksRemembered ?? 50_000;
    let over = this._requests.size - max;
    for (const key of this._requests.keys()) {
      if (over-- <= 0) break;
      this._requests.delete(key);
    }
    // Capture requests for pending builds now: the task may leave the master before the build is due.
    for (const p of this._pending.values()) {
      if (p.request !== undefined) continue;
      const node = buildNode(p.build);
      const request = node !== undefined ? this._requests.get(node) : undefined;
      if (request !== undefined) {
        p.request = request;
        this._dirty = true;
      }
    }
  }

  /**
   * Summarizes the builds that are due; resolves when done or when `signal` aborts. Never
   * rejects. With `budgetMs`, no new search starts once that long has passed since the call
   * (searches already started finish, each bounded by the client's request timeout), so the
   * caller's timeout can be `budgetMs` + one request timeout and never cut a search short.
   */
  async runDue(signal: AbortSignal, budgetMs = Number.POSITIVE_INFINITY): Promise<void> {
    try {
      await this._runDue(signal, budgetMs);
    } finally {
      this._persist();
    }
  }

  private async _runDue(signal: AbortSignal, budgetMs: number): Promise<void> {
    this.observeTasks();
    const now = this._clock.nowMs();
    this._confirmWritten();
    const searchable = this._searchableBeforeMs(now);
    const due = [...this._pending.entries()]
      .filter(([, p]) => p.dueMs <= now && p.build.endMs + this._opts.pollIntervalMs <= searchable)
      .sort((a, b) => a[1].dueMs - b[1].dueMs);
    if (due.length === 0) return;
    const docs: BuildDoc[] = [];
    const written: [string, Pending][] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < due.length && !signal.aborted && this._clock.nowMs() - now < budgetMs) {
        const [key, p] = due[next++]!;
        const doc = await this._summarize(key, p, signal);
        if (doc !== undefined) docs.push(doc);
        if (doc !== undefined && this._opts.settledBeforeMs !== undefined) written.push([key, p]);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this._opts.concurrency ?? 2, due.length) }, () => worker()));
    if (docs.length > 0) {
      const samples: Sample[] = docs.map((doc) => ({ kind: 'build', doc }));
      const writtenMs = this._clock.nowMs();
      for (const [key, p] of written) this._unconfirmed.set(key, { pending: p, writtenMs });
      this._opts.sink.write(samples);
      this._written += docs.length;
      this._dirty = true;
    }
  }

  stats(): BuildSummarizerStats {
    return {
      received: this._received,
      pending: this._pending.size,
      written: this._written,
      withoutSamples: this._withoutSamples,
      withoutRequest: this._withoutRequest,
      retries: this._retries,
      resumed: this._resumed,
      droppedOverflow: this._droppedOverflow,
      droppedExpired: this._droppedExpired,
      droppedRejected: this._droppedRejected,
    };
  }

  /**
   * Stops taking builds and writes the pending ones to the state, where the next start resumes
   * them (without a state they are logged as lost). Idempotent.
   */
  async shutdown(): Promise<void> {
    if (this._shutdown) {
      this._logger.debug('build summarizer already shut down');
      return;
    }
    this._shutdown = true;
    this._dirty = true;
    await this.flushState();
    if (this._pending.size === 0) return;
    if (this._opts.state !== undefined) this._logger.info({ pending: this._pending.size }, 'build summarizer stopped; pending builds kept for the next start');
    else this._logger.warn({ pending: this._pending.size }, 'build summarizer stopped with builds not yet summarized');
  }

  private async _summarize(key: string, p: Pending, signal: AbortSignal): Promise<BuildDoc | undefined> {
    const { build } = p;
    const node = buildNode(build);
    try {
      const usage = await this._opts.search(
        {
          prefix: this._opts.prefix,
          jobName: build.jobName,
          buildNumber: build.number,
          ...(node !== undefined ? { nodeName: node } : {}),
          startMs: build.startMs,
          endMs: build.endMs,
          afterEndMs: this._opts.pollIntervalMs,
        },
        signal,
      );
      const request = (node !== undefined ? this._requests.get(node) : undefined) ?? p.request;
      const others = node !== undefined ? (this._byNode.get(node) ?? []) : [];
      const doc = summarizeBuild({ build, usage, ...(request !== undefined ? { request } : {}), pollIntervalMs: this._opts.pollIntervalMs, otherBuildsOnNode: others });
      this._pending.delete(key);
      this._dirty = true;
      if ((doc.usage?.sample_count ?? 0) === 0) this._withoutSamples++;
      if (doc.request === undefined) this._withoutRequest++;
      return doc;
    } catch (err) {
      const e = toError(err);
      const code = err instanceof RightsizeError ? err.code : undefined;
      const now = this._clock.nowMs();
      this._dirty = true;
      if (signal.aborted) {
        // Cut short by the caller (stop, run timeout): not the build's failure; due again at once.
        this._logger.debug({ code, job: build.jobName, build: build.number }, 'build usage search aborted; stays pending');
      } else if (code === 'RS_ERR_STORE_REJECTED') {
        this._pending.delete(key);
        this._droppedRejected++;
        this._logger.error({ code, job: build.jobName, build: build.number, err: e.message }, 'build usage search rejected; build dropped');
      } else if (now - p.firstDueMs >= (this._opts.maxRetryAgeMs ?? 21_600_000)) {
        this._pending.delete(key);
        this._droppedExpired++;
        this._logger.error({ code, job: build.jobName, build: build.number, attempts: p.attempts + 1, err: e.message }, 'build usage search kept failing; build dropped');
      } else {
        p.attempts++;
        const waitMs = backoffDelayMs(p.attempts, { baseMs: this._opts.retryBaseMs ?? 5_000, maxMs: this._opts.retryMaxMs ?? 300_000 }, this._random);
        p.dueMs = now + waitMs;
        this._retries++;
        const level = isRetryableStoreCode(code) ? 'warn' : 'error';
        this._logger[level]({ code, job: build.jobName, build: build.number, attempts: p.attempts, retryInMs: waitMs, err: e.message }, 'build usage search failed; will retry');
      }
      return undefined;
    }
  }
}
