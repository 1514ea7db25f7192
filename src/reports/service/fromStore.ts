import type { Client } from '@elastic/elasticsearch';
import { planLabels, workloadKey, type LabelPlan, type PlanJob } from '../../analysis/index.js';
import { StoreError, redactUrl } from '../../errors/index.js';
import type { RecommendationDoc } from '../../model/index.js';
import { exportBuildPages, JOB_BUILD_FIELDS, latestRecommendationPages, toJobBuild } from '../../store/queries/index.js';
import { isRecord } from '../../util/json.js';
import {
  asOfMs,
  FORECAST_DAYS,
  localDay,
  localMidnightMs,
  previousWeek,
  weekRange,
  weeklyFigures,
  WeekBuildsAccumulator,
  type FromBuildsOptions,
  type ReportBuild,
  type WeeklyFigures,
} from '../weekly/index.js';
import { searchCollectorFigures } from './queries.js';

/** The figures' options ({@link FromBuildsOptions}) plus where the documents are. */
export interface WeeklyFromStoreOptions extends FromBuildsOptions {
  readonly client: Client;
  readonly prefix: string;
  /** For error messages only (redacted). */
  readonly url: string;
  readonly signal?: AbortSignal;
  /** Builds per scan page. @defaultValue 5000 */
  readonly pageSize?: number;
}

export interface WeeklyFromStoreResult {
  readonly figures: WeeklyFigures;
  /** Builds read by the scan (both weeks). */
  readonly scanned: number;
  /** Hits without a usable job name, build number, start, end or duration (counted, not used). */
  readonly malformed: number;
  /** Stored recommendation documents left out for lacking a kind or key. */
  readonly skippedRecommendations: number;
}

/** The report also reads these fields of each build. */
const REPORT_BUILD_FIELDS: readonly string[] = [...JOB_BUILD_FIELDS, 'queue.wait_ms', 'usage.coverage'];

function extras(source: Record<string, unknown>): { queueWaitMs?: number; coverage?: number } {
  const q = isRecord(source['queue']) ? source['queue']['wait_ms'] : undefined;
  const c = isRecord(source['usage']) ? source['usage']['coverage'] : undefined;
  return {
    ...(typeof q === 'number' && Number.isFinite(q) && q >= 0 ? { queueWaitMs: q } : {}),
    ...(typeof c === 'number' && c >= 0 && c <= 1 ? { coverage: c } : {}),
  };
}

/**
 * The weekly figures from Elasticsearch:
 * - recommendations: the latest `jenkins.job` documents of `<prefix>-recommendations`, exactly what
 *   the API serves and the last `rightsize analyze` wrote;
 * - reserved / used / waste, risks, queue waits and build health: one scan (point in time +
 *   `search_after`, only the needed fields) of the builds that ended in the week or the one before,
 *   summed by analysis' `WasteAccumulator` (per-build products need a script in an aggregation);
 * - the label plan: analysis' `planLabels` over those recommendations, each job weighted by its
 *   build-hours of the week;
 * - allocation, its trend, agents and collection gaps: aggregations on the cluster and containers indices.
 *
 * @throws StoreError `RS_ERR_STORE_UNAVAILABLE` (naming the URL) / `RS_ERR_STORE_REJECTED`.
 */
export async function weeklyFromStore(o: WeeklyFromStoreOptions): Promise<WeeklyFromStoreResult> {
  const { client, prefix } = o;
  try {
    await client.cluster.health({}, { maxRetries: 0, ...(o.signal ? { signal: o.signal } : {}) });
  } catch (err) {
    throw new StoreError('RS_ERR_STORE_UNAVAILABLE', `Elasticsearch at ${redactUrl(o.url)} cannot be reached: ${err instanceof Error ? err.message : String(err)}`, {
      meta: { target: redactUrl(o.url) },
      cause: err,
    });
  }
  const week = weekRange(o.week, o.timeZone);
  const prev = weekRange(previousWeek(o.week), o.timeZone);
  const forecastFromMs = localMidnightMs(localDay(week.endMs - 1, o.timeZone) - (FORECAST_DAYS - 1), o.timeZone);
  const collectors = searchCollectorFigures(client, { prefix, forecastFromMs, weekStartMs: week.startMs, weekEndMs: week.endMs, timeZone: o.timeZone, ...(o.signal ? { signal: o.signal } : {}) });
  collectors.catch(() => undefined); // awaited below

  // The recommendations and the builds are read at the same time (two independent cursors).
  const readJobs = async (): Promise<{ jobs: RecommendationDoc[]; skipped: number }> => {
    const jobs: RecommendationDoc[] = [];
    let skipped = 0;
    for await (const page of latestRecommendationPages(client, prefix, 5000, o.signal)) {
      skipped += page.skipped;
      for (const d of page.docs) if (d.workload.kind === 'jenkins.job') jobs.push(d);
    }
    return { jobs, skipped };
  };
  const acc = new WeekBuildsAccumulator(week, prev, o.policy);
  let scanned = 0;
  let malformed = 0;
  const scan = async (): Promise<void> => {
    const bad = { fields: 0 };
    for await (const page of exportBuildPages(client, {
      prefix,
      fromMs: prev.startMs,
      toMs: week.endMs - 1,
      timeField: 'build.end',
      includes: REPORT_BUILD_FIELDS,
      pageSize: o.pageSize ?? 5000,
    })) {
      o.signal?.throwIfAborted();
      for (const source of page) {
        scanned++;
        const b = toJobBuild(source, bad);
        if (b === undefined) {
          malformed++;
          continue;
        }
        const rb: ReportBuild = { key: workloadKey(b.job, o.policy.splitBranchKind), ...b, ...extras(source) };
        acc.add(rb);
      }
    }
  };
  const [{ jobs, skipped: skippedRecommendations }] = await Promise.all([readJobs(), scan()]);
  const builds = acc.result(o.prices);
  const planJobs: PlanJob[] = [];
  for (const d of jobs) {
    const cpu = d.recommended.cpu_cores;
    const mem = d.recommended.memory_bytes;
    if (cpu === undefined || mem === undefined) continue;
    planJobs.push({
      key: d.workload.key,
      cpuCores: cpu,
      memoryBytes: mem,
      hoursPerWeek: builds.jobs.get(d.workload.key)?.buildHours ?? 0,
      ...(d.jenkins?.label !== undefined ? { currentLabel: d.jenkins.label } : {}),
    });
  }
  const plan: LabelPlan | undefined = planJobs.length > 0 ? planLabels(planJobs, { k: o.planK }) : undefined;
  const c = await collectors;
  const newest = jobs.reduce((m, d) => Math.max(m, Date.parse(d['@timestamp']) || 0), 0);
  const figures = weeklyFigures({
    week,
    previous: prev,
    generatedAtMs: o.generatedAtMs,
    asOfMs: newest > 0 ? newest : asOfMs(week.endMs),
    source: 'elasticsearch',
    jobs,
    ...(plan ? { plan } : {}),
    builds,
    ...(o.prices ? { prices: o.prices } : {}),
    ...(o.topJobs !== undefined ? { topJobs: o.topJobs } : {}),
    dailyPeaks: c.peaks,
    ...(c.cluster ? { cluster: c.cluster } : {}),
    ...(c.collection ? { collection: c.collection } : {}),
  });
  return { figures, scanned, malformed: malformed, skippedRecommendations };
}
