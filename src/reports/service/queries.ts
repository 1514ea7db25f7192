import type { Client } from '@elastic/elasticsearch';
import { indexPattern, wrapEsError } from '../../store/index.js';
import { isRecord } from '../../util/json.js';
import type { ClusterWeek, CollectionWeek, DailyPeak } from '../weekly/index.js';

/**
 * The report's aggregations over the collectors' documents (no scripts: the integ-test-zip
 * server has no Painless). Request builders and parsers are pure; `search*` run them.
 */

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const value = (agg: unknown): number | undefined => (isRecord(agg) ? num(agg['value']) : undefined);

/** A size-0 search of one dataset's documents in [fromMs, toMs). */
function datasetSearch(dataset: string, fromMs: number, toMs: number): Record<string, unknown> {
  return {
    size: 0,
    track_total_hits: false,
    query: { bool: { filter: [{ term: { 'event.dataset': dataset } }, { range: { '@timestamp': { gte: fromMs, lt: toMs, format: 'epoch_millis' } } }] } },
  };
}

/** Daily peaks of the Mesos masters' allocation and the week's averages (`mesos.master` documents). */
export function clusterRequest(fromMs: number, weekStartMs: number, weekEndMs: number, timeZone: string): Record<string, unknown> {
  const stats = {
    cpu_used: { max: { field: 'mesos.cpus.used' } },
    cpu_total: { max: { field: 'mesos.cpus.total' } },
    mem_used: { max: { field: 'mesos.mem.used_bytes' } },
    mem_total: { max: { field: 'mesos.mem.total_bytes' } },
  };
  return {
    ...datasetSearch('mesos.master', fromMs, weekEndMs),
    aggs: {
      days: { date_histogram: { field: '@timestamp', calendar_interval: '1d', time_zone: timeZone, min_doc_count: 1 }, aggs: stats },
      week: {
        filter: { range: { '@timestamp': { gte: weekStartMs, lt: weekEndMs, format: 'epoch_millis' } } },
        aggs: {
          cpu_used_avg: { avg: { field: 'mesos.cpus.used' } },
          cpu_total_avg: { avg: { field: 'mesos.cpus.total' } },
          cpu_used_max: { max: { field: 'mesos.cpus.used' } },
          mem_used_avg: { avg: { field: 'mesos.mem.used_bytes' } },
          mem_total_avg: { avg: { field: 'mesos.mem.total_bytes' } },
          mem_used_max: { max: { field: 'mesos.mem.used_bytes' } },
        },
      },
    },
  };
}

export function parseCluster(res: unknown, timeZone: string): { peaks: DailyPeak[]; week?: ClusterWeek } {
  const aggs = isRecord(res) && isRecord(res['aggregations']) ? res['aggregations'] : {};
  const days = isRecord(aggs['days']) && Array.isArray(aggs['days']['buckets']) ? (aggs['days']['buckets'] as unknown[]) : [];
  const peaks: DailyPeak[] = [];
  for (const b of days) {
    if (!isRecord(b)) continue;
    const key = num(b['key']);
    const cpu = value(b['cpu_used']);
    const mem = value(b['mem_used']);
    if (key === undefined || cpu === undefined) continue;
    const cpuTotal = value(b['cpu_total']);
    const memTotal = value(b['mem_total']);
    peaks.push({
      day: dayOf(key, timeZone),
      cpuCores: cpu,
      memoryBytes: mem ?? 0,
      ...(cpuTotal !== undefined ? { cpuTotalCores: cpuTotal } : {}),
      ...(memTotal !== undefined ? { memoryTotalBytes: memTotal } : {}),
    });
  }
  const w = isRecord(aggs['week']) ? aggs['week'] : undefined;
  const week: ClusterWeek | undefined =
    w !== undefined && (num(w['doc_count']) ?? 0) > 0
      ? {
          ...opt('cpuTotalCores', value(w['cpu_total_avg'])),
          ...opt('cpuAllocatedCores', value(w['cpu_used_avg'])),
          ...opt('cpuAllocatedPeakCores', value(w['cpu_used_max'])),
          ...opt('memoryTotalBytes', value(w['mem_total_avg'])),
          ...opt('memoryAllocatedBytes', value(w['mem_used_avg'])),
          ...opt('memoryAllocatedPeakBytes', value(w['mem_used_max'])),
        }
      : undefined;
  return { peaks, ...(week ? { week } : {}) };
}

function opt<K extends string>(k: K, v: number | undefined): Partial<Record<K, number>> {
  return v === undefined ? {} : ({ [k]: v } as Record<K, number>);
}

/** The local `YYYY-MM-DD` of a date_histogram key (local midnight in the zone, as epoch ms). */
function dayOf(keyMs: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(keyMs));
  return parts;
}

/** Agents seen in the week with their last report (`mesos.agent` documents). */
export function agentsRequest(weekStartMs: number, weekEndMs: number): Record<string, unknown> {
  return {
    ...datasetSearch('mesos.agent', weekStartMs, weekEndMs),
    aggs: {
      newest: { max: { field: '@timestamp' } },
      agents: {
        terms: { field: 'mesos.agent.hostname', size: 10_000 },
        aggs: { last: { max: { field: '@timestamp' } }, inactive: { filter: { term: { 'mesos.agent.active': false } }, aggs: { last: { max: { field: '@timestamp' } } } } },
      },
    },
  };
}

/** An agent is "not reporting" when its last document is older than this before the newest agent document. */
export const AGENT_SILENCE_MS = 15 * 60_000;

export function parseAgents(res: unknown): { agents: number; notReporting: string[] } {
  const aggs = isRecord(res) && isRecord(res['aggregations']) ? res['aggregations'] : {};
  const newest = value(aggs['newest']);
  const buckets = isRecord(aggs['agents']) && Array.isArray(aggs['agents']['buckets']) ? (aggs['agents']['buckets'] as unknown[]) : [];
  const notReporting: string[] = [];
  let agents = 0;
  for (const b of buckets) {
    if (!isRecord(b) || typeof b['key'] !== 'string') continue;
    agents++;
    const last = value(b['last']);
    const inactiveLast = isRecord(b['inactive']) ? value(b['inactive']['last']) : undefined;
    const silent = newest !== undefined && last !== undefined && last < newest - AGENT_SILENCE_MS;
    const inactive = inactiveLast !== undefined && last !== undefined && inactiveLast >= last;
    if (silent || inactive) notReporting.push(b['key']);
  }
  return { agents, notReporting: notReporting.sort() };
}

/** Hourly counts of container readings over the week (empty hours are collection gaps). */
export function readingsRequest(weekStartMs: number, weekEndMs: number): Record<string, unknown> {
  return {
    size: 0,
    track_total_hits: false,
    query: { range: { '@timestamp': { gte: weekStartMs, lt: weekEndMs, format: 'epoch_millis' } } },
    aggs: {
      hours: {
        date_histogram: {
          field: '@timestamp',
          fixed_interval: '1h',
          min_doc_count: 0,
          extended_bounds: { min: weekStartMs, max: weekEndMs - 1 },
        },
      },
    },
  };
}

export function parseReadings(res: unknown, weekStartMs: number, weekEndMs: number): { hours: number; empty: number } {
  const aggs = isRecord(res) && isRecord(res['aggregations']) ? res['aggregations'] : {};
  const buckets = isRecord(aggs['hours']) && Array.isArray(aggs['hours']['buckets']) ? (aggs['hours']['buckets'] as unknown[]) : [];
  const hours = Math.round((weekEndMs - weekStartMs) / 3_600_000);
  let full = 0;
  for (const b of buckets) if (isRecord(b) && (num(b['doc_count']) ?? 0) > 0) full++;
  return { hours, empty: Math.max(0, hours - full) };
}

async function search(client: Client, index: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> {
  try {
    return await client.search({ index, ignore_unavailable: true, allow_no_indices: true, ...body }, signal !== undefined ? { signal } : {});
  } catch (err) {
    throw wrapEsError(err, `searching ${index}`);
  }
}

/** Cluster figures and collection health of a week from `<prefix>-cluster-*` and `<prefix>-containers-*`. */
export async function searchCollectorFigures(
  client: Client,
  o: { readonly prefix: string; readonly forecastFromMs: number; readonly weekStartMs: number; readonly weekEndMs: number; readonly timeZone: string; readonly signal?: AbortSignal },
): Promise<{ peaks: DailyPeak[]; cluster?: ClusterWeek; collection?: CollectionWeek }> {
  const clusterIndex = indexPattern(o.prefix, 'cluster');
  const [cluster, agents, readings] = await Promise.all([
    search(client, clusterIndex, clusterRequest(o.forecastFromMs, o.weekStartMs, o.weekEndMs, o.timeZone), o.signal),
    search(client, clusterIndex, agentsRequest(o.weekStartMs, o.weekEndMs), o.signal),
    search(client, indexPattern(o.prefix, 'containers'), readingsRequest(o.weekStartMs, o.weekEndMs), o.signal),
  ]);
  const c = parseCluster(cluster, o.timeZone);
  const a = parseAgents(agents);
  const r = parseReadings(readings, o.weekStartMs, o.weekEndMs);
  const anyCollector = c.week !== undefined || a.agents > 0 || r.empty < r.hours;
  return {
    peaks: c.peaks,
    ...(c.week ? { cluster: c.week } : {}),
    ...(anyCollector ? { collection: { agents: a.agents, agentsNotReporting: a.notReporting, hours: r.hours, hoursWithoutReadings: r.empty } } : {}),
  };
}
