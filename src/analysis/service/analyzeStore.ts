import type { Client } from '@elastic/elasticsearch';
import { indexName, recommendationId } from '../../store/index.js';
import type { RecommendationDoc, Resources } from '../../model/index.js';
import { StoreError, redactUrl } from '../../errors/index.js';
import {
  emptyWriteStats,
  fetchRecommendations,
  recommendationDocId,
  searchJobPages,
  searchMarathonAppPages,
  writeRecommendations,
  type JobBucket,
  type JobBuild,
  type RecommendationWriteStats,
} from '../../store/queries/index.js';
import { storeCodeOf } from '../../store/index.js';
import { analyzeBuilds } from '../analyze.js';
import { planLabels, type LabelPlan, type PlanJob } from '../labels/plan.js';
import { recommendLabels } from '../labels/labels.js';
import { MARATHON_WINDOW_MS, recommendMarathonAppFromWindows } from '../recommend/marathon.js';
import { selectBuilds } from '../recommend/core.js';
import type { RecommenderPolicy } from '../recommend/policy.js';
import { workloadKey, type BuildRecord } from '../recommend/records.js';
import { buildRate } from '../recommend/workload.js';
import { DAY_MS } from '../../util/units.js';
import type { ExcludedWorkload, OverrideSet } from '../overrides.js';

/** Elasticsearch's default `index.max_inner_result_window`: the most hits one `top_hits` bucket may return. */
export const MAX_TOP_HITS = 100;

export interface AnalyzeStoreOptions {
  readonly client: Client;
  /** `elasticsearch.indexPrefix`. */
  readonly prefix: string;
  /** The URL, for error messages only (redacted). */
  readonly url: string;
  readonly policy: RecommenderPolicy;
  /** Evaluate as of this instant (builds that ended later are ignored). */
  readonly nowMs: number;
  /** The run's instant: history `_id`s and month. Defaults to `nowMs`. */
  readonly runMs?: number;
  /** Job buckets per composite page. @defaultValue 500 */
  readonly pageSize?: number;
  /** Print only: read previous recommendations but write nothing. */
  readonly dryRun?: boolean;
  /** Also plan at most this many label sizes. */
  readonly planK?: number;
  /**
   * Also store the `jenkins.label` documents (latest at `_id` = `jenkins.label:<label>`, plus
   * history). Off by default for callers of this library function; `rightsize analyze` turns it on.
   */
  readonly writeLabels?: boolean;
  /**
   * Also recommend Marathon apps (kind `marathon.app`) from the `mesos.executor` container
   * documents that carry `marathon.app.id`, written (unless `dryRun`) at
   * `_id` = `marathon.app:<app id>` plus history. @defaultValue true
   */
  readonly marathonApps?: boolean;
  /** App buckets per composite page (lowered to stay under `search.max_buckets`). @defaultValue 50 */
  readonly appPageSize?: number;
  /**
   * `analysis.overrides`. An excluded job gets no recommendation, and (unless `dryRun`) the latest
   * document a run before its exclusion stored is deleted, so the API stops answering it (its
   * history stays).
   */
  readonly overrides?: OverrideSet;
}

export interface AnalyzeStoreStats {
  pages: number;
  jobs: number;
  /** Builds the recommender received (≤ maxBuilds per job). */
  builds: number;
  /** Hits skipped for a missing/malformed required field. */
  skippedBuilds: number;
  /** Malformed optional fields dropped. */
  badFields: number;
  skippedBuckets: number;
  readonly write: RecommendationWriteStats;
  /** The label documents' write (all zero unless `writeLabels`). */
  readonly labelWrite: RecommendationWriteStats;
  /** Marathon apps found, and the 1 h windows of usage they were recommended from. */
  apps: number;
  appWindows: number;
  /** The `marathon.app` documents' write. */
  readonly appWrite: RecommendationWriteStats;
  /** Jobs an override excluded, and the stale latest documents of excluded jobs deleted. */
  excluded: number;
  excludedDeleted: number;
}

export interface AnalyzeStoreResult {
  /** One `jenkins.job` document per workload (small; the builds themselves are never all held). */
  readonly jobs: RecommendationDoc[];
  readonly labels: RecommendationDoc[];
  /** One `marathon.app` document per app (per instance: Marathon's `cpus`/`mem` are per instance). */
  readonly apps: RecommendationDoc[];
  /** Jobs an override excluded (absent from `jobs`, `labels` and `plan`). */
  readonly excluded: ExcludedWorkload[];
  readonly plan?: LabelPlan;
  readonly stats: AnalyzeStoreStats;
}

function toRecord(b: JobBuild, splitBranchKind: boolean): BuildRecord {
  return { key: workloadKey(b.job, splitBranchKind), ...b };
}

/** The records of one job bucket: its newest usable builds, or only its newest build when none is usable. */
function bucketRecords(bucket: JobBucket, splitBranchKind: boolean): BuildRecord[] {
  if (bucket.recent.length > 0) return bucket.recent.map((b) => toRecord(b, splitBranchKind));
  return bucket.latest !== undefined ? [toRecord(bucket.latest, splitBranchKind)] : [];
}

/**
 * Groups job buckets (arriving in job-name order, page by page) into workloads. Without
 * `splitBranchKind` a workload is one job. With it, the PR jobs of `parent` (`parent/PR-<n>`)
 * form one workload; all names starting with `parent/PR-` are contiguous in any lexicographic
 * order, so that workload is complete as soon as a name without that prefix arrives.
 */
export class WorkloadGrouper {
  private readonly pending = new Map<string, { prefix: string; records: BuildRecord[] }>();
  constructor(private readonly splitBranchKind: boolean) {}

  /** Adds one job's records; returns the workloads that are complete now. */
  add(job: string, records: readonly BuildRecord[]): BuildRecord[][] {
    const done: BuildRecord[][] = [];
    for (const [key, p] of this.pending)
      if (!job.startsWith(p.prefix)) {
        done.push(p.records);
        this.pending.delete(key);
      }
    const key = workloadKey(job, this.splitBranchKind);
    if (key === job) {
      if (records.length > 0) done.push([...records]);
      return done;
    }
    const prefix = key.slice(0, -1); // `parent/PR-`
    const p = this.pending.get(key) ?? { prefix, records: [] };
    p.records.push(...records);
    this.pending.set(key, p);
    return done;
  }

  /** The workloads still open (call after the last page). */
  flush(): BuildRecord[][] {
    const done = [...this.pending.values()].map((p) => p.records);
    this.pending.clear();
    return done;
  }
}

/** Previous `recommended` values of stored documents, by `_id` (hysteresis). */
function previousOf(stored: ReadonlyMap<string, RecommendationDoc>): Map<string, Resources> {
  const previous = new Map<string, Resources>();
  for (const [key, d] of stored) {
    const r = d.recommended as Resources | undefined;
    if (r === undefined) continue;
    const cpu = typeof r.cpu_cores === 'number' && Number.isFinite(r.cpu_cores) ? r.cpu_cores : undefined;
    const mem = typeof r.memory_bytes === 'number' && Number.isFinite(r.memory_bytes) ? r.memory_bytes : undefined;
    previous.set(key, { ...(cpu !== undefined ? { cpu_cores: cpu } : {}), ...(mem !== undefined ? { memory_bytes: mem } : {}) });
  }
  return previous;
}

/** Deletes the latest recommendation documents `ids` (excluded jobs); a refused delete is counted as a failed write. */
async function deleteLatest(client: Client, prefix: string, ids: readonly string[], stats: AnalyzeStoreStats): Promise<void> {
  const index = indexName(prefix, 'recommendations', 0);
  let response;
  try {
    response = await client.bulk({ operations: ids.map((id) => ({ delete: { _index: index, _id: id } })) });
  } catch (err) {
    throw new StoreError(storeCodeOf(err), `deleting the recommendations of excluded jobs: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  for (const item of response.items) {
    const r = item.delete;
    if (r === undefined) continue;
    if (r.status === 200 || r.status === 404) stats.excludedDeleted += r.status === 200 ? 1 : 0;
    else {
      stats.write.failed++;
      if (stats.write.failures.length < 5) stats.write.failures.push(`delete ${r._id ?? '?'}: ${r.error?.reason ?? r.status}`);
    }
  }
}

/**
 * The Marathon apps of the window: pages of per-app 1 h windows aggregated by Elasticsearch
 * (`searchMarathonAppPages`), each app sized by the pure {@link recommendMarathonAppFromWindows}
 * with its previous recommendation, written per page unless `dryRun`.
 */
async function analyzeMarathonApps(o: AnalyzeStoreOptions, runMs: number, stats: AnalyzeStoreStats): Promise<RecommendationDoc[]> {
  const { client, prefix, policy, nowMs } = o;
  const out: RecommendationDoc[] = [];
  for await (const page of searchMarathonAppPages(client, {
    prefix,
    fromMs: nowMs - policy.windowDays * DAY_MS,
    toMs: nowMs,
    windowMs: MARATHON_WINDOW_MS,
    pageSize: o.appPageSize ?? 50,
  })) {
    stats.skippedBuckets += page.skippedBuckets;
    if (page.apps.length === 0) continue;
    const ids = page.apps.map((a) => recommendationDocId({ kind: 'marathon.app', key: a.appId }));
    const stored = await fetchRecommendations(client, prefix, ids);
    const previous = previousOf(stored);
    const docs = page.apps.map((a, i) => {
      stats.apps++;
      stats.appWindows += a.windows.length;
      const current: Resources = {
        ...(a.requestCpuCores !== undefined ? { cpu_cores: a.requestCpuCores } : {}),
        ...(a.requestMemoryBytes !== undefined ? { memory_bytes: a.requestMemoryBytes } : {}),
      };
      const prev = previous.get(ids[i]!);
      return recommendMarathonAppFromWindows({ appId: a.appId, windows: a.windows, current, ...(prev !== undefined ? { previous: prev } : {}) }, policy, nowMs);
    });
    out.push(...docs);
    if (o.dryRun !== true) await writeRecommendations(client, prefix, docs, stored, runMs, stats.appWrite);
  }
  return out;
}

/**
 * `rightsize analyze` against Elasticsearch: pages over the jobs of the `builds` index with a
 * composite aggregation (newest usable builds per job via `top_hits`), feeds each page's
 * workloads to the pure {@link analyzeBuilds} with their previous recommendations (hysteresis,
 * read by `mget`), and writes the latest documents (unless unchanged) and one history document
 * per workload. Only one page of builds is in memory at a time; the result keeps the (small)
 * recommendation documents for the table, the labels and the plan. Then the Marathon apps of the
 * `containers` indices (unless `marathonApps: false`), see {@link analyzeMarathonApps}.
 *
 * @throws StoreError `RS_ERR_STORE_UNREACHABLE` / `_TIMEOUT` (naming the URL) when Elasticsearch cannot be
 *   reached, `RS_ERR_STORE_REJECTED` when it refuses a request.
 */
export async function analyzeFromStore(o: AnalyzeStoreOptions): Promise<AnalyzeStoreResult> {
  const { client, prefix, policy, nowMs } = o;
  const runMs = o.runMs ?? nowMs;
  try {
    await client.cluster.health({}, { maxRetries: 0 });
  } catch (err) {
    throw new StoreError(storeCodeOf(err), `Elasticsearch at ${redactUrl(o.url)} cannot be reached: ${err instanceof Error ? err.message : String(err)}`, {
      meta: { target: redactUrl(o.url) },
      cause: err,
    });
  }
  const stats: AnalyzeStoreStats = {
    pages: 0,
    jobs: 0,
    builds: 0,
    skippedBuilds: 0,
    badFields: 0,
    skippedBuckets: 0,
    write: emptyWriteStats(),
    labelWrite: emptyWriteStats(),
    apps: 0,
    appWindows: 0,
    appWrite: emptyWriteStats(),
    excluded: 0,
    excludedDeleted: 0,
  };
  const jobs: RecommendationDoc[] = [];
  const excluded: ExcludedWorkload[] = [];
  const planJobs: PlanJob[] = [];
  const grouper = new WorkloadGrouper(policy.splitBranchKind);

  const analyzePage = async (workloads: BuildRecord[][]): Promise<void> => {
    if (workloads.length === 0) return;
    const keys = workloads.map((w) => w[0]!.key);
    const storedById = await fetchRecommendations(client, prefix, keys);
    // By workload key (a long key's _id is its hash, see recommendationId).
    const stored = new Map<string, RecommendationDoc>();
    for (const k of keys) {
      const d = storedById.get(recommendationId(k));
      if (d !== undefined) stored.set(k, d);
    }
    const previous = previousOf(stored);
    const records = workloads.flat();
    stats.builds += records.length;
    const result = analyzeBuilds(records, { policy, nowMs, previous, ...(o.overrides !== undefined ? { overrides: o.overrides } : {}) });
    jobs.push(...result.jobs);
    excluded.push(...result.excluded);
    stats.excluded += result.excluded.length;
    const staleIds = result.excluded.map((e) => recommendationId(e.key)).filter((id) => storedById.has(id));
    if (o.dryRun !== true && staleIds.length > 0) await deleteLatest(client, prefix, staleIds, stats);
    if (o.planK !== undefined) {
      const byKey = new Map(workloads.map((w) => [w[0]!.key, w]));
      for (const doc of result.jobs) {
        if (doc.recommended.cpu_cores === undefined || doc.recommended.memory_bytes === undefined) continue;
        const rate = buildRate(selectBuilds(byKey.get(doc.workload.key) ?? [], policy, nowMs), policy, nowMs);
        planJobs.push({
          key: doc.workload.key,
          cpuCores: doc.recommended.cpu_cores,
          memoryBytes: doc.recommended.memory_bytes,
          hoursPerWeek: rate.perWeek * rate.meanHours,
          ...(doc.jenkins?.label !== undefined ? { currentLabel: doc.jenkins.label } : {}),
        });
      }
    }
    if (o.dryRun !== true) await writeRecommendations(client, prefix, result.jobs, storedById, runMs, stats.write);
  };

  // One page is analysed and written while the next is searched (at most two pages in memory,
  // pages finish in order). The catch marks a failure as handled until it is awaited below.
  let inFlight: Promise<void> = Promise.resolve();
  for await (const page of searchJobPages(client, {
    prefix,
    fromMs: nowMs - policy.windowDays * DAY_MS,
    toMs: nowMs,
    pageSize: o.pageSize ?? 500,
    // top_hits may return at most index.max_inner_result_window (default 100) hits per bucket.
    buildsPerJob: Math.min(MAX_TOP_HITS, Math.max(1, policy.maxBuilds)),
  })) {
    stats.pages++;
    stats.jobs += page.jobs.length;
    stats.skippedBuilds += page.skippedBuilds;
    stats.badFields += page.badFields;
    stats.skippedBuckets += page.skippedBuckets;
    const ready: BuildRecord[][] = [];
    for (const bucket of page.jobs) ready.push(...grouper.add(bucket.job, bucketRecords(bucket, policy.splitBranchKind)));
    await inFlight;
    inFlight = analyzePage(ready);
    inFlight.catch(() => undefined);
  }
  await inFlight;
  await analyzePage(grouper.flush());
  const labels = recommendLabels(jobs, policy, nowMs);
  if (o.dryRun !== true && o.writeLabels === true && labels.length > 0) {
    // Labels are few (one per label in use): one mget and one bulk.
    const stored = await fetchRecommendations(client, prefix, labels.map((d) => recommendationDocId(d.workload)));
    await writeRecommendations(client, prefix, labels, stored, runMs, stats.labelWrite);
  }
  const apps = o.marathonApps === false ? [] : await analyzeMarathonApps(o, runMs, stats);
  if (o.dryRun !== true && stats.write.written + stats.labelWrite.written + stats.appWrite.written > 0) {
    try {
      await client.indices.refresh({ index: `${prefix}-recommendations` });
    } catch {
      // Visibility only: the template's refresh interval makes them visible within a second anyway.
    }
  }
  return {
    jobs,
    labels,
    apps,
    excluded,
    ...(o.planK !== undefined ? { plan: planLabels(planJobs, { k: o.planK }) } : {}),
    stats,
  };
}
