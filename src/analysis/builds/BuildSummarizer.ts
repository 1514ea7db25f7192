import type { BuildDoc, Sample } from '../../model/index.js';
import { RightsizeError, toError } from '../../errors/index.js';
import type { BuildUsageAggregation, BuildUsageQuery } from '../../store/queries/index.js';
import type { SampleSink } from '../../store/types.js';
import { silentLogger, systemClock, type Clock, type Logger } from '../../util/index.js';
import { buildNode, summarizeBuild, type BuildSpan, type FinishedBuildInfo, type TaskRequest } from './summarize.js';

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
  /** First wait after a failed search, doubling per failure, ms. @defaultValue 5000 */
  readonly retryBaseMs?: number;
  /** Longest wait between retries, ms. @defaultValue 300000 */
  readonly retryMaxMs?: number;
  /** Searches in flight at once. @defaultValue 2 */
  readonly concurrency?: number;
  /** Task requests remembered (tasks end with their builds; their request must outlive them). @defaultValue 50000 */
  readonly maxTasksRemembered?: number;
}

/** Counters of a {@link BuildSummarizer}; monotonic except `pending`. */
export interface BuildSummarizerStats {
  /** Finished builds handed to `enqueue` (repeats of a pending build not counted). */
  readonly received: number;
  /** Waiting for their grace period or a retry. */
  readonly pending: number;
  /** `builds` documents written to the sink. */
  readonly written: number;
  /** Of `written`: builds with no readings (a document with the request and no usage). */
  readonly withoutSamples: number;
  /** Of `written`: builds whose task request was unknown. */
  readonly withoutRequest: number;
  /** Searches that failed and were scheduled again. */
  readonly retries: number;
  /** Dropped: the pending queue overflowed. */
  readonly droppedOverflow: number;
  /** Dropped: still failing after `maxRetryAgeMs`. */
  readonly droppedExpired: number;
  /** Dropped: Elasticsearch refused the search (not retried). */
  readonly droppedRejected: number;
}

const NODE_MEMORY_MS = 24 * 3_600_000;
const MAX_BUILDS_PER_NODE = 200;
const MAX_NODES_REMEMBERED = 50_000;

interface Pending {
  readonly build: FinishedBuildInfo;
  readonly firstDueMs: number;
  dueMs: number;
  attempts: number;
}

/**
 * Turns finished builds into `builds` documents. The Jenkins collector hands it each poll's
 * finished builds (`onFinishedBuilds` → {@link enqueue}); {@link runDue}, called by the
 * collector runner on a timer (`periodicTask`), summarizes the builds whose grace period is
 * over: one aggregation search per build (`searchBuildUsage`), the pure `summarizeBuild`, and a
 * write to the sink. A search that fails because Elasticsearch is away is retried with
 * exponential backoff; the queue is bounded and every drop is counted and logged.
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
  private _shutdown = false;

  constructor(options: BuildSummarizerOptions) {
    if (!(options.graceMs >= 0) || !(options.pollIntervalMs > 0)) throw new RangeError('BuildSummarizer: graceMs must be ≥ 0 and pollIntervalMs > 0');
    this._opts = options;
    this._clock = options.clock ?? systemClock;
    this._logger = options.logger ?? silentLogger();
  }

  /** Queues finished builds; each is summarized `graceMs` after its end. Never throws. */
  enqueue(builds: readonly FinishedBuildInfo[]): void {
    if (this._shutdown) return;
    const now = this._clock.nowMs();
    for (const build of builds) {
      const key = `${build.jenkinsUrl ?? ''}\u0000${build.jobName}#${build.number}`;
      if (this._pending.has(key)) continue;
      this._received++;
      const dueMs = Math.max(now, build.endMs + this._opts.graceMs);
      this._pending.set(key, { build, firstDueMs: dueMs, dueMs, attempts: 0 });
      this._remember(build, now);
    }
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
    }
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
  }

  /** Summarizes every build that is due; resolves when done or when `signal` aborts. Never rejects. */
  async runDue(signal: AbortSignal): Promise<void> {
    this.observeTasks();
    const now = this._clock.nowMs();
    const due = [...this._pending.entries()].filter(([, p]) => p.dueMs <= now).sort((a, b) => a[1].dueMs - b[1].dueMs);
    if (due.length === 0) return;
    const docs: BuildDoc[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < due.length && !signal.aborted) {
        const [key, p] = due[next++]!;
        const doc = await this._summarize(key, p, signal);
        if (doc !== undefined) docs.push(doc);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this._opts.concurrency ?? 2, due.length) }, () => worker()));
    if (docs.length > 0) {
      const samples: Sample[] = docs.map((doc) => ({ kind: 'build', doc }));
      this._opts.sink.write(samples);
      this._written += docs.length;
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
      droppedOverflow: this._droppedOverflow,
      droppedExpired: this._droppedExpired,
      droppedRejected: this._droppedRejected,
    };
  }

  /** Stops taking builds; those still pending are logged as lost. Idempotent. */
  shutdown(): Promise<void> {
    if (this._shutdown) {
      this._logger.debug('build summarizer already shut down');
      return Promise.resolve();
    }
    this._shutdown = true;
    if (this._pending.size > 0) this._logger.warn({ pending: this._pending.size }, 'build summarizer stopped with builds not yet summarized');
    return Promise.resolve();
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
      const request = node !== undefined ? this._requests.get(node) : undefined;
      const others = node !== undefined ? (this._byNode.get(node) ?? []) : [];
      const doc = summarizeBuild({ build, usage, ...(request !== undefined ? { request } : {}), pollIntervalMs: this._opts.pollIntervalMs, otherBuildsOnNode: others });
      this._pending.delete(key);
      if ((doc.usage?.sample_count ?? 0) === 0) this._withoutSamples++;
      if (doc.request === undefined) this._withoutRequest++;
      return doc;
    } catch (err) {
      const e = toError(err);
      const code = err instanceof RightsizeError ? err.code : undefined;
      const now = this._clock.nowMs();
      if (code === 'RS_ERR_STORE_REJECTED') {
        this._pending.delete(key);
        this._droppedRejected++;
        this._logger.error({ code, job: build.jobName, build: build.number, err: e.message }, 'build usage search rejected; build dropped');
      } else if (now - p.firstDueMs >= (this._opts.maxRetryAgeMs ?? 21_600_000)) {
        this._pending.delete(key);
        this._droppedExpired++;
        this._logger.error({ code, job: build.jobName, build: build.number, attempts: p.attempts + 1, err: e.message }, 'build usage search kept failing; build dropped');
      } else {
        p.attempts++;
        const waitMs = Math.min(this._opts.retryMaxMs ?? 300_000, (this._opts.retryBaseMs ?? 5_000) * 2 ** (p.attempts - 1));
        p.dueMs = now + waitMs;
        this._retries++;
        this._logger.warn({ code, job: build.jobName, build: build.number, attempts: p.attempts, retryInMs: waitMs, err: e.message }, 'build usage search failed; will retry');
      }
      return undefined;
    }
  }
}
