import type { BuildFacts } from '../../model/index.js';
import type { Client } from '@elastic/elasticsearch';
import { at, finiteNumber, isRecord } from '../../util/json.js';
import { wrapEsError } from '../esErrors.js';
import { indexPattern } from '../routing.js';
import { readBuildDoc } from '../../util/buildDoc.js';

/**
 * Per-job statistics of the `builds` index for `rightsize analyze`, computed by Elasticsearch:
 * one `composite` aggregation pages over `jenkins.job.name` and, per job bucket, returns the
 * newest N usable builds (`top_hits`, only the fields the recommender reads) plus `percentiles`
 * and `stats` for the table. Only what the minimal integ-test-zip server has is used
 * (`composite`, `filter`, `top_hits`, `percentiles`, `stats`; no scripts, no `bucket_sort`).
 *
 * The recommender needs per-build values (recency weights by position, OOM/CPU censoring per
 * build, change point on the newest builds), which no percentile aggregation can give, hence
 * `top_hits`; the policy caps them (`maxBuilds`, ≤ 100).
 */

/** The `_source` fields a build record is made of (docs/data-model.md, builds). */
export const JOB_BUILD_FIELDS: readonly string[] = [
  'jenkins.job.name',
  'jenkins.build.number',
  'jenkins.label',
  'jenkins.result',
  'build.start',
  'build.end',
  'build.duration_ms',
  'request.cpu_cores',
  'request.memory_bytes',
  'usage.cpu.avg_cores',
  'usage.cpu.p50_cores',
  'usage.cpu.p95_cores',
  'usage.cpu.max_cores',
  'usage.cpu.core_seconds',
  'usage.cpu.throttled_ratio',
  'usage.memory.avg_bytes',
  'usage.memory.peak_bytes',
  'usage.sample_count',
  'usage.shared_agent',
  'outcome.oom_killed',
];

/** Results whose builds the recommender ignores (kept in sync with `selectBuilds`). */
export const UNUSABLE_BUILD_RESULTS: readonly string[] = ['ABORTED', 'NOT_BUILT'];

export interface JobsPageQuery {
  readonly prefix: string;
  /** Builds that ended in [fromMs, toMs] (epoch ms) count. */
  readonly fromMs: number;
  readonly toMs: number;
  /** Job buckets per page (composite size). */
  readonly pageSize: number;
  /** Newest usable builds returned per job (the policy's `maxBuilds`). */
  readonly buildsPerJob: number;
  /** The composite `after_key` of the previous page; absent for the first page. */
  readonly after?: Readonly<Record<string, unknown>>;
}

/** Newest first, ties by build number (as `selectBuilds` orders them). */
const NEWEST_FIRST = [{ 'build.end': { order: 'desc' } }, { 'jenkins.build.number': { order: 'desc' } }] as const;

/** The search request of one page of jobs (pure). */
export function jobsPageRequest(q: JobsPageQuery): Record<string, unknown> {
  return {
    index: indexPattern(q.prefix, 'builds'),
    ignore_unavailable: true,
    allow_no_indices: true,
    size: 0,
    track_total_hits: false,
    query: { bool: { filter: [{ range: { 'build.end': { gte: q.fromMs, lte: q.toMs, format: 'epoch_millis' } } }] } },
    aggs: {
      jobs: {
        composite: {
          size: q.pageSize,
          sources: [{ job: { terms: { field: 'jenkins.job.name' } } }],
          ...(q.after !== undefined ? { after: q.after } : {}),
        },
        aggs: {
          usable: {
            filter: { bool: { must_not: [{ terms: { 'jenkins.result': [...UNUSABLE_BUILD_RESULTS] } }] } },
            aggs: {
              recent: { top_hits: { size: q.buildsPerJob, sort: NEWEST_FIRST, _source: { includes: [...JOB_BUILD_FIELDS] } } },
              cpu_p95: { percentiles: { field: 'usage.cpu.p95_cores', percents: [50, 95] } },
              memory_peak: { percentiles: { field: 'usage.memory.peak_bytes', percents: [50, 99] } },
              duration: { stats: { field: 'build.duration_ms' } },
            },
          },
          // Only used when no build is usable: today's request then comes from the newest build.
          latest: { top_hits: { size: 1, sort: NEWEST_FIRST, _source: { includes: [...JOB_BUILD_FIELDS] } } },
        },
      },
    },
  };
}

/** One build as the recommender needs it, read from `_source` (unmeasured = undefined). */
export type JobBuild = BuildFacts;

export interface JobStats {
  readonly cpuP95CoresP50?: number;
  readonly cpuP95CoresP95?: number;
  readonly memoryPeakBytesP50?: number;
  readonly memoryPeakBytesP99?: number;
  readonly durationMsAvg?: number;
  readonly durationMsMax?: number;
}

export interface JobBucket {
  readonly job: string;
  /** Builds of the job in the window (any result). */
  readonly builds: number;
  /** Builds the recommender may use (not aborted / not built). */
  readonly usableBuilds: number;
  /** The newest usable builds, newest first (at most `buildsPerJob`). */
  readonly recent: readonly JobBuild[];
  /** The newest build of any result (for today's request when none is usable). */
  readonly latest?: JobBuild;
  readonly stats: JobStats;
}

export interface JobsPage {
  readonly jobs: readonly JobBucket[];
  /** Pass as `after` for the next page; absent when this was the last page. */
  readonly afterKey?: Readonly<Record<string, unknown>>;
  /** Hits dropped because a required field was missing or malformed. */
  readonly skippedBuilds: number;
  /** Optional fields that were present but malformed (dropped, the build kept). */
  readonly badFields: number;
  /** Bucket-level problems (a bucket without a string key). */
  readonly skippedBuckets: number;
}


/**
 * Maps a hit's `_source` to a {@link JobBuild} with the one reader of the builds document
 * (`readBuildDoc`, src/util/buildDoc.ts): a hit without a valid job name, build number, start,
 * end ≥ start or duration is skipped (undefined); a malformed or out-of-range optional value is
 * dropped and counted in `bad.fields`, the build kept.
 */
export function toJobBuild(source: unknown, bad: { fields: number }): JobBuild | undefined {
  const read = readBuildDoc(source);
  if (!read.ok) return undefined;
  bad.fields += read.dropped.length;
  return read.facts;
}

function hitsOf(agg: unknown): unknown[] {
  const hits = at(agg, 'hits.hits');
  return Array.isArray(hits) ? hits : [];
}

/** A `percentiles` value: keyed response `{ values: { "50.0": x } }`. */
function pct(agg: unknown, p: number): number | undefined {
  const values = at(agg, 'values');
  if (!isRecord(values)) return undefined;
  return finiteNumber(values[p.toFixed(1)] ?? values[String(p)]);
}

/**
 * Reduces the answer of {@link jobsPageRequest} to typed jobs. Hits with a missing/malformed
 * required field are skipped and counted, as are buckets without a string key; hits of another
 * job than their bucket's are skipped too.
 */
export function parseJobsPage(response: unknown): JobsPage {
  const agg = at(response, 'aggregations.jobs');
  const buckets = at(agg, 'buckets');
  const afterKey = at(agg, 'after_key');
  const bad = { fields: 0 };
  let skippedBuilds = 0;
  let skippedBuckets = 0;
  const jobs: JobBucket[] = [];
  for (const bucket of Array.isArray(buckets) ? buckets : []) {
    const job = at(bucket, 'key.job');
    if (typeof job !== 'string' || job === '') {
      skippedBuckets++;
      continue;
    }
    const recent: JobBuild[] = [];
    for (const hit of hitsOf(at(bucket, 'usable.recent'))) {
      const b = toJobBuild(at(hit, '_source'), bad);
      if (b === undefined || b.job !== job) skippedBuilds++;
      else recent.push(b);
    }
    const latestHit = hitsOf(at(bucket, 'latest'))[0];
    const latest = latestHit === undefined ? undefined : toJobBuild(at(latestHit, '_source'), { fields: 0 });
    const usable = at(bucket, 'usable');
    const stats: Record<string, number | undefined> = {
      cpuP95CoresP50: pct(at(usable, 'cpu_p95'), 50),
      cpuP95CoresP95: pct(at(usable, 'cpu_p95'), 95),
      memoryPeakBytesP50: pct(at(usable, 'memory_peak'), 50),
      memoryPeakBytesP99: pct(at(usable, 'memory_peak'), 99),
      durationMsAvg: finiteNumber(at(usable, 'duration.avg')),
      durationMsMax: finiteNumber(at(usable, 'duration.max')),
    };
    for (const k of Object.keys(stats)) if (stats[k] === undefined) delete stats[k];
    jobs.push({
      job,
      builds: finiteNumber(at(bucket, 'doc_count')) ?? 0,
      usableBuilds: finiteNumber(at(usable, 'doc_count')) ?? 0,
      recent,
      ...(latest !== undefined && latest.job === job ? { latest } : {}),
      stats: stats,
    });
  }
  return {
    jobs,
    ...(isRecord(afterKey) && jobs.length + skippedBuckets > 0 ? { afterKey } : {}),
    skippedBuilds,
    badFields: bad.fields,
    skippedBuckets,
  };
}

/**
 * Pages over all jobs with builds in the window, one composite page at a time (never more than
 * one page in memory).
 *
 * @throws StoreError `RS_ERR_STORE_UNAVAILABLE` (no answer, 429, 5xx) or `RS_ERR_STORE_REJECTED`.
 */
export async function* searchJobPages(client: Client, q: Omit<JobsPageQuery, 'after'>): AsyncGenerator<JobsPage> {
  let after: Readonly<Record<string, unknown>> | undefined;
  for (;;) {
    let response: unknown;
    try {
      response = await client.search(jobsPageRequest({ ...q, ...(after !== undefined ? { after } : {}) }));
    } catch (err) {
      throw wrapEsError(err, `searching jobs in ${indexPattern(q.prefix, 'builds')}`);
    }
    const page = parseJobsPage(response);
    yield page;
    if (page.afterKey === undefined) return;
    after = page.afterKey;
  }
}
