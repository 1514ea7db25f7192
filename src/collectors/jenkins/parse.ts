import type { QueueDoc } from '../../model/index.js';
import { MAX_COUNT } from '../../util/bounds.js';
import { BUILD_MAX_DURATION_MS } from '../../util/buildDoc.js';
import { done, FieldReader, isRecord, type ParseResult } from '../../util/json.js';
import type { ComputerInfo, FinishedBuild, JenkinsNodeInfo, JobInfo, QueueItemInfo, RunningBuild } from './types.js';

/**
 * Pure parsers of Jenkins remote-API responses. No I/O, no clock: `nowMs` is passed in.
 * Field meanings: Jenkins core `Queue.java`, `Run.java`, `Computer.java` (`@Exported`), and the
 * Metrics plugin `TimeInQueueAction.java` (all values ms); see design/reference/apis.md §2.4, §4.
 */


/** Instants before this are not Jenkins timestamps (2000-01-01T00:00:00Z). */
export const MIN_PLAUSIBLE_EPOCH_MS = Date.UTC(2000, 0, 1);
/** Clock skew tolerated between Jenkins and us: a start up to this far in the future counts as "now". */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Checks an epoch-ms instant from Jenkins. Returns it when plausible, else records an error and
 * returns undefined (so no document ever carries it).
 */
function plausibleInstant(fr: FieldReader, obj: Record<string, unknown>, key: string, nowMs: number, subject: string): number | undefined {
  const v = fr.num(obj, key, subject);
  if (v === undefined) return undefined;
  // Jenkins instants are Java `long` ms: a fraction made a fractional wait_ms (fault case 5).
  if (!Number.isInteger(v)) {
    fr.issue(`${key} ${v} is not a whole number of ms`, subject);
    return undefined;
  }
  if (v < MIN_PLAUSIBLE_EPOCH_MS) {
    fr.issue(`${key} ${v} is before 2000 (negative, or not epoch ms)`, subject);
    return undefined;
  }
  if (v > nowMs + MAX_CLOCK_SKEW_MS) {
    fr.issue(`${key} ${isoOrRaw(v)} is in the future (now ${isoOrRaw(nowMs)})`, subject);
    return undefined;
  }
  return v;
}

/** ISO text of an epoch-ms instant, or the raw number when Date cannot represent it. */
function isoOrRaw(ms: number): string {
  return Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);
}

/**
 * A build number (`Run.number`, an `int` counting from 1): a whole number above 0, else an issue
 * and undefined. The job tree's last build numbers went through fr.num, so -0.5 or 0 was taken
 * as "the newest build" and builds were asked for by it (fault case 5).
 */
function buildNumberOf(fr: FieldReader, obj: Record<string, unknown>, key: string, subject: string): number | undefined {
  const n = fr.whole(obj, key, MAX_COUNT, subject);
  if (n !== 0) return n;
  fr.issue(`${key} is 0, not a build number (they start at 1)`, subject);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Names from URLs

/**
 * Job full name and build number from a Jenkins URL: the values after each `job/` segment,
 * decoded once and joined by `/`, then a trailing number. A base path (`/jenkins`) is ignored.
 *
 * @example jobFromUrl('https://ci/jenkins/job/DCAPI/job/Deploy/job/main/721/') → { jobName: 'DCAPI/Deploy/main', number: 721 }
 */
export function jobFromUrl(url: string): { jobName: string; number?: number } | undefined {
  let path: string;
  try {
    path = new URL(url, 'http://relative.invalid/').pathname;
  } catch {
    return undefined;
  }
  const seg = path.split('/').filter((s) => s !== '');
  const first = seg.indexOf('job');
  if (first < 0) return undefined;
  const names: string[] = [];
  let i = first;
  while (i + 1 < seg.length && seg[i] === 'job') {
    let name: string;
    try {
      name = decodeURIComponent(seg[i + 1]!);
    } catch {
      return undefined;
    }
    names.push(name);
    i += 2;
  }
  if (names.length === 0) return undefined;
  const rest = seg[i];
  const number = rest !== undefined && /^\d+$/.test(rest) ? Number(rest) : undefined;
  return { jobName: names.join('/'), ...(number !== undefined ? { number } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Queue

const LABEL_PATTERNS: readonly RegExp[] = [
  /Waiting for next available executor on\s+(.+?)\s*$/m,
  /There are no nodes with the label\s+(.+?)\s*$/m,
  /All nodes of label\s+(.+?)\s+are offline/m,
  /doesn[’']t have label\s+(.+?)\s*$/m,
];

function unquote(s: string): string {
  const m = /^[‘'"“](.*)[’'"”]$/.exec(s);
  return (m ? m[1]! : s).trim();
}

/**
 * The label a queue item waits for, from Jenkins' `why` text (quotes ‘…’ in 2.x, none or '…'
 * in older versions): "Waiting for next available executor on ‘docker’", "There are no nodes
 * with the label ‘x’", "All nodes of label ‘x’ are offline", "‘Jenkins’ doesn’t have label ‘x’".
 */
export function labelFromWhy(why: string | undefined): string | undefined {
  if (why === undefined) return undefined;
  for (const re of LABEL_PATTERNS) {
    const m = re.exec(why);
    if (m) {
      const label = unquote(m[1]!);
      if (label !== '') return label;
    }
  }
  return undefined;
}

function readQueueItem(fr: FieldReader, it: Record<string, unknown>, nowMs: number): QueueItemInfo {
  // A queue id is a Java `long` counter: a fraction or a negative (fr.num took both) is not an
  // id, and an id is the key builds are matched to their queue wait by (fault case 5).
  const id = fr.whole(it, 'id', MAX_COUNT, 'queue item');
  const subject = id !== undefined ? `queue item ${id}` : 'queue item';
  const task = fr.obj(it, 'task', subject);
  const taskName = task ? fr.str(task, 'name', subject) : undefined;
  const taskUrl = task ? fr.str(task, 'url', subject) : undefined;
  const fromUrl = taskUrl !== undefined ? jobFromUrl(taskUrl) : undefined;
  const jobName = fromUrl?.jobName ?? taskName;
  const why = fr.str(it, 'why', subject);
  let label: string | undefined;
  if (task) {
    const expr = fr.str(task, 'labelExpression', subject);
    const assigned = isRecord(task['assignedLabel']) ? fr.str(task['assignedLabel'], 'name', subject) : undefined;
    label = expr ?? assigned;
  }
  label ??= labelFromWhy(why);
  const hasSince = it['inQueueSince'] !== undefined && it['inQueueSince'] !== null;
  const sinceMs = hasSince
    ? plausibleInstant(fr, it, 'inQueueSince', nowMs, subject)
    : plausibleInstant(fr, it, 'buildableStartMilliseconds', nowMs, subject);
  const waitMs = sinceMs === undefined ? undefined : Math.max(0, nowMs - sinceMs);
  return {
    ...(id !== undefined ? { id } : {}),
    ...(jobName !== undefined ? { jobName } : {}),
    ...(taskUrl !== undefined ? { taskUrl } : {}),
    ...(label !== undefined ? { label } : {}),
    ...(sinceMs !== undefined ? { sinceMs } : {}),
    ...(waitMs !== undefined ? { waitMs } : {}),
    blocked: fr.bool(it, 'blocked', subject) ?? false,
    buildable: fr.bool(it, 'buildable', subject) ?? false,
    stuck: fr.bool(it, 'stuck', subject) ?? false,
    ...(why !== undefined ? { why } : {}),
  };
}

/** Result of {@link parseQueueItem}. */
export interface QueueItemDetail {
  readonly item: QueueItemInfo;
  /** `hudson.model.Queue$LeftItem`: the build it became (`executable{number,url}`). */
  readonly executable?: { readonly number: number; readonly url?: string };
  readonly cancelled?: boolean;
}

/**
 * `/queue/item/{id}/api/json` → the item, and once it left the queue (`Queue$LeftItem`) the
 * build it started as (`executable`) or whether it was cancelled.
 */
export function parseQueueItem(body: unknown, ctx: QueueContext): ParseResult<QueueItemDetail | undefined> {
  const fr = new FieldReader(ctx.target);
  if (!isRecord(body) || !('task' in body || 'id' in body)) {
    fr.issue('queue item answer is not an object with a task or id');
    return done(undefined, fr);
  }
  const item = readQueueItem(fr, body, ctx.nowMs);
  const ex = isRecord(body['executable']) ? body['executable'] : undefined;
  const number = ex ? buildNumberOf(fr, ex, 'number', 'executable') : undefined;
  const url = ex ? fr.str(ex, 'url', 'executable') : undefined;
  const cancelled = fr.bool(body, 'cancelled', 'queue item');
  return done(
    {
      item,
      ...(number !== undefined ? { executable: { number, ...(url !== undefined ? { url } : {}) } } : {}),
      ...(cancelled !== undefined ? { cancelled } : {}),
    },
    fr,
  );
}

/** Context of the queue parser. */
export interface QueueContext {
  readonly target: string;
  readonly nowMs: number;
}

/**
 * `/queue/api/json` → items with their current wait: now − `inQueueSince`, falling back to
 * `buildableStartMilliseconds` on old Jenkins without `id`/`inQueueSince`. A start in the future
 * (beyond {@link MAX_CLOCK_SKEW_MS}) or before 2000 is an error and leaves the wait absent;
 * a start within the skew tolerance counts as a wait of 0.
 */
export function parseQueue(body: unknown, ctx: QueueContext): ParseResult<QueueItemInfo[]> {
  const fr = new FieldReader(ctx.target);
  if (!isRecord(body) || !Array.isArray(body['items'])) {
    fr.issue('/queue/api/json is not an object with an items array');
    return done([], fr);
  }
  const items: QueueItemInfo[] = [];
  for (const it of body['items']) {
    if (!isRecord(it)) {
      fr.issue('queue item is not an object', 'items');
      continue;
    }
    items.push(readQueueItem(fr, it, ctx.nowMs));
  }
  return done(items, fr);
}

/**
 * Nearest-rank percentile of ascending values: the smallest value with at least p % of the
 * values at or below it.
 *
 * @example nearestRank([10, 20, 30, 40], 50) === 20; nearestRank([10, 20, 30, 40], 95) === 40
 */
export function nearestRank(sortedAsc: readonly number[], p: number): number | undefined {
  if (sortedAsc.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sortedAsc.length));
  return sortedAsc[Math.min(rank, sortedAsc.length) - 1];
}

/** Context of {@link queueDocs}. */
export interface QueueDocContext {
  readonly nowMs: number;
  /** Jenkins base URL (redacted). */
  readonly jenkinsUrl?: string;
  /** Executors at the same time, for `executors.{total,busy,idle}` overall and per label. */
  readonly computers?: ComputerInfo;
}

function summarize(items: readonly QueueItemInfo[]): QueueDoc['queue'] {
  const waits = items.flatMap((i) => (i.waitMs === undefined ? [] : [i.waitMs])).sort((a, b) => a - b);
  const max = waits.length > 0 ? waits[waits.length - 1] : undefined;
  return {
    length: items.length,
    buildable: items.filter((i) => i.buildable).length,
    blocked: items.filter((i) => i.blocked).length,
    stuck: items.filter((i) => i.stuck).length,
    ...(max !== undefined ? { oldest_wait_ms: max, wait_ms: { p50: nearestRank(waits, 50)!, p95: nearestRank(waits, 95)!, max } } : {}),
  };
}

function executorsFor(computers: ComputerInfo | undefined, label?: string): QueueDoc['executors'] | undefined {
  if (computers === undefined) return undefined;
  if (label === undefined) {
    const e = computers.executors;
    return e.total === undefined && e.busy === undefined ? undefined : e;
  }
  const nodes = computers.nodes.filter((n) => !n.offline && (n.labels.includes(label) || n.name === label));
  if (nodes.length === 0) return { total: 0, busy: 0, idle: 0 };
  if (nodes.some((n) => n.numExecutors === undefined || n.busyExecutors === undefined)) return undefined;
  const total = nodes.reduce((a, n) => a + n.numExecutors!, 0);
  const busy = nodes.reduce((a, n) => a + n.busyExecutors!, 0);
  return { total, busy, idle: Math.max(0, total - busy) };
}

/**
 * Queue items → one `jenkins.queue` document for the whole queue plus one `jenkins.queue.label`
 * document per label seen (items whose label is unknown count only in the overall document).
 * `queue.wait_ms.{p50,p95,max}` are nearest-rank over the items with a known wait.
 */
export function queueDocs(items: readonly QueueItemInfo[], ctx: QueueDocContext): QueueDoc[] {
  const ts = new Date(ctx.nowMs).toISOString();
  const url = ctx.jenkinsUrl;
  const overallExec = executorsFor(ctx.computers);
  const docs: QueueDoc[] = [
    {
      '@timestamp': ts,
      event: { dataset: 'jenkins.queue', module: 'jenkins' },
      ...(url !== undefined ? { jenkins: { url } } : {}),
      queue: summarize(items),
      ...(overallExec ? { executors: overallExec } : {}),
    },
  ];
  const byLabel = new Map<string, QueueItemInfo[]>();
  for (const item of items) {
    if (item.label === undefined) continue;
    const list = byLabel.get(item.label) ?? [];
    list.push(item);
    byLabel.set(item.label, list);
  }
  for (const [label, list] of [...byLabel.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const exec = executorsFor(ctx.computers, label);
    docs.push({
      '@timestamp': ts,
      event: { dataset: 'jenkins.queue.label', module: 'jenkins' },
      jenkins: { ...(url !== undefined ? { url } : {}), label },
      queue: summarize(list),
      ...(exec ? { executors: exec } : {}),
    });
  }
  return docs;
}

// ---------------------------------------------------------------------------------------------
// Computers

/**
 * `/computer/api/json` → nodes, executor totals and — at `?depth=1` or with
 * `tree=computer[executors[currentExecutable[number,url]]]` — which build runs on which node.
 * Totals are Jenkins' own `totalExecutors`/`busyExecutors` (online executors only).
 */
export function parseComputers(body: unknown, ctx: { readonly target: string }): ParseResult<ComputerInfo> {
  const fr = new FieldReader(ctx.target);
  if (!isRecord(body) || !Array.isArray(body['computer'])) {
    fr.issue('/computer/api/json is not an object with a computer array');
    return done({ nodes: [], executors: {}, running: [] }, fr);
  }
  const nodes: JenkinsNodeInfo[] = [];
  const running: RunningBuild[] = [];
  for (const c of body['computer']) {
    if (!isRecord(c)) {
      fr.issue('computer entry is not an object', 'computer');
      continue;
    }
    const name = fr.str(c, 'displayName', 'computer');
    if (name === undefined) {
      fr.issue('computer without a displayName', 'computer');
      continue;
    }
    const subject = `node ${name}`;
    const labels: string[] = [];
    for (const l of fr.arr(c, 'assignedLabels', subject) ?? []) if (isRecord(l) && typeof l['name'] === 'string') labels.push(l['name']);
    let busy = 0;
    let known = false;
    for (const key of ['executors', 'oneOffExecutors']) {
      for (const e of fr.arr(c, key, subject) ?? []) {
        if (!isRecord(e)) continue;
        const ce = e['currentExecutable'];
        const idle = typeof e['idle'] === 'boolean' ? e['idle'] : undefined;
        if (idle !== undefined || 'currentExecutable' in e) known = known || key === 'executors';
        if (isRecord(ce)) {
          if (key === 'executors') busy++;
          const url = fr.str(ce, 'url', subject);
          const number = buildNumberOf(fr, ce, 'number', subject);
          const job = url !== undefined ? jobFromUrl(url) : undefined;
          if (url === undefined || job === undefined || number === undefined) {
            fr.issue('currentExecutable without a usable url/number', subject);
            continue;
          }
          running.push({ nodeName: name, jobName: job.jobName, number, url });
        } else if (idle === false && key === 'executors') busy++;
      }
    }
    // Executor counts are `int`s and `executors.*` are `long` fields: a fraction or 1e300
    // (fr.nonNeg took both, fault case 5) is an issue, never a count.
    const numExecutors = fr.whole(c, 'numExecutors', MAX_COUNT, subject);
    const temporarilyOffline = fr.bool(c, 'temporarilyOffline', subject);
    const idle = fr.bool(c, 'idle', subject);
    nodes.push({
      name,
      offline: fr.bool(c, 'offline', subject) ?? false,
      ...(temporarilyOffline !== undefined ? { temporarilyOffline } : {}),
      ...(numExecutors !== undefined ? { numExecutors } : {}),
      ...(known ? { busyExecutors: busy } : {}),
      ...(idle !== undefined ? { idle } : {}),
      labels,
    });
  }
  const total = fr.whole(body, 'totalExecutors', MAX_COUNT);
  const busy = fr.whole(body, 'busyExecutors', MAX_COUNT);
  const executors = {
    ...(total !== undefined ? { total } : {}),
    ...(busy !== undefined ? { busy } : {}),
    ...(total !== undefined && busy !== undefined ? { idle: Math.max(0, total - busy) } : {}),
  };
  return done({ nodes, executors, running }, fr);
}

// ---------------------------------------------------------------------------------------------
// Jobs and builds

/** Context of {@link parseJobTree}. */
export interface JobTreeContext {
  readonly target: string;
  /** Folder levels followed below the root (deeper folders are skipped and counted). */
  readonly maxDepth: number;
  /** Path of the folder this answer belongs to (empty for the root). */
  readonly prefix?: readonly string[];
  /** Folder depth of `prefix` (0 for the root). */
  readonly startDepth?: number;
}

/** Result of {@link parseJobTree}. */
export interface JobTree {
  readonly jobs: JobInfo[];
  /**
   * Folders listed without their `jobs` (a server that does not expand nested `tree=` levels),
   * within the depth cap: to be asked for directly, at `depth`.
   */
  readonly unexpandedFolders: Array<{ readonly path: readonly string[]; readonly depth: number }>;
}

/**
 * A `jobs[…]` tree (root `/api/json?tree=jobs[name,url,lastCompletedBuild[number],jobs[…]]`)
 * → the jobs in it, folders flattened: a node with a `jobs` array is a folder. Folders whose
 * children were cut off by the depth cap are counted as `folder_depth_cap`; folders (by
 * `_class`) listed without `jobs` inside the cap are returned as `unexpandedFolders`.
 */
export function parseJobTree(body: unknown, ctx: JobTreeContext): ParseResult<JobTree> {
  const fr = new FieldReader(ctx.target);
  const out: JobInfo[] = [];
  const unexpandedFolders: Array<{ path: readonly string[]; depth: number }> = [];
  if (!isRecord(body) || !Array.isArray(body['jobs'])) {
    fr.issue('job tree is not an object with a jobs array');
    return done({ jobs: out, unexpandedFolders }, fr);
  }
  const walk = (jobs: readonly unknown[], prefix: readonly string[], depth: number): void => {
    for (const j of jobs) {
      if (!isRecord(j)) {
        fr.issue('job entry is not an object', prefix.join('/') || 'jobs');
        continue;
      }
      const name = fr.str(j, 'name', 'job');
      if (name === undefined || name === '') {
        fr.issue('job without a name', prefix.join('/') || 'jobs');
        continue;
      }
      const path = [...prefix, name];
      const cls = typeof j['_class'] === 'string' ? j['_class'] : '';
      const children = j['jobs'];
      if (Array.isArray(children)) {
        if (depth >= ctx.maxDepth) fr.skip('folder_depth_cap');
        else walk(children, path, depth + 1);
        continue;
      }
      if (/Folder|MultiBranchProject|OrganizationFolder/.test(cls)) {
        if (depth >= ctx.maxDepth) fr.skip('folder_depth_cap');
        else unexpandedFolders.push({ path, depth: depth + 1 });
        continue;
      }
      const url = fr.str(j, 'url', path.join('/'));
      const lc = isRecord(j['lastCompletedBuild']) ? buildNumberOf(fr, j['lastCompletedBuild'], 'number', path.join('/')) : undefined;
      const lb = isRecord(j['lastBuild']) ? buildNumberOf(fr, j['lastBuild'], 'number', path.join('/')) : undefined;
      out.push({
        fullName: path.join('/'),
        path,
        ...(url !== undefined ? { url } : {}),
        ...(lc !== undefined ? { lastCompletedNumber: lc } : {}),
        ...(lb !== undefined ? { lastNumber: lb } : {}),
        buildRefsReported: 'lastCompletedBuild' in j || 'lastBuild' in j,
      });
    }
  };
  walk(body['jobs'], ctx.prefix ?? [], ctx.startDepth ?? 0);
  return done({ jobs: out, unexpandedFolders }, fr);
}

const TIME_IN_QUEUE_CLASS = 'jenkins.metrics.impl.TimeInQueueAction';

function timeInQueue(fr: FieldReader, actions: readonly unknown[], subject: string): FinishedBuild['queue'] | undefined {
  const a = actions.find(
    (x): x is Record<string, unknown> =>
      isRecord(x) && (x['_class'] === TIME_IN_QUEUE_CLASS || 'queuingDurationMillis' in x || 'waitingDurationMillis' in x),
  );
  if (a === undefined) return undefined;
  // Durations are `long` ms, at most a build's longest (a year): a fraction (5e-324) or 1e300
  // reached queue.wait_ms and buildable_ms, `long` fields (fault case 5).
  const queuing = fr.whole(a, 'queuingDurationMillis', BUILD_MAX_DURATION_MS, `${subject}.queuingDurationMillis`);
  const blocked = fr.whole(a, 'blockedDurationMillis', BUILD_MAX_DURATION_MS, `${subject}.blockedDurationMillis`);
  const buildable = fr.whole(a, 'buildableDurationMillis', BUILD_MAX_DURATION_MS, `${subject}.buildableDurationMillis`);
  const waiting = fr.whole(a, 'waitingDurationMillis', BUILD_MAX_DURATION_MS, `${subject}.waitingDurationMillis`);
  // queuing = blocked + buildable + waiting (TimeInQueueAction.java); plugin 4.x hides
  // queuingDurationMillis at default depth, so the sum stands in for it.
  const waitMs = queuing ?? (blocked !== undefined && buildable !== undefined && waiting !== undefined ? blocked + buildable + waiting : undefined);
  if (waitMs === undefined && buildable === undefined) return undefined;
  return { ...(waitMs !== undefined ? { waitMs } : {}), ...(buildable !== undefined ? { buildableMs: buildable } : {}), source: 'time_in_queue_action' };
}

/** Context of {@link parseBuilds}. */
export interface BuildsContext {
  readonly target: string;
  readonly nowMs: number;
  /** Full name of the job the builds belong to; derived from each build's URL when absent. */
  readonly jobName?: string;
  /** Jenkins base URL (redacted), copied into each record. */
  readonly jenkinsUrl?: string;
}

/** Result of {@link parseBuilds}. */
export interface BuildsInfo {
  readonly finished: FinishedBuild[];
  /** Numbers of builds still running. */
  readonly building: number[];
}

/**
 * A job response with `builds[…]` (or one build's `/api/json`) → finished builds. A build with
 * `building: true` (or, when `building` was not requested, `result: null`) is not finished.
 * A start (`timestamp`) before 2000 or in the future, a negative `duration`, or a missing
 * number is an error and the build is left out rather than written with a wrong number.
 */
export function parseBuilds(body: unknown, ctx: BuildsContext): ParseResult<BuildsInfo> {
  const fr = new FieldReader(ctx.target);
  const finished: FinishedBuild[] = [];
  const building: number[] = [];
  let list: unknown[];
  if (isRecord(body) && Array.isArray(body['builds'])) list = body['builds'];
  else if (isRecord(body) && 'number' in body && ('timestamp' in body || 'building' in body)) list = [body];
  else {
    fr.issue('neither a job with builds nor a build');
    return done({ finished, building }, fr);
  }
  for (const b of list) {
    if (!isRecord(b)) {
      fr.issue('build entry is not an object', ctx.jobName ?? 'builds');
      continue;
    }
    // 1.8e308 passed Number.isInteger as a build number (fault case 5): bounded by buildNumberOf
    const issuesBefore = fr.errors.length;
    const number = buildNumberOf(fr, b, 'number', `${ctx.jobName ?? '?'} build`);
    if (number === undefined) {
      // one error per unusable build: the reader's own, else this one
      if (fr.errors.length === issuesBefore) fr.issue('build without a positive integer number', ctx.jobName ?? 'builds');
      continue;
    }
    const url = fr.str(b, 'url', `build ${number}`);
    const jobName = ctx.jobName ?? (url !== undefined ? jobFromUrl(url)?.jobName : undefined);
    if (jobName === undefined) {
      fr.issue('build whose job is unknown (no job context, no usable url)', `build ${number}`);
      continue;
    }
    const subject = `${jobName} #${number}`;
    const isBuilding = fr.bool(b, 'building', subject);
    const result = fr.str(b, 'result', subject);
    if (isBuilding === true || (isBuilding === undefined && result === undefined)) {
      if (isBuilding === undefined && !('result' in b)) {
        fr.skip('build_fields_missing');
        continue;
      }
      building.push(number);
      continue;
    }
    const startMs = plausibleInstant(fr, b, 'timestamp', ctx.nowMs, subject);
    // a whole number of ms up to a year (readBuildDoc refuses longer builds): a fraction or 1e300 is an issue
    const durationMs = fr.whole(b, 'duration', BUILD_MAX_DURATION_MS, subject);
    if (startMs === undefined || durationMs === undefined) {
      if (b['timestamp'] === undefined || b['duration'] === undefined) fr.issue('finished build without timestamp or duration', subject);
      continue;
    }
    const builtOn = fr.str(b, 'builtOn', subject);
    // The queue item id the build came from (a `long`): a fraction matched no queue item and was
    // stored as one (fault case 5); a whole number ≥ 0 or none.
    const queueId = fr.whole(b, 'queueId', MAX_COUNT, subject);
    const queue = timeInQueue(fr, fr.arr(b, 'actions', subject) ?? [], subject);
    finished.push({
      ...(ctx.jenkinsUrl !== undefined ? { jenkinsUrl: ctx.jenkinsUrl } : {}),
      jobName,
      number,
      ...(url !== undefined ? { url } : {}),
      ...(result !== undefined ? { result } : {}),
      ...(builtOn !== undefined ? { builtOn } : {}),
      ...(queueId !== undefined ? { queueId } : {}),
      startMs,
      durationMs,
      endMs: startMs + durationMs,
      ...(queue !== undefined ? { queue } : {}),
    });
  }
  return done({ finished, building }, fr);
}
