import type { Client } from '@elastic/elasticsearch';
import type { Sample } from '../model/index.js';
import { toError } from '../errors/index.js';
import { abortableSleep, backoffDelayMs } from '../scheduler/index.js';
import { silentLogger, systemClock, type Clock, type Logger } from '../util/index.js';
import { classifyBulkResponse } from './bulkResponse.js';
import { storedDoc } from './ecs.js';
import { statusOf, storeCodeOf } from './esErrors.js';
import { guardNumericFields } from './fieldGuard.js';
import { routeSample, SAMPLE_INDEX_KIND } from './routing.js';
import { MAPPINGS } from './templates.js';
import { SeqQueue, type BufferedDoc } from './SeqQueue.js';
import type { SampleSink, SinkStats } from './types.js';

/**
 * Batching, retry and buffering settings (`elasticsearch.bulk.*` of the configuration; see
 * src/config/schema.ts for defaults and rationale).
 */
export interface BulkOptions {
  /** Send a bulk request once this many bytes of NDJSON are queued. */
  readonly flushBytes: number;
  /** Send whatever is queued at least this often, ms. */
  readonly flushIntervalMs: number;
  /** Bulk requests in flight at once. */
  readonly concurrency: number;
  /** Item-level 5xx failures of one document tolerated before it is dropped as permanent. */
  readonly retries: number;
  /** First backoff after a failure, doubling per consecutive failure, capped at {@link ElasticsearchSinkOptions.maxBackoffMs}. */
  readonly retryBackoffMs: number;
  /** Documents waiting in memory at most; beyond it the oldest are dropped, counted and logged. */
  readonly bufferMaxDocs: number;
}

export interface ElasticsearchSinkOptions {
  /** The process's client (built once by the composition root). */
  readonly client: Client;
  /** Index prefix, e.g. `rightsize`. */
  readonly prefix: string;
  readonly bulk: BulkOptions;
  readonly logger?: Logger;
  /** Used for log rate limiting. @defaultValue systemClock */
  readonly clock?: Clock;
  /** Source of jitter in [0, 1). @defaultValue Math.random */
  readonly random?: () => number;
  /** Per-request timeout, ms; undefined: the client's `requestTimeout`. */
  readonly requestTimeoutMs?: number;
  /** How long `shutdown` waits for the buffer to drain, ms. @defaultValue 30 000 */
  readonly shutdownTimeoutMs?: number;
  /** Cap of the exponential backoff, ms. @defaultValue 30 000 */
  readonly maxBackoffMs?: number;
  /** Minimum gap between two log lines of the same problem, ms (counts accumulate meanwhile). @defaultValue 10 000 */
  readonly logIntervalMs?: number;
  /**
   * Nothing is sent before this resolves (e.g. until the index templates are installed, so no
   * index is ever created with dynamic mappings); documents are buffered meanwhile. A rejection
   * keeps the sink held for good (shutdown then drops the buffer, counted).
   * @defaultValue send at once
   */
  readonly ready?: Promise<unknown>;
}

/** {@link SinkStats} plus what only this sink knows. */
export interface ElasticsearchSinkStats extends SinkStats {
  /** Of `indexed`: documents Elasticsearch reported as already present (409 on `create`), i.e. retries of a lost response. */
  readonly alreadyPresent: number;
  /** Document re-sends after an item-level 429/5xx or a failed request. */
  readonly retriedDocs: number;
  /** Documents in bulk requests that have not answered yet. */
  readonly inFlight: number;
  /** Consecutive failed attempts right now (0 when healthy). */
  readonly consecutiveFailures: number;
  /**
   * Item errors: numeric fields removed from documents because Elasticsearch would refuse them
   * (NaN, ±Infinity, beyond `long`/`integer`/date range); the rest of each document was kept.
   */
  readonly removedFields: number;
  /** The last failed request or rejected document, `<CODE>: <reason>`; absent when none yet. */
  readonly lastError?: string;
}

interface InFlight {
  readonly entries: readonly BufferedDoc[];
  readonly minSeq: number;
  readonly minWrittenMs: number;
}

const FILTER_PATH = 'errors,items.*.status,items.*.error.type,items.*.error.reason';

type Problem = 'overflow' | 'invalid' | 'field' | 'rejected' | 'unavailable' | 'shutdown';

const PROBLEM_CODE: Readonly<Record<Problem, string>> = {
  overflow: 'RS_ERR_STORE_BUFFER_FULL',
  invalid: 'RS_ERR_STORE_DOC_INVALID',
  field: 'RS_ERR_STORE_FIELD_RANGE',
  rejected: 'RS_ERR_STORE_REJECTED',
  unavailable: 'RS_ERR_STORE_UNAVAILABLE',
  shutdown: 'RS_ERR_LIFECYCLE_SHUTDOWN',
};

/**
 * The bulk sink: writes samples to Elasticsearch with `create` and a deterministic `_id`
 * (routing.ts), so a document is stored exactly once even when a response is lost and the
 * request is sent again (the repeat answers 409, counted as indexed).
 *
 * Contract:
 * - `write` MUST NOT block or throw: it routes and serialises the samples, appends them to a
 *   bounded buffer and returns. Sending happens in the background.
 * - A request is sent when `flushBytes` are queued or every `flushIntervalMs`, with at most
 *   `concurrency` requests in flight.
 * - Connection errors, timeouts, 429 and 5xx answers (of the request or of single items) put the
 *   documents back in the buffer, in write order, and pause sending for an exponential backoff
 *   (`retryBackoffMs` doubling per consecutive failure, capped at `maxBackoffMs`, with jitter
 *   in [½, 1] of the step). While Elasticsearch is away documents stay buffered; nothing is
 *   dropped for being retried too often, only for overflow.
 * - The buffer holds at most `bufferMaxDocs` queued documents (plus at most `concurrency`
 *   requests in flight); past it the oldest are dropped, counted in `stats().dropped` and logged
 *   as `RS_ERR_STORE_BUFFER_FULL`.
 * - Permanent rejections (mapping errors and other 4xx items, a document whose item failed with
 *   5xx more than `retries` times, a sample that cannot be routed) are dropped, counted and
 *   logged with the reason.
 * - One field never costs the document: a numeric field Elasticsearch would refuse (NaN,
 *   ±Infinity, beyond its mapping's `long`/`integer`/date range) is removed before sending,
 *   counted in `removedFields` and logged as `RS_ERR_STORE_FIELD_RANGE` (fieldGuard.ts).
 * - Time: the periodic flush is a loop of `abortableSleep(flushIntervalMs)`, and a backoff is
 *   one abortable sleep that `forceFlush` cuts short; both end with `shutdown`. The sink owns no
 *   other timer, and none keeps the process alive.
 *
 * Why not `client.helpers.bulk`: it drops a whole batch when the request fails (connection
 * refused, timeout) and then stops; it retries only 429 items, a fixed number of times with a
 * fixed wait; and it reports 409 as a failure. Buffering through an outage with a bound and
 * counting exactly-once need the loop below.
 */
export class ElasticsearchSink implements SampleSink {
  private readonly _client: Client;
  private readonly _prefix: string;
  private readonly _bulk: BulkOptions;
  private readonly _logger: Logger;
  private readonly _clock: Clock;
  private readonly _random: () => number;
  private readonly _requestTimeoutMs: number | undefined;
  private readonly _shutdownTimeoutMs: number;
  private readonly _maxBackoffMs: number;
  private readonly _logIntervalMs: number;

  private readonly _queue = new SeqQueue();
  private readonly _inFlight = new Set<InFlight>();
  private readonly _waiters = new Set<() => void>();
  private _seq = 0;
  private _drain = false;
  private _pumpScheduled = false;
  private _paused = false;
  /** Aborting it ends the current backoff early. */
  private _pause: AbortController | undefined;
  /** Aborted by shutdown: ends the flush loop. */
  private readonly _stop = new AbortController();
  /** True until `options.ready` settles. */
  private _held: boolean;
  private _failures = 0;
  private _closing = false;
  private _stopped = false;
  private _shutdownPromise: Promise<void> | undefined;

  private _received = 0;
  private _indexed = 0;
  private _alreadyPresent = 0;
  private _dropped = 0;
  private _failedRequests = 0;
  private _retriedDocs = 0;
  private _removedFields = 0;
  private _lastError: string | undefined;

  private readonly _pending = new Map<Problem, { count: number; lastLogMs: number; detail: Record<string, unknown> }>();

  constructor(options: ElasticsearchSinkOptions) {
    this._client = options.client;
    this._prefix = options.prefix;
    this._bulk = options.bulk;
    this._logger = options.logger ?? silentLogger();
    this._clock = options.clock ?? systemClock;
    this._random = options.random ?? Math.random;
    this._requestTimeoutMs = options.requestTimeoutMs;
    this._shutdownTimeoutMs = options.shutdownTimeoutMs ?? 30_000;
    this._maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this._logIntervalMs = options.logIntervalMs ?? 10_000;
    this._held = options.ready !== undefined;
    const release = (): void => {
      this._held = false;
      this._drain = true;
      this._pump();
    };
    options.ready?.then(release, () => undefined);
    void this._flushLoop();
  }

  /** Sends what is queued every `flushIntervalMs` until shutdown (unref'd sleeps: never keeps the process alive). */
  private async _flushLoop(): Promise<void> {
    const stop = this._stop.signal;
    while (!stop.aborted) {
      await abortableSleep(this._bulk.flushIntervalMs, stop);
      if (!stop.aborted) this._tick();
    }
  }

  write(samples: readonly Sample[]): void {
    try {
      for (const sample of samples) this._accept(sample);
      this._enforceBound();
      if (this._queue.bytes >= this._bulk.flushBytes) this._schedulePump();
    } catch (err) {
      // Defensive: nothing above is expected to throw, and write() must not.
      this._logger.error({ err: toError(err) }, 'bulk sink write failed unexpectedly');
    }
  }

  private _accept(sample: Sample): void {
    this._received += 1;
    if (this._closing) {
      this._dropped += 1;
      this._problem('shutdown', 'sample written after shutdown; dropped', {});
      return;
    }
    const route = routeSample(sample, this._prefix);
    if (!route.ok) {
      this._dropped += 1;
      this._problem('invalid', 'sample cannot be routed; dropped', { kind: (sample as { kind?: unknown }).kind, reason: route.reason });
      return;
    }
    const kind = SAMPLE_INDEX_KIND[sample.kind];
    const guarded = guardNumericFields(storedDoc(sample), MAPPINGS[kind]);
    if (guarded.removed.length > 0) {
      this._removedFields += guarded.removed.length;
      this._problem('field', 'numeric fields Elasticsearch would refuse were removed; the rest of the document is indexed', { index: route.index, id: route.id, fields: guarded.removed }, guarded.removed.length);
    }
    let doc: string;
    try {
      doc = JSON.stringify(guarded.doc);
    } catch (err) {
      this._dropped += 1;
      this._problem('invalid', 'sample cannot be serialised; dropped', { kind: sample.kind, reason: toError(err).message });
      return;
    }
    // The index name and the sha1 id need no escaping beyond what JSON.stringify gives.
    const line = `{"create":{"_index":${JSON.stringify(route.index)},"_id":"${route.id}"}}\n${doc}`;
    this._seq += 1;
    this._queue.push({ seq: this._seq, writtenMs: this._clock.nowMs(), index: route.index, id: route.id, line, bytes: line.length + 1, attempts: 0 });
  }

  /** Drops the oldest queued documents beyond `bufferMaxDocs`. */
  private _enforceBound(): void {
    let over = this._queue.length - this._bulk.bufferMaxDocs;
    if (over <= 0) return;
    const dropped = over;
    while (over > 0) {
      this._queue.shift();
      over -= 1;
    }
    this._dropped += dropped;
    this._problem('overflow', 'bulk buffer full; oldest documents dropped', { bufferMaxDocs: this._bulk.bufferMaxDocs }, dropped);
  }

  /**
   * Sends everything written so far, and resolves once all of it is settled (indexed or
   * dropped) or at the deadline, whichever comes first; it never rejects (a deadline passing is
   * logged). A backoff in progress is cut short for one immediate attempt, so callers SHOULD
   * call this at shutdown or in tests, not on every collection round.
   */
  forceFlush(timeoutMs = 30_000): Promise<void> {
    const watermark = this._seq;
    this._drain = true;
    if (this._paused) this._resume(); // one immediate attempt instead of waiting out the backoff
    this._pump();
    if (this._doneUpTo(watermark)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const deadline = new AbortController();
      const check = (): void => {
        if (!this._doneUpTo(watermark)) return;
        deadline.abort();
        this._waiters.delete(check);
        resolve();
      };
      this._waiters.add(check);
      void abortableSleep(timeoutMs, deadline.signal).then(() => {
        if (deadline.signal.aborted) return;
        this._waiters.delete(check);
        this._logger.warn({ timeoutMs, buffered: this._buffered() }, 'bulk sink forceFlush deadline passed with documents still buffered');
        resolve();
      });
    });
  }

  /**
   * Every document written before this instant (epoch ms) is settled: indexed or given up on.
   * It is the write time of the oldest document still buffered or in flight, or now. Readers
   * that search what was written (the build summarizer) wait for it to pass their time range,
   * so after an outage they do not search before the backlog is in.
   */
  settledBeforeMs(): number {
    let oldest = this._queue.peek()?.writtenMs ?? Number.POSITIVE_INFINITY;
    for (const r of this._inFlight) oldest = Math.min(oldest, r.minWrittenMs);
    return Number.isFinite(oldest) ? oldest : this._clock.nowMs();
  }

  stats(): ElasticsearchSinkStats {
    return {
      received: this._received,
      indexed: this._indexed,
      dropped: this._dropped,
      buffered: this._buffered(),
      failedRequests: this._failedRequests,
      alreadyPresent: this._alreadyPresent,
      retriedDocs: this._retriedDocs,
      inFlight: this._inFlightDocs(),
      consecutiveFailures: this._failures,
      removedFields: this._removedFields,
      ...(this._lastError === undefined ? {} : { lastError: this._lastError }),
    };
  }

  shutdown(): Promise<void> {
    if (this._shutdownPromise !== undefined) {
      this._logger.debug('bulk sink shutdown called again; already shut down');
      return this._shutdownPromise;
    }
    this._closing = true;
    this._shutdownPromise = (async () => {
      // Held (the store never became ready): nothing can be sent, so there is nothing to wait for.
      if (!this._held) await this.forceFlush(this._shutdownTimeoutMs);
      this._stopped = true;
      this._stop.abort();
      this._pause?.abort();
      const left = this._queue.length;
      if (left > 0) {
        this._queue.clear();
        this._dropped += left;
        this._problem('unavailable', 'bulk sink shut down with documents not indexed; dropped', {}, left);
      }
      this._flushProblems(true);
      this._logger.info({ stats: this.stats() }, 'bulk sink shut down');
    })();
    return this._shutdownPromise;
  }

  // ---- the loop -------------------------------------------------------------------------------

  private _tick(): void {
    this._drain = true;
    this._pump();
    this._flushProblems(false);
  }

  private _schedulePump(): void {
    if (this._pumpScheduled) return;
    this._pumpScheduled = true;
    // Sending (serialising a batch) happens off the caller's stack: write() stays cheap.
    setImmediate(() => {
      this._pumpScheduled = false;
      this._pump();
    });
  }

  private _pump(): void {
    if (this._paused || this._stopped || this._held) return;
    while (this._inFlight.size < this._bulk.concurrency && this._queue.length > 0) {
      if (!this._drain && this._queue.bytes < this._bulk.flushBytes) break;
      const batch = this._takeBatch();
      const req: InFlight = { entries: batch, minSeq: batch[0]?.seq ?? Number.POSITIVE_INFINITY, minWrittenMs: batch[0]?.writtenMs ?? Number.POSITIVE_INFINITY };
      this._inFlight.add(req);
      // _send never rejects: every outcome is handled inside it.
      void this._send(req);
    }
    if (this._queue.length === 0) this._drain = false;
  }

  private _takeBatch(): BufferedDoc[] {
    const batch: BufferedDoc[] = [];
    let bytes = 0;
    for (let next = this._queue.peek(); next !== undefined; next = this._queue.peek()) {
      if (batch.length > 0 && bytes + next.bytes > this._bulk.flushBytes) break;
      this._queue.shift();
      batch.push(next);
      bytes += next.bytes;
    }
    return batch;
  }

  private async _send(req: InFlight): Promise<void> {
    try {
      const res = await this._client.bulk(
        { operations: req.entries.map((e) => e.line), filter_path: FILTER_PATH },
        { maxRetries: 0, ...(this._requestTimeoutMs === undefined ? {} : { requestTimeout: this._requestTimeoutMs }) },
      );
      this._handleResponse(req.entries, res);
    } catch (err) {
      this._handleRequestError(req.entries, err);
    } finally {
      this._inFlight.delete(req);
      this._notify();
      this._pump();
    }
  }

  private _handleResponse(entries: readonly BufferedDoc[], res: { errors?: boolean; items?: unknown }): void {
    if (res.errors === false && Array.isArray(res.items) && res.items.length === entries.length) {
      this._indexed += entries.length;
      this._recovered();
      return;
    }
    const items = classifyBulkResponse(res, entries.length);
    if (items === undefined) {
      // Cannot tell which documents made it: send them all again; `create` makes that safe.
      this._retryLater(entries, `bulk response has ${Array.isArray(res.items) ? res.items.length : 'no'} items for ${entries.length} documents`);
      return;
    }
    const retry: BufferedDoc[] = [];
    const reasons = new Map<string, number>();
    let sample: Record<string, unknown> | undefined;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as BufferedDoc;
      const item = items[i]!;
      if (item.outcome === 'stored' || item.outcome === 'exists') {
        // 409 on `create`: a document with this _id exists, i.e. an earlier attempt got through.
        this._indexed += 1;
        if (item.outcome === 'exists') this._alreadyPresent += 1;
      } else if (item.outcome === 'retryable' && (item.status === 429 || entry.attempts < this._bulk.retries)) {
        if (item.status !== 429) entry.attempts += 1;
        retry.push(entry);
      } else {
        this._dropped += 1;
        const reason = item.reason ?? String(item.status);
        this._lastError = `RS_ERR_STORE_REJECTED: ${reason}`;
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
        sample ??= { index: entry.index, id: entry.id };
      }
    }
    if (reasons.size > 0) {
      const count = [...reasons.values()].reduce((a, b) => a + b, 0);
      this._problem('rejected', 'Elasticsearch rejected documents; dropped', { reasons: Object.fromEntries(reasons), example: sample }, count);
    }
    if (retry.length > 0) this._retryLater(retry, 'retryable item failures (429/5xx)');
    else this._recovered();
  }

  private _handleRequestError(entries: readonly BufferedDoc[], err: unknown): void {
    const status = statusOf(err);
    if (status === 413 && entries.length > 1) {
      // Too large for http.max_content_length: split and send both halves right away.
      const mid = Math.floor(entries.length / 2);
      this._queue.prepend(entries.slice(0, mid));
      this._queue.prepend(entries.slice(mid));
      this._drain = true;
      return;
    }
    const permanent = status !== undefined && status >= 400 && status < 500 && ![401, 403, 408, 429].includes(status);
    this._lastError = `${storeCodeOf(err)}: ${toError(err).message}`;
    if (permanent) {
      this._dropped += entries.length;
      this._problem('rejected', 'Elasticsearch rejected a bulk request; its documents are dropped', { status, reason: toError(err).message }, entries.length);
      return;
    }
    // No answer (refused, reset, timeout, lost response), 401/403 (fixable credentials), 429, 5xx.
    this._retryLater(entries, toError(err).message, status, storeCodeOf(err));
  }

  /** Puts documents back (in write order) and pauses sending for a backoff. */
  private _retryLater(entries: readonly BufferedDoc[], reason: string, status?: number, code = 'RS_ERR_STORE_UNAVAILABLE'): void {
    this._failedRequests += 1;
    this._failures += 1;
    if (this._stopped) {
      this._dropped += entries.length;
      this._problem('unavailable', 'bulk request failed after shutdown; documents dropped', { reason }, entries.length);
      return;
    }
    this._retriedDocs += entries.length;
    this._queue.prepend(entries);
    this._enforceBound();
    const delayMs = backoffDelayMs(this._failures, { baseMs: this._bulk.retryBackoffMs, maxMs: this._maxBackoffMs, jitter: 0.5 }, this._random);
    this._problem('unavailable', 'bulk request failed; documents kept in the buffer', {
      code,
      reason,
      ...(status === undefined ? {} : { status }),
      consecutiveFailures: this._failures,
      retryInMs: delayMs,
      buffered: this._buffered(),
    });
    this._pauseFor(delayMs);
  }

  /** Stops sending for `delayMs` (one abortable sleep; `_resume` ends it early). */
  private _pauseFor(delayMs: number): void {
    this._pause?.abort();
    const pause = new AbortController();
    this._pause = pause;
    this._paused = true;
    void abortableSleep(delayMs, pause.signal).then(() => {
      if (!pause.signal.aborted) this._resume();
    });
  }

  private _resume(): void {
    this._pause?.abort();
    this._pause = undefined;
    this._paused = false;
    this._drain = true;
    this._pump();
  }

  private _recovered(): void {
    if (this._failures === 0) return;
    this._logger.info({ afterFailures: this._failures, buffered: this._buffered() }, 'Elasticsearch accepts bulk requests again');
    this._failures = 0;
    this._lastError = undefined;
  }

  // ---- bookkeeping ----------------------------------------------------------------------------

  private _inFlightDocs(): number {
    let n = 0;
    for (const r of this._inFlight) n += r.entries.length;
    return n;
  }

  private _buffered(): number {
    return this._queue.length + this._inFlightDocs();
  }

  /** True when no document with `seq <= watermark` is queued or in flight. */
  private _doneUpTo(watermark: number): boolean {
    const head = this._queue.peek();
    if (head !== undefined && head.seq <= watermark) return false;
    for (const r of this._inFlight) if (r.minSeq <= watermark) return false;
    return true;
  }

  private _notify(): void {
    for (const waiter of [...this._waiters]) waiter();
  }

  /**
   * Logs a problem without flooding: the first occurrence at once, later ones summed and logged
   * at most every `logIntervalMs` (from the tick, and at shutdown). Never silent.
   */
  private _problem(kind: Problem, msg: string, detail: Record<string, unknown>, count = 1): void {
    const now = this._clock.nowMs();
    const entry = this._pending.get(kind);
    if (entry === undefined || now - entry.lastLogMs >= this._logIntervalMs) {
      const total = (entry?.count ?? 0) + count;
      this._log(kind, msg, detail, total);
      this._pending.set(kind, { count: 0, lastLogMs: now, detail: {} });
      return;
    }
    entry.count += count;
    entry.detail = { ...detail, msg };
  }

  private _flushProblems(force: boolean): void {
    const now = this._clock.nowMs();
    for (const [kind, entry] of this._pending) {
      if (entry.count === 0 || (!force && now - entry.lastLogMs < this._logIntervalMs)) continue;
      const { msg, ...detail } = entry.detail;
      this._log(kind, typeof msg === 'string' ? msg : kind, detail, entry.count);
      this._pending.set(kind, { count: 0, lastLogMs: now, detail: {} });
    }
  }

  private _log(kind: Problem, msg: string, detail: Record<string, unknown>, count: number): void {
    const fields = { code: PROBLEM_CODE[kind], count, dropped: this._dropped, ...detail };
    if (kind === 'unavailable' && !msg.includes('dropped')) this._logger.warn(fields, msg);
    else this._logger.error(fields, msg);
  }
}
