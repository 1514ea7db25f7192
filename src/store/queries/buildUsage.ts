import type { Client } from '@elastic/elasticsearch';
import type { BuildUsageAggregation, DatasetUsage, SampleSpan } from '../../model/buildUsage.js';
import { finiteNumber } from '../../util/json.js';
import { wrapEsError } from '../esErrors.js';
import { indexName, indexPattern } from '../routing.js';
import { DAY_MS } from '../../util/units.js';

/**
 * The one search behind a build's usage summary: every statistic is an aggregation computed
 * inside Elasticsearch (no raw samples come back, `size: 0`). It uses only what the minimal
 * `integ-test-zip` server has: `filter`, `terms`, `stats`, `percentiles`, `sum`, `max`, `min`,
 * `value_count` (no scripts, no `bucket_script`, no `bucket_sort`).
 *
 * Which samples are the build's:
 * - samples that carry `jenkins.job.name` + `jenkins.build.number` (Docker: the build's
 *   environment) belong to that build;
 * - samples that carry no build number but name the build's node — `mesos.task.id` (the
 *   mesos-plugin names the task after the node) or `jenkins.node.name` — belong to it too
 *   (Mesos executor statistics: the whole agent);
 * both within `[startMs, endMs + afterEndMs]`: a sample's `@timestamp` is the end of its window,
 * so the reading taken after the build's end covers its last seconds.
 *
 * The statistics are split by `event.dataset`, because one container is often measured twice
 * (Docker engine and Mesos agent): summing both would count its CPU time twice. The caller picks
 * one dataset. Node-scoped builds (`node_builds`) show which other builds' samples named the same
 * node in the window, for `usage.shared_agent`.
 */
export interface BuildUsageQuery {
  /** Index prefix (`elasticsearch.indexPrefix`). */
  readonly prefix: string;
  readonly jobName: string;
  readonly buildNumber: number;
  /** The node the build ran on (= Mesos task id with the mesos-plugin); absent or `""`: select by job + build only. */
  readonly nodeName?: string;
  /** Build start and end, epoch ms. */
  readonly startMs: number;
  readonly endMs: number;
  /** How far past the end samples still count, ms (at least one poll interval). */
  readonly afterEndMs: number;
}

// DatasetUsage, SampleSpan and BuildUsageAggregation live in src/model/buildUsage.ts (the pure build summary reads them).
export type { BuildUsageAggregation, DatasetUsage, SampleSpan } from '../../model/buildUsage.js';

/** Most daily indices named one by one; a longer build searches the whole pattern. */
const MAX_NAMED_INDICES = 31;

/** The daily container indices that can hold readings of `[fromMs, toMs]`. */
export function containerIndicesFor(prefix: string, fromMs: number, toMs: number): string[] {
  if (!(toMs >= fromMs) || (toMs - fromMs) / DAY_MS > MAX_NAMED_INDICES) return [indexPattern(prefix, 'containers')];
  const out: string[] = [];
  const first = Math.floor(fromMs / DAY_MS) * DAY_MS;
  for (let day = first; day <= toMs; day += DAY_MS) out.push(indexName(prefix, 'containers', day));
  return out;
}

const term = (field: string, value: string | number): Record<string, unknown> => ({ term: { [field]: value } });

/** The search request (index + body) of one build's usage. Pure. */
export function buildUsageRequest(q: BuildUsageQuery): { index: string[]; body: Record<string, unknown> } {
  const toMs = q.endMs + Math.max(0, q.afterEndMs);
  const byBuild = { bool: { filter: [term('jenkins.job.name', q.jobName), term('jenkins.build.number', q.buildNumber)] } };
  const node = q.nodeName !== undefined && q.nodeName !== '' ? q.nodeName : undefined;
  const byNode = node === undefined ? undefined : { bool: { should: [term('mesos.task.id', node), term('jenkins.node.name', node)], minimum_should_match: 1 } };
  const nodeOnly = byNode === undefined ? undefined : { bool: { filter: [byNode], must_not: [{ exists: { field: 'jenkins.build.number' } }] } };
  const own = nodeOnly === undefined ? byBuild : { bool: { should: [byBuild, nodeOnly], minimum_should_match: 1 } };
  const span = { first: { min: { field: '@timestamp' } }, last: { max: { field: '@timestamp' } } };
  const body: Record<string, unknown> = {
    size: 0,
    track_total_hits: false,
    query: {
      bool: {
        filter: [
          { range: { '@timestamp': { gte: q.startMs, lte: toMs, format: 'epoch_millis' } } },
          byNode === undefined ? byBuild : { bool: { should: [byBuild, byNode], minimum_should_match: 1 } },
        ],
      },
    },
    aggs: {
      datasets: {
        terms: { field: 'event.dataset', size: 10 },
        aggs: {
          own: {
            filter: own,
            aggs: {
              cores: { stats: { field: 'cpu.cores' } },
              cores_pct: { percentiles: { field: 'cpu.cores', percents: [50, 95], keyed: false } },
              core_seconds: { sum: { field: 'cpu.core_seconds' } },
              core_seconds_n: { value_count: { field: 'cpu.core_seconds' } },
              interval_ms: { sum: { field: 'cpu.interval_ms' } },
              throttled_ms: { sum: { field: 'cpu.throttled.time_ms' } },
              throttled_n: { value_count: { field: 'cpu.throttled.time_ms' } },
              working_set: { stats: { field: 'memory.working_set_bytes' } },
              peak: { max: { field: 'memory.peak_bytes' } },
              memory_limit: { max: { field: 'memory.limit_bytes' } },
              // a boolean's max is 1 when any is true
              oom_killed: { max: { field: 'container.oom_killed' } },
              exits: { value_count: { field: 'container.oom_killed' } },
              containers: { terms: { field: 'container.id', size: 20 }, aggs: span },
            },
          },
        },
      },
      ...(byNode === undefined
        ? {}
        : {
            node_builds: {
              filter: byNode,
              aggs: {
                jobs: {
                  terms: { field: 'jenkins.job.name', size: 20 },
                  aggs: { numbers: { terms: { field: 'jenkins.build.number', size: 20 }, aggs: span } },
                },
              },
            },
          }),
    },
  };
  return { index: containerIndicesFor(q.prefix, q.startMs, toMs), body };
}

// ---- response --------------------------------------------------------------------------------

interface ValueAgg {
  readonly value?: number | null;
}
interface StatsAgg {
  readonly count?: number;
  readonly avg?: number | null;
  readonly max?: number | null;
}
interface SpanBucket {
  readonly key: string | number;
  readonly doc_count: number;
  readonly first?: ValueAgg;
  readonly last?: ValueAgg;
}
interface OwnAggs {
  readonly doc_count: number;
  readonly cores?: StatsAgg;
  readonly cores_pct?: { readonly values?: readonly { readonly key: number; readonly value: number | null }[] };
  readonly core_seconds?: ValueAgg;
  readonly core_seconds_n?: ValueAgg;
  readonly interval_ms?: ValueAgg;
  readonly throttled_ms?: ValueAgg;
  readonly throttled_n?: ValueAgg;
  readonly working_set?: StatsAgg;
  readonly peak?: ValueAgg;
  readonly memory_limit?: ValueAgg;
  readonly oom_killed?: ValueAgg;
  readonly exits?: ValueAgg;
  readonly containers?: { readonly buckets?: readonly SpanBucket[] };
}
/** The `aggregations` of the response, as requested by {@link buildUsageRequest}. */
export interface BuildUsageAggs {
  readonly datasets?: { readonly buckets?: readonly { readonly key: string; readonly doc_count: number; readonly own?: OwnAggs }[] };
  readonly node_builds?: {
    readonly jobs?: { readonly buckets?: readonly { readonly key: string; readonly numbers?: { readonly buckets?: readonly SpanBucket[] } }[] };
  };
}

function spans(buckets: readonly SpanBucket[] | undefined, keyOf: (b: SpanBucket) => string): SampleSpan[] {
  const out: SampleSpan[] = [];
  for (const b of buckets ?? []) {
    const firstMs = finiteNumber(b.first?.value);
    const lastMs = finiteNumber(b.last?.value);
    if (firstMs === undefined || lastMs === undefined) continue;
    out.push({ key: keyOf(b), samples: b.doc_count, firstMs, lastMs });
  }
  return out;
}

/**
 * Reduces the aggregations to typed numbers: an empty statistic (`null`, no documents) becomes
 * an absent field, never 0 or NaN. Pure.
 */
export function parseBuildUsageAggs(aggs: BuildUsageAggs | undefined): BuildUsageAggregation {
  const datasets: DatasetUsage[] = [];
  for (const b of aggs?.datasets?.buckets ?? []) {
    const own = b.own;
    if (own === undefined || own.doc_count === 0) continue;
    const pct = new Map((own.cores_pct?.values ?? []).map((v) => [v.key, finiteNumber(v.value)]));
    const cpuSamples = own.cores?.count ?? 0;
    const throttledN = finiteNumber(own.throttled_n?.value) ?? 0;
    const exits = finiteNumber(own.exits?.value) ?? 0;
    const oom = finiteNumber(own.oom_killed?.value);
    const optional = (key: string, v: number | undefined): Record<string, number> => (v === undefined ? {} : { [key]: v });
    datasets.push({
      dataset: String(b.key),
      samples: Math.max(0, own.doc_count - exits),
      ...(exits > 0 ? { exits } : {}),
      ...(exits > 0 && oom !== undefined ? { oomKilled: oom > 0 } : {}),
      cpuSamples,
      ...optional('coresAvg', cpuSamples > 0 ? finiteNumber(own.cores?.avg) : undefined),
      ...optional('coresMax', cpuSamples > 0 ? finiteNumber(own.cores?.max) : undefined),
      ...optional('coresP50', cpuSamples > 0 ? pct.get(50) : undefined),
      ...optional('coresP95', cpuSamples > 0 ? pct.get(95) : undefined),
      coreSecondsSum: finiteNumber(own.core_seconds?.value) ?? 0,
      coreSecondsSamples: finiteNumber(own.core_seconds_n?.value) ?? 0,
      intervalMsSum: finiteNumber(own.interval_ms?.value) ?? 0,
      ...optional('throttledMsSum', throttledN > 0 ? finiteNumber(own.throttled_ms?.value) : undefined),
      ...optional('workingSetAvgBytes', (own.working_set?.count ?? 0) > 0 ? finiteNumber(own.working_set?.avg) : undefined),
      ...optional('workingSetMaxBytes', (own.working_set?.count ?? 0) > 0 ? finiteNumber(own.working_set?.max) : undefined),
      ...optional('peakMaxBytes', finiteNumber(own.peak?.value)),
      ...optional('memoryLimitMaxBytes', finiteNumber(own.memory_limit?.value)),
      containers: spans(own.containers?.buckets, (c) => String(c.key)),
    });
  }
  const nodeBuilds: SampleSpan[] = [];
  for (const job of aggs?.node_builds?.jobs?.buckets ?? []) nodeBuilds.push(...spans(job.numbers?.buckets, (n) => `${job.key}#${String(n.key)}`));
  return { datasets, nodeBuilds };
}

/**
 * Runs the search of {@link buildUsageRequest}. Indices that do not exist (no readings that day)
 * are no error.
 *
 * @throws StoreError `RS_ERR_STORE_UNREACHABLE` / `RS_ERR_STORE_TIMEOUT` (no answer) or
 *   `RS_ERR_STORE_UNAVAILABLE` (429, 5xx): try again later; `RS_ERR_STORE_REJECTED` (4xx).
 */
export async function searchBuildUsage(client: Client, q: BuildUsageQuery, signal?: AbortSignal): Promise<BuildUsageAggregation> {
  const { index, body } = buildUsageRequest(q);
  try {
    const res = await client.search<unknown, BuildUsageAggs>(
      { index, ignore_unavailable: true, allow_no_indices: true, ...body },
      signal === undefined ? {} : { signal },
    );
    return parseBuildUsageAggs(res.aggregations);
  } catch (err) {
    throw wrapEsError(err, `usage search of ${q.jobName} #${q.buildNumber}`);
  }
}
