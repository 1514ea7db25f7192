import type { Client } from '@elastic/elasticsearch';
import { StoreError } from '../../errors/index.js';
import { indexPattern, wrapEsError } from '../../store/index.js';
import { isRecord } from '../../util/json.js';
import type { Observation } from '../evaluate.js';
import type { CapacityInput, JobRecommendation, RunningContainer } from '../explain.js';
import { recommendationChange } from '../memoryQuery.js';
import { DATASET_INDEX, type AlertRule } from '../rules.js';

/** One search: where, and the body (size 0, aggregations only; no scripts, so any 8.x works). */
export interface EsSearch {
  readonly index: string;
  readonly body: Record<string, unknown>;
}

function range(fromMs: number, toMs: number): Record<string, unknown> {
  return { range: { '@timestamp': { gt: fromMs, lte: toMs, format: 'epoch_millis' } } };
}

function filters(rule: AlertRule): Record<string, unknown>[] {
  return Object.entries(rule.filter).map(([field, value]) => ({ term: { [field]: value } }));
}

function datasetFilter(dataset: string): Record<string, unknown>[] {
  return dataset === 'jenkins.build' ? [] : [{ term: { 'event.dataset': dataset } }];
}

function metricAgg(rule: AlertRule): Record<string, unknown> {
  const field = rule.field ?? '';
  switch (rule.aggregation ?? 'avg') {
    case 'avg':
      return { avg: { field } };
    case 'max':
      return { max: { field } };
    case 'min':
      return { min: { field } };
    case 'sum':
      return { sum: { field } };
    case 'count':
      return { value_count: { field } };
    case 'p95':
      return { percentiles: { field, percents: [95] } };
  }
}

/** The search that answers a rule at `nowMs` (pure). Windows are (now − window, now]. */
export function observationSearch(rule: AlertRule, prefix: string, nowMs: number, maxGroups: number): EsSearch {
  const grouped = (by: string | undefined, inner: Record<string, unknown>): Record<string, unknown> =>
    by === undefined ? inner : { groups: { terms: { field: by, size: maxGroups }, aggs: inner } };
  switch (rule.kind) {
    case 'threshold': {
      const ds = rule.dataset ?? '';
      return {
        index: indexPattern(prefix, DATASET_INDEX[ds] ?? 'cluster'),
        body: {
          size: 0,
          track_total_hits: false,
          query: { bool: { filter: [range(nowMs - rule.windowMs, nowMs), ...datasetFilter(ds), ...filters(rule), { exists: { field: rule.field } }] } },
          aggs: grouped(rule.groupBy, { v: metricAgg(rule) }),
        },
      };
    }
    case 'nodata': {
      const ds = rule.dataset ?? '';
      const span = rule.groupBy === undefined ? Math.max(rule.lookbackMs, (rule.afterMs ?? 0) * 2) : rule.lookbackMs;
      return {
        index: indexPattern(prefix, DATASET_INDEX[ds] ?? 'cluster'),
        body: {
          size: 0,
          track_total_hits: false,
          query: { bool: { filter: [range(nowMs - span, nowMs), ...datasetFilter(ds), ...filters(rule)] } },
          aggs: grouped(rule.groupBy, { last: { max: { field: '@timestamp' } } }),
        },
      };
    }
    case 'job-oom':
    case 'job-waste': {
      const inner = rule.kind === 'job-oom' ? { oom: { filter: { term: { 'outcome.oom_killed': true } } } } : { v: { sum: { field: 'waste.cpu_core_seconds' } } };
      return {
        index: indexPattern(prefix, 'builds'),
        body: {
          size: 0,
          track_total_hits: false,
          query: { bool: { filter: [range(nowMs - rule.windowMs, nowMs), ...filters(rule)] } },
          aggs: grouped('jenkins.job.name', inner),
        },
      };
    }
    case 'recommendation-change': {
      const src = ['recommended.cpu_cores', 'recommended.memory_bytes'];
      return {
        index: indexPattern(prefix, 'recommendations-history'),
        body: {
          size: 0,
          track_total_hits: false,
          query: { bool: { filter: [range(nowMs - rule.windowMs, nowMs), ...filters(rule)] } },
          aggs: grouped('workload.key', {
            first: { top_hits: { size: 1, sort: [{ '@timestamp': 'asc' }], _source: src } },
            last: { top_hits: { size: 1, sort: [{ '@timestamp': 'desc' }], _source: src } },
          }),
        },
      };
    }
  }
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function metricValue(rule: AlertRule, agg: unknown): number | undefined {
  if (!isRecord(agg)) return undefined;
  if (rule.aggregation === 'p95') return isRecord(agg['values']) ? num(agg['values']['95.0']) : undefined;
  return num(agg['value']);
}

function topSource(agg: unknown): unknown {
  if (!isRecord(agg) || !isRecord(agg['hits'])) return undefined;
  const hits = agg['hits']['hits'];
  return Array.isArray(hits) && isRecord(hits[0]) ? hits[0]['_source'] : undefined;
}

/** Reads the observations out of a response of {@link observationSearch} (pure). */
export function parseObservations(rule: AlertRule, aggregations: unknown): Observation[] {
  if (!isRecord(aggregations)) return [];
  const one = (group: string, a: Record<string, unknown>): Observation | undefined => {
    switch (rule.kind) {
      case 'threshold': {
        const value = metricValue(rule, a['v']);
        return value === undefined ? undefined : { group, value };
      }
      case 'nodata': {
        const last = isRecord(a['last']) ? num(a['last']['value']) : undefined;
        return last === undefined ? undefined : { group, lastSeenMs: last };
      }
      case 'job-oom': {
        const n = isRecord(a['oom']) ? num(a['oom']['doc_count']) : undefined;
        return n === undefined ? undefined : { group, value: n };
      }
      case 'job-waste': {
        const s = isRecord(a['v']) ? num(a['v']['value']) : undefined;
        return s === undefined ? undefined : { group, value: (s / 3600) * ((7 * 86_400_000) / rule.windowMs) };
      }
      case 'recommendation-change': {
        const value = recommendationChange(topSource(a['first']), topSource(a['last']));
        return value === undefined ? undefined : { group, value };
      }
    }
  };
  const grouped = rule.kind === 'threshold' || rule.kind === 'nodata' ? rule.groupBy !== undefined : true;
  if (!grouped) {
    const o = one('', aggregations);
    return o === undefined ? [] : [o];
  }
  const buckets = isRecord(aggregations['groups']) ? aggregations['groups']['buckets'] : undefined;
  const out: Observation[] = [];
  for (const b of Array.isArray(buckets) ? buckets : []) {
    if (!isRecord(b)) continue;
    const key = b['key_as_string'] ?? b['key'];
    if (typeof key !== 'string' && typeof key !== 'number') continue;
    const o = one(String(key), b);
    if (o) out.push(o);
  }
  return out;
}

/** Runs a rule's search on Elasticsearch. */
export async function observeEs(client: Client, prefix: string, rule: AlertRule, nowMs: number, maxGroups: number, signal?: AbortSignal): Promise<Observation[]> {
  const s = observationSearch(rule, prefix, nowMs, maxGroups);
  try {
    const res = await client.search({ index: s.index, ignore_unavailable: true, allow_no_indices: true, ...s.body }, signal ? { signal } : {});
    return parseObservations(rule, (res as { aggregations?: unknown }).aggregations);
  } catch (err) {
    throw wrapEsError(err, `evaluating alert rule ${rule.id}`);
  }
}

/**
 * The facts behind an allocation explanation from Elasticsearch: the leader's latest reading, the
 * latest reading of every container read in the last `recentMs` (Mesos executors, else Docker;
 * a Mesos executor reading without a job takes the job and build of the Docker reading of the
 * same container name), and the latest job recommendations of the jobs running.
 */
export async function capacityEs(client: Client, prefix: string, resource: 'cpu' | 'memory', nowMs: number, recentMs: number, maxContainers: number, signal?: AbortSignal): Promise<CapacityInput> {
  const opts = signal ? { signal } : {};
  const totalField = resource === 'cpu' ? 'mesos.cpus.total' : 'mesos.mem.total_bytes';
  const usedField = resource === 'cpu' ? 'mesos.cpus.used' : 'mesos.mem.used_bytes';
  const reqField = resource === 'cpu' ? 'request.cpu_cores' : 'request.memory_bytes';
  const useField = resource === 'cpu' ? 'cpu.cores' : 'memory.working_set_bytes';
  try {
    const [master, containers] = await Promise.all([
      client.search(
        {
          index: indexPattern(prefix, 'cluster'),
          ignore_unavailable: true,
          allow_no_indices: true,
          size: 1,
          sort: [{ '@timestamp': 'desc' }],
          _source: [totalField, usedField],
          query: { bool: { filter: [range(nowMs - recentMs, nowMs), { term: { 'event.dataset': 'mesos.master' } }, { term: { 'mesos.master.elected': true } }] } },
        } as never,
        opts,
      ),
      client.search(
        {
          index: indexPattern(prefix, 'containers'),
          ignore_unavailable: true,
          allow_no_indices: true,
          size: 0,
          query: { bool: { filter: [range(nowMs - recentMs, nowMs)] } },
          aggs: {
            ds: {
              terms: { field: 'event.dataset', size: 2 },
              aggs: {
                c: {
                  terms: { field: 'container.id', size: maxContainers },
                  aggs: { latest: { top_hits: { size: 1, sort: [{ '@timestamp': 'desc' }], _source: ['container.name', 'jenkins.job.name', 'jenkins.build.number', reqField, useField] } } },
                },
              },
            },
          },
        } as never,
        opts,
      ),
    ]);
    const hits = (master as { hits?: { hits?: Array<{ _source?: unknown }> } }).hits?.hits ?? [];
    const m = hits[0]?._source;
    const get = (d: unknown, path: string): unknown => path.split('.').reduce<unknown>((o, k) => (isRecord(o) ? o[k] : undefined), d);
    const total = num(get(m, totalField));
    const allocated = num(get(m, usedField));
    const dsBuckets = ((containers as { aggregations?: { ds?: { buckets?: Array<{ key: string; c?: { buckets?: unknown[] } }> } } }).aggregations?.ds?.buckets ?? []).slice();
    const executors = dsBuckets.find((b) => b.key === 'mesos.executor');
    const dockers = dsBuckets.find((b) => b.key === 'docker.container');
    const chosen = executors ?? dockers;
    // A mesos.executor reading carries no Jenkins identity; the Docker reading of the same container
    // (named `mesos-<container id>` by the Mesos Docker containerizer) has it from the build's env.
    const identityByName = new Map<string, { job: unknown; build: number | undefined }>();
    if (chosen === executors) {
      for (const b of dockers?.c?.buckets ?? []) {
        const src = topSource(isRecord(b) ? b['latest'] : undefined);
        const name = get(src, 'container.name');
        if (typeof name === 'string' && typeof get(src, 'jenkins.job.name') === 'string') identityByName.set(name, { job: get(src, 'jenkins.job.name'), build: num(get(src, 'jenkins.build.number')) });
      }
    }
    const running: RunningContainer[] = [];
    for (const b of chosen?.c?.buckets ?? []) {
      const src = topSource(isRecord(b) ? b['latest'] : undefined);
      const name = get(src, 'container.name');
      const joined = typeof get(src, 'jenkins.job.name') === 'string' || typeof name !== 'string' ? undefined : identityByName.get(name);
      const job = joined ? joined.job : get(src, 'jenkins.job.name');
      const build = joined ? joined.build : num(get(src, 'jenkins.build.number'));
      const requested = num(get(src, reqField));
      const used = num(get(src, useField));
      running.push({
        ...(typeof job === 'string' ? { job } : {}),
        ...(build === undefined ? {} : { build }),
        ...(requested === undefined ? {} : { requested }),
        ...(used === undefined ? {} : { used }),
      });
    }
    const jobs = [...new Set(running.map((c) => c.job).filter((j): j is string => j !== undefined))];
    const recommendations = new Map<string, JobRecommendation>();
    if (jobs.length > 0) {
      const f = resource === 'cpu' ? 'cpu_cores' : 'memory_bytes';
      const recs = await client.search(
        {
          index: indexPattern(prefix, 'recommendations'),
          ignore_unavailable: true,
          allow_no_indices: true,
          size: jobs.length,
          _source: ['workload.key', `current.${f}`, `recommended.${f}`],
          query: { bool: { filter: [{ term: { 'workload.kind': 'jenkins.job' } }, { terms: { 'workload.key': jobs } }] } },
        },
        opts,
      );
      for (const h of (recs as { hits?: { hits?: Array<{ _source?: unknown }> } }).hits?.hits ?? []) {
        const key = get(h._source, 'workload.key');
        if (typeof key !== 'string') continue;
        const current = num(get(h._source, `current.${f}`));
        const recommended = num(get(h._source, `recommended.${f}`));
        recommendations.set(key, { ...(current === undefined ? {} : { current }), ...(recommended === undefined ? {} : { recommended }) });
      }
    }
    return { resource, ...(total === undefined ? {} : { total }), ...(allocated === undefined ? {} : { allocated }), containers: running, recommendations };
  } catch (err) {
    throw wrapEsError(err, `reading the capacity facts of ${resource}`);
  }
}

/**
 * Runs the searches of several rules in one `_msearch` request (one round trip for a whole
 * evaluation round); a failed search fails the round with its reason.
 */
export async function observeAllEs(client: Client, prefix: string, rules: readonly AlertRule[], nowMs: number, maxGroups: number, signal?: AbortSignal): Promise<Map<string, Observation[]>> {
  const out = new Map<string, Observation[]>();
  if (rules.length === 0) return out;
  const searches: unknown[] = [];
  for (const r of rules) {
    const s = observationSearch(r, prefix, nowMs, maxGroups);
    searches.push({ index: s.index, ignore_unavailable: true, allow_no_indices: true }, s.body);
  }
  let res: { responses: unknown[] };
  try {
    res = (await client.msearch({ searches } as never, signal ? { signal } : {}));
  } catch (err) {
    throw wrapEsError(err, `evaluating ${rules.length} alert rules`);
  }
  rules.forEach((r, i) => {
    const item = res.responses[i];
    if (isRecord(item) && item['error'] !== undefined) {
      throw new StoreError('RS_ERR_STORE_REJECTED', `evaluating alert rule ${r.id}: ${JSON.stringify(item['error']).slice(0, 300)}`);
    }
    out.set(r.id, parseObservations(r, isRecord(item) ? item['aggregations'] : undefined));
  });
  return out;
}
