import type { Client } from '@elastic/elasticsearch';
import { at, isRecord } from '../../util/json.js';
import { wrapEsError } from '../esErrors.js';
import { indexPattern } from '../routing.js';

/**
 * Per-app usage windows of Marathon apps for `rightsize analyze`, computed by Elasticsearch from
 * the `containers` documents: a `composite` aggregation pages over `marathon.app.id` and, per
 * app, a `date_histogram` of fixed windows (1 h by default, aligned to the epoch) returns the
 * p95 (`percentiles`) and `max` of `cpu.cores` and the `max` of `memory.working_set_bytes`; the
 * app's current request is the newest reading that carries one (`top_hits` size 1 on
 * `@timestamp`, only `request.*` read). No raw readings come back (`size: 0`) and no scripts run
 * (the integ-test-zip server has no Painless).
 *
 * Only `event.dataset: mesos.executor` readings count: only they carry `marathon.app.id`, and a
 * Docker reading of the same container would count the container twice (as the build summary
 * avoids by splitting datasets, see `buildUsage.ts`).
 *
 * All instances of an app fall into the same windows, so a window's p95/max are those of any one
 * instance's readings: the recommendation is per instance, like Marathon's `cpus`/`mem`.
 */

/** `search.max_buckets` defaults to 65,536; a page stays below this many buckets. */
export const MARATHON_MAX_BUCKETS = 60_000;

export interface MarathonAppsPageQuery {
  readonly prefix: string;
  /** Readings with `@timestamp` in [fromMs, toMs] (epoch ms) count. */
  readonly fromMs: number;
  readonly toMs: number;
  /** Window length (the `date_histogram` `fixed_interval`), ms. */
  readonly windowMs: number;
  /** App buckets per page (composite size); lowered so the page stays under {@link MARATHON_MAX_BUCKETS}. */
  readonly pageSize: number;
  /** The composite `after_key` of the previous page; absent for the first page. */
  readonly after?: Readonly<Record<string, unknown>>;
}

/** Apps per page such that apps × (windows + 2) buckets stay under the budget (at least 1). */
export function marathonPageSize(q: Pick<MarathonAppsPageQuery, 'fromMs' | 'toMs' | 'windowMs' | 'pageSize'>): number {
  const windows = Math.max(1, Math.floor(q.toMs / q.windowMs) - Math.floor(q.fromMs / q.windowMs) + 1);
  return Math.max(1, Math.min(q.pageSize, Math.floor(MARATHON_MAX_BUCKETS / (windows + 2))));
}

/** The search request of one page of Marathon apps (pure). */
export function marathonAppsPageRequest(q: MarathonAppsPageQuery): Record<string, unknown> {
  return {
    index: indexPattern(q.prefix, 'containers'),
    ignore_unavailable: true,
    allow_no_indices: true,
    size: 0,
    track_total_hits: false,
    query: {
      bool: {
        filter: [
          { term: { 'event.dataset': 'mesos.executor' } },
          { exists: { field: 'marathon.app.id' } },
          { range: { '@timestamp': { gte: q.fromMs, lte: q.toMs, format: 'epoch_millis' } } },
        ],
      },
    },
    aggs: {
      apps: {
        composite: {
          size: marathonPageSize(q),
          sources: [{ app: { terms: { field: 'marathon.app.id' } } }],
          ...(q.after !== undefined ? { after: q.after } : {}),
        },
        aggs: {
          windows: {
            date_histogram: { field: '@timestamp', fixed_interval: `${Math.round(q.windowMs)}ms`, min_doc_count: 1 },
            aggs: {
              cpu_pct: { percentiles: { field: 'cpu.cores', percents: [95] } },
              cpu_max: { max: { field: 'cpu.cores' } },
              memory_max: { max: { field: 'memory.working_set_bytes' } },
            },
          },
          requested: {
            filter: { bool: { should: [{ exists: { field: 'request.cpu_cores' } }, { exists: { field: 'request.memory_bytes' } }], minimum_should_match: 1 } },
            aggs: { newest: { top_hits: { size: 1, sort: [{ '@timestamp': { order: 'desc' } }], _source: { includes: ['request.cpu_cores', 'request.memory_bytes'] } } } },
          },
        },
      },
    },
  };
}

/** One window of one app, as Elasticsearch aggregated it (unmeasured = absent). */
export interface MarathonWindow {
  readonly startMs: number;
  readonly readings: number;
  readonly cpuP95Cores?: number;
  readonly cpuMaxCores?: number;
  readonly memoryPeakBytes?: number;
}

export interface MarathonAppBucket {
  readonly appId: string;
  /** Readings of the app in the range. */
  readonly readings: number;
  /** Oldest first, only windows with readings. */
  readonly windows: readonly MarathonWindow[];
  /** The newest reading's `request.*` (one instance's reservation). */
  readonly requestCpuCores?: number;
  readonly requestMemoryBytes?: number;
}

export interface MarathonAppsPage {
  readonly apps: readonly MarathonAppBucket[];
  /** Pass as `after` for the next page; absent when this was the last page. */
  readonly afterKey?: Readonly<Record<string, unknown>>;
  /** Buckets without a string key. */
  readonly skippedBuckets: number;
}


function nonNeg(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** The p95 of a keyed `percentiles` answer (`{ values: { "95.0": x } }`). */
function p95(agg: unknown): number | undefined {
  const values = at(agg, 'values');
  return isRecord(values) ? nonNeg(values['95.0'] ?? values['95']) : undefined;
}

/**
 * Reduces the answer of {@link marathonAppsPageRequest} to typed apps. An empty statistic
 * (`null`: no reading in the window had the field) becomes an absent figure, never 0. Pure.
 */
export function parseMarathonAppsPage(response: unknown): MarathonAppsPage {
  const agg = at(response, 'aggregations.apps');
  const buckets = at(agg, 'buckets');
  const afterKey = at(agg, 'after_key');
  let skippedBuckets = 0;
  const apps: MarathonAppBucket[] = [];
  for (const bucket of Array.isArray(buckets) ? buckets : []) {
    const appId = at(bucket, 'key.app');
    if (typeof appId !== 'string' || appId === '') {
      skippedBuckets++;
      continue;
    }
    const windows: MarathonWindow[] = [];
    const wb = at(bucket, 'windows.buckets');
    for (const w of Array.isArray(wb) ? wb : []) {
      const startMs = at(w, 'key');
      const readings = nonNeg(at(w, 'doc_count')) ?? 0;
      if (typeof startMs !== 'number' || !Number.isFinite(startMs) || readings === 0) continue;
      const cpuP95Cores = p95(at(w, 'cpu_pct'));
      const cpuMaxCores = nonNeg(at(w, 'cpu_max.value'));
      const memoryPeakBytes = nonNeg(at(w, 'memory_max.value'));
      windows.push({
        startMs,
        readings,
        ...(cpuP95Cores !== undefined ? { cpuP95Cores } : {}),
        ...(cpuMaxCores !== undefined ? { cpuMaxCores } : {}),
        ...(memoryPeakBytes !== undefined ? { memoryPeakBytes } : {}),
      });
    }
    const hits = at(bucket, 'requested.newest.hits.hits');
    const source = Array.isArray(hits) ? at(hits[0], '_source') : undefined;
    const requestCpuCores = nonNeg(at(source, 'request.cpu_cores'));
    const requestMemoryBytes = nonNeg(at(source, 'request.memory_bytes'));
    apps.push({
      appId,
      readings: nonNeg(at(bucket, 'doc_count')) ?? 0,
      windows: windows.sort((a, b) => a.startMs - b.startMs),
      ...(requestCpuCores !== undefined ? { requestCpuCores } : {}),
      ...(requestMemoryBytes !== undefined ? { requestMemoryBytes } : {}),
    });
  }
  return { apps, ...(isRecord(afterKey) ? { afterKey } : {}), skippedBuckets };
}

/** Pages over the Marathon apps of the `containers` indices (one search per page). */
export async function* searchMarathonAppPages(client: Client, q: Omit<MarathonAppsPageQuery, 'after'>): AsyncGenerator<MarathonAppsPage> {
  let after: Readonly<Record<string, unknown>> | undefined;
  for (;;) {
    let response: unknown;
    try {
      response = await client.search(marathonAppsPageRequest({ ...q, ...(after !== undefined ? { after } : {}) }));
    } catch (err) {
      throw wrapEsError(err, `searching Marathon apps in ${indexPattern(q.prefix, 'containers')}`);
    }
    const page = parseMarathonAppsPage(response);
    yield page;
    if (page.afterKey === undefined || page.apps.length + page.skippedBuckets === 0) return;
    after = page.afterKey;
  }
}
