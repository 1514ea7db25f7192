import type { CollectError, CollectionResult, Sample } from '../../model/index.js';
import { redactUrl, stripCredentials } from '../../errors/index.js';
import { systemClock, type Clock } from '../../util/clock.js';
import { HttpJsonClient } from '../http/HttpJsonClient.js';
import type { TlsOptions } from '../tls.js';
import { collectErrorFrom, failedPoll, joinUrl, mapLimit, mergeCounts } from '../http/util.js';
import type { Collector } from '../types.js';
import { parseBuilds, parseComputers, parseJobTree, parseQueue, queueDocs } from './parse.js';
import type { ComputerInfo, FinishedBuild, JobInfo, QueueItemInfo, RunningBuild } from './types.js';

/** Options of {@link JenkinsCollector}. */
export interface JenkinsCollectorOptions {
  /** Jenkins base URL, e.g. `https://ci.example.com/jenkins/`. */
  readonly url: string;
  /** Basic auth: user + API token (see `resolveJenkinsCredentials`). */
  readonly auth?: { readonly username: string; readonly password: string };
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly tls?: TlsOptions;
  readonly clock?: Clock;
  readonly client?: HttpJsonClient;
  /** Folder levels followed below the root. @defaultValue 4 */
  readonly folderDepth?: number;
  /** Builds requested per job (`builds[…]{0,N}`). @defaultValue 50 */
  readonly buildsPerRequest?: number;
  /**
   * On the first sight of a job (collector start), builds that ended at most this long ago are
   * reported; older ones are taken as already handled. @defaultValue 3600000 (1 h)
   */
  readonly backfillMs?: number;
  /** Job build requests in flight. @defaultValue 4 */
  readonly concurrency?: number;
  /** Receives the finished builds of every poll (the build summary's input). */
  readonly onFinishedBuilds?: (builds: readonly FinishedBuild[]) => void;
}

/** Everything one poll found: documents plus the raw records other layers join on. */
export interface JenkinsPoll {
  readonly result: CollectionResult;
  readonly finishedBuilds: readonly FinishedBuild[];
  /** Which build runs on which node now (from the executors). */
  readonly running: readonly RunningBuild[];
  readonly queue: readonly QueueItemInfo[];
  readonly computers?: ComputerInfo;
}

interface JobState {
  lastCompleted?: number;
  /** Finished builds already reported (or deliberately passed over at start), pruned to a window. */
  readonly handled: Set<number>;
  /** Builds seen running: refetch the job until they finish (they may finish out of order). */
  readonly building: Set<number>;
}

interface QueueMemory {
  readonly sinceMs: number;
  readonly label?: string;
  lastSeenMs: number;
}

const QUEUE_MEMORY_MS = 24 * 3_600_000;
const RUNNING_MEMORY_MS = 24 * 3_600_000;
const HANDLED_WINDOW = 500;
/** Folder answers asked for separately per poll, at most (servers that do not expand nested trees). */
const MAX_FOLDER_REQUESTS = 200;

/** `['a', 'b']` → `job/a/job/b` (each name URL-encoded). */
function jobPath(path: readonly string[]): string {
  return path.map((p) => `job/${encodeURIComponent(p)}`).join('/');
}

const COMPUTER_TREE =
  'busyExecutors,totalExecutors,computer[displayName,offline,temporarilyOffline,numExecutors,idle,assignedLabels[name],' +
  'executors[idle,number,progress,likelyStuck,currentExecutable[number,url]],oneOffExecutors[idle,number,currentExecutable[number,url]]]';
const QUEUE_TREE = 'items[_class,id,inQueueSince,buildableStartMilliseconds,blocked,buildable,stuck,why,task[name,url]]';
const BUILD_FIELDS =
  'number,url,timestamp,duration,result,building,builtOn,queueId,' +
  'actions[_class,queuingDurationMillis,blockedDurationMillis,buildableDurationMillis,waitingDurationMillis]';

/** `jobs[…,jobs[…]]` nested `depth` folder levels deep. */
export function jobTreeQuery(depth: number): string {
  const fields = 'name,url,_class,lastCompletedBuild[number],lastBuild[number]';
  let tree = `jobs[${fields}]`;
  for (let i = 0; i < depth; i++) tree = `jobs[${fields},${tree}]`;
  return tree;
}

/**
 * Polls one Jenkins: the queue and the executors every poll (→ one `jenkins.queue` document
 * plus one per label), and finished builds found incrementally.
 *
 * Builds: the job tree (`/api/json?tree=jobs[…]`, folders to `folderDepth`) gives each job's
 * `lastCompletedBuild`; only jobs where it moved, or where a build was seen running, are asked
 * for their newest `buildsPerRequest` builds with a bounded `tree=` — never the full history.
 * Each finished build is reported once, even when builds finish out of order. Queue wait comes
 * from the Metrics plugin's `TimeInQueueAction` when present, else from this collector's own
 * queue polls (build start − the item's `inQueueSince`, matched by `queueId`).
 */
export class JenkinsCollector implements Collector {
  readonly target: string;
  private readonly _opts: JenkinsCollectorOptions;
  private readonly _base: string;
  private readonly _redactedBase: string;
  /** The base as documents and `_id`s carry it: no credentials, however they were supplied. */
  private readonly _publicBase: string;
  private readonly _client: HttpJsonClient;
  private readonly _ownsClient: boolean;
  private readonly _clock: Clock;
  private readonly _jobs = new Map<string, JobState>();
  private readonly _queue = new Map<number, QueueMemory>();
  private readonly _running = new Map<string, { nodeName: string; label?: string; lastSeenMs: number }>();

  constructor(options: JenkinsCollectorOptions) {
    this._opts = options;
    this._base = options.url.replace(/\/+$/, '');
    this._redactedBase = redactUrl(this._base + '/');
    this._publicBase = stripCredentials(this._base + '/');
    this._clock = options.clock ?? systemClock;
    this._ownsClient = options.client === undefined;
    this._client =
      options.client ??
      new HttpJsonClient({
        timeoutMs: options.timeoutMs,
        maxResponseBytes: options.maxResponseBytes,
        ...(options.auth ? { auth: options.auth } : {}),
        ...(options.tls ? { tls: options.tls } : {}),
      });
    this.target = `jenkins ${this._redactedBase}`;
  }

  async collect(signal: AbortSignal): Promise<CollectionResult> {
    const poll = await this.poll(signal);
    if (poll.finishedBuilds.length > 0) this._opts.onFinishedBuilds?.(poll.finishedBuilds);
    return poll.result;
  }

  /** One poll with everything it found (the `Collector` contract is {@link collect}). */
  async poll(signal: AbortSignal): Promise<JenkinsPoll> {
    const errors: CollectError[] = [];
    const skipped: Record<string, number> = {};
    const samples: Sample[] = [];
    const depth = this._opts.folderDepth ?? 4;
    const [queueRes, compRes, treeRes] = await Promise.allSettled([
      this._client.getJson(this._url(`queue/api/json?tree=${encodeURIComponent(QUEUE_TREE)}`), signal),
      this._client.getJson(this._url(`computer/api/json?tree=${encodeURIComponent(COMPUTER_TREE)}`), signal),
      this._client.getJson(this._url(`api/json?tree=${encodeURIComponent(jobTreeQuery(depth))}`), signal),
    ]);
    const nowMs = this._clock.nowMs();
    let answered = 0;

    let computers: ComputerInfo | undefined;
    if (compRes.status === 'fulfilled') {
      answered++;
      const parsed = parseComputers(compRes.value.body, { target: this.target });
      errors.push(...parsed.errors);
      if (parsed.value.nodes.length > 0 || parsed.errors.length === 0) computers = parsed.value;
    } else errors.push(collectErrorFrom(this.target, compRes.reason, this._url('computer/api/json')));
    for (const r of computers?.running ?? []) {
      // Jenkins gives every node a self-label; the other one is the label the build asked for.
      const label = computers?.nodes.find((n) => n.name === r.nodeName)?.labels.find((l) => l !== r.nodeName);
      this._running.set(`${r.jobName}#${r.number}`, { nodeName: r.nodeName, ...(label !== undefined ? { label } : {}), lastSeenMs: nowMs });
    }

    let items: QueueItemInfo[] = [];
    if (queueRes.status === 'fulfilled') {
      answered++;
      const parsed = parseQueue(queueRes.value.body, { target: this.target, nowMs });
      errors.push(...parsed.errors);
      mergeCounts(skipped, parsed.skipped);
      items = parsed.value;
      if (!(parsed.value.length === 0 && parsed.errors.length > 0)) {
        for (const doc of queueDocs(items, { nowMs, jenkinsUrl: this._publicBase, ...(computers ? { computers } : {}) })) samples.push({ kind: 'queue', doc });
      }
      for (const it of items) {
        if (it.id === undefined || it.sinceMs === undefined) continue;
        const known = this._queue.get(it.id);
        if (known) known.lastSeenMs = nowMs;
        else this._queue.set(it.id, { sinceMs: it.sinceMs, ...(it.label !== undefined ? { label: it.label } : {}), lastSeenMs: nowMs });
      }
    } else errors.push(collectErrorFrom(this.target, queueRes.reason, this._url('queue/api/json')));

    const finished: FinishedBuild[] = [];
    if (treeRes.status === 'fulfilled') {
      answered++;
      const tree = parseJobTree(treeRes.value.body, { target: this.target, maxDepth: depth });
      errors.push(...tree.errors);
      mergeCounts(skipped, tree.skipped);
      const jobs = [...tree.value.jobs];
      let whole = tree.errors.length === 0;
      // Folders the server listed without their jobs: ask each one directly (bounded).
      const pending = [...tree.value.unexpandedFolders];
      let folderRequests = 0;
      while (pending.length > 0 && !signal.aborted) {
        const folder = pending.shift()!;
        if (folderRequests >= MAX_FOLDER_REQUESTS) {
          mergeCounts(skipped, { folder_request_cap: 1 + pending.length });
          whole = false;
          break;
        }
        folderRequests++;
        const sub = jobTreeQuery(Math.max(0, depth - folder.depth));
        const url = this._url(`${jobPath(folder.path)}/api/json?tree=${encodeURIComponent(sub)}`);
        try {
          const res = await this._client.getJson(url, signal);
          const parsed = parseJobTree(res.body, { target: this.target, maxDepth: depth, prefix: folder.path, startDepth: folder.depth });
          errors.push(...parsed.errors);
          mergeCounts(skipped, parsed.skipped);
          if (parsed.errors.length > 0) whole = false;
          jobs.push(...parsed.value.jobs);
          pending.push(...parsed.value.unexpandedFolders);
        } catch (err) {
          errors.push(collectErrorFrom(this.target, err, url));
          whole = false;
        }
      }
      // Forget jobs that are gone (deleted, renamed) when the whole tree was read.
      if (whole) {
        const present = new Set(jobs.map((j) => j.fullName));
        for (const name of [...this._jobs.keys()]) if (!present.has(name)) this._jobs.delete(name);
      }
      const due = jobs.filter((job) => this._isDue(job));
      const results = await mapLimit(due, this._opts.concurrency ?? 4, (job) => this._pollJob(job, nowMs, signal));
      for (const r of results) {
        finished.push(...r.finished);
        errors.push(...r.errors);
        mergeCounts(skipped, r.skipped);
      }
    } else errors.push(collectErrorFrom(this.target, treeRes.reason, this._url('api/json')));

    this._forget(nowMs);
    if (answered === 0) throw failedPoll(`Jenkins at ${this._redactedBase}`, errors, { url: this._redactedBase });
    return { result: { samples, errors, skipped }, finishedBuilds: finished, running: computers?.running ?? [], queue: items, ...(computers ? { computers } : {}) };
  }

  shutdown(): Promise<void> {
    return this._ownsClient ? this._client.shutdown() : Promise.resolve();
  }

  private _url(path: string): string {
    return joinUrl(this._base, path);
  }

  private _isDue(job: JobInfo): boolean {
    // The server did not say which builds exist: ask (bounded by buildsPerRequest) every poll.
    if (!job.buildRefsReported) return true;
    const st = this._jobs.get(job.fullName);
    if (st === undefined) return job.lastCompletedNumber !== undefined || job.lastNumber !== undefined;
    if (st.building.size > 0) return true;
    return job.lastCompletedNumber !== undefined && job.lastCompletedNumber !== st.lastCompleted;
  }

  private async _pollJob(job: JobInfo, nowMs: number, signal: AbortSignal): Promise<{ finished: FinishedBuild[]; errors: CollectError[]; skipped: Record<string, number> }> {
    const path = jobPath(job.path);
    const n = this._opts.buildsPerRequest ?? 50;
    const url = this._url(`${path}/api/json?tree=${encodeURIComponent(`builds[${BUILD_FIELDS}]{0,${n}}`)}`);
    let body: unknown;
    try {
      body = (await this._client.getJson(url, signal)).body;
    } catch (err) {
      return { finished: [], errors: [collectErrorFrom(this.target, err, url)], skipped: {} };
    }
    const parsed = parseBuilds(body, { target: this.target, nowMs, jobName: job.fullName, jenkinsUrl: this._publicBase });
    const skipped: Record<string, number> = { ...parsed.skipped };
    const firstSight = !this._jobs.has(job.fullName);
    const st: JobState = this._jobs.get(job.fullName) ?? { handled: new Set(), building: new Set() };
    this._jobs.set(job.fullName, st);
    if (job.lastCompletedNumber !== undefined) st.lastCompleted = job.lastCompletedNumber;
    st.building.clear();
    for (const b of parsed.value.building) st.building.add(b);
    const out: FinishedBuild[] = [];
    const backfillMs = this._opts.backfillMs ?? 3_600_000;
    for (const b of parsed.value.finished) {
      if (st.handled.has(b.number)) continue;
      st.handled.add(b.number);
      if (firstSight && b.endMs < nowMs - backfillMs) {
        mergeCounts(skipped, { build_before_start: 1 });
        continue;
      }
      out.push(this._enrich(b));
    }
    const max = Math.max(0, ...st.handled);
    for (const h of st.handled) if (h < max - HANDLED_WINDOW) st.handled.delete(h);
    return { finished: out, errors: [...parsed.errors], skipped };
  }

  /**
   * Adds what only this collector's own polls know: queue wait and label (from the queue item),
   * the node it was seen running on (fills in for Pipeline runs) and, failing the queue, that
   * node's label.
   */
  private _enrich(b: FinishedBuild): FinishedBuild {
    let out = b;
    const q = b.queueId !== undefined ? this._queue.get(b.queueId) : undefined;
    if (q !== undefined) {
      if (q.label !== undefined) out = { ...out, label: q.label };
      if (out.queue === undefined && b.startMs >= q.sinceMs) out = { ...out, queue: { waitMs: b.startMs - q.sinceMs, source: 'queue_poll' } };
    }
    const seen = this._running.get(`${b.jobName}#${b.number}`);
    if (seen !== undefined) {
      out = { ...out, nodeName: seen.nodeName };
      if (out.label === undefined && seen.label !== undefined) out = { ...out, label: seen.label };
    }
    return out;
  }

  private _forget(nowMs: number): void {
    for (const [id, q] of this._queue) if (nowMs - q.lastSeenMs > QUEUE_MEMORY_MS) this._queue.delete(id);
    for (const [key, r] of this._running) if (nowMs - r.lastSeenMs > RUNNING_MEMORY_MS) this._running.delete(key);
  }
}
