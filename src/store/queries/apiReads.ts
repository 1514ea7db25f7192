import type { Client } from '@elastic/elasticsearch';
import { ALERT_SEVERITIES, type BuildDoc } from '../../model/index.js';
import { FieldReader, isRecord, oneOf } from '../../util/json.js';
import { wrapEsError } from '../esErrors.js';
import { indexName, indexPattern, INDEX_KINDS, type IndexKind } from '../routing.js';
import { TEMPLATE_VERSION, templateName } from '../templates.js';

/**
 * The reads (and the two silence writes) of `rightsize serve` beyond the cached recommendations:
 * builds of a job, cluster capacity/allocation/use, queue waits by label, alert state and
 * silences (docs/data-model.md). Statistics are aggregations inside Elasticsearch; one request
 * (two for /cluster) per route. Structurally the API's `ApiReads` port (src/api/reads.ts).
 */

type Obj = Readonly<Record<string, unknown>>;
type Point = { t: number } & Record<string, number>;
// Shape problems of an aggregation only mean "no data" here: each read starts a fresh reader, so
// the problems of one answer are dropped with it instead of accumulating.
let fr = new FieldReader('elasticsearch');
const freshReader = (): void => {
  fr = new FieldReader('elasticsearch');
};
const child = (o: Obj | undefined, key: string): Obj | undefined => (o === undefined ? undefined : fr.obj(o, key));
const value = (o: Obj | undefined, key: string): number | undefined => fr.num((child(o, key) ?? {}), 'value');
const buckets = (o: Obj | undefined, key: string): Obj[] => (fr.arr((child(o, key) ?? {}) as Record<string, unknown>, 'buckets') ?? []).filter(isRecord);
const hitsOf = (res: unknown): Obj[] => (fr.arr((child(isRecord(res) ? res : undefined, 'hits') ?? {}) as Record<string, unknown>, 'hits') ?? []).filter(isRecord);
/**
 * How much of the histogram bucket starting at `bucketStartMs` lies inside [fromMs, toMs), ms
 * (pure). The buckets are aligned to multiples of `intervalMs`, so the first and the last of a
 * range are usually partial: a sum over a bucket divided by the whole width would under-read them.
 */
export function bucketCoveredMs(bucketStartMs: number, intervalMs: number, fromMs: number, toMs: number): number {
  return Math.max(0, Math.min(bucketStartMs + intervalMs, toMs) - Math.max(bucketStartMs, fromMs));
}

/**
 * The point "now" of the measured use (pure): the newest bucket that ended by `toMs` and has
 * `key` (the current bucket is still filling: its samples cover only part of its width, and the
 * newest of them may not be written yet); when no complete bucket has it, the newest that has it.
 */
export function lastCompletePoint<P extends { readonly t: number }>(sorted: readonly P[], key: keyof P, intervalMs: number, toMs: number): P | undefined {
  let newest: P | undefined;
  for (let i = sorted.length - 1; i >= 0; i--) {
    const p = sorted[i]!;
    if (p[key] === undefined) continue;
    newest ??= p;
    if (p.t + intervalMs <= toMs) return p;
  }
  return newest;
}

const range = (field: string, fromMs: number, toMs: number) => ({ range: { [field]: { gte: fromMs, lt: toMs, format: 'epoch_millis' } } });
const setIf = (p: Point, key: string, v: number | undefined): void => {
  if (v !== undefined && Number.isFinite(v)) p[key] = v;
};

export interface ApiRangeMs {
  readonly fromMs: number;
  readonly toMs: number;
  readonly intervalMs: number;
}

export interface EsApiReadsOptions {
  readonly client: Client;
  readonly prefix: string;
}

export class EsApiReads {
  private readonly _c: Client;
  private readonly _prefix: string;

  constructor(opts: EsApiReadsOptions) {
    this._c = opts.client;
    this._prefix = opts.prefix;
  }

  private async _search(what: string, body: Record<string, unknown>, signal: AbortSignal): Promise<Obj> {
    try {
      const res: unknown = await this._c.search({ ignore_unavailable: true, allow_no_indices: true, ...body }, { signal });
      return isRecord(res) ? res : {};
    } catch (err) {
      throw wrapEsError(err, what);
    }
  }

  async ping(signal: AbortSignal): Promise<void> {
    try {
      await this._c.cluster.health({ timeout: '5s' }, { signal });
    } catch (err) {
      throw wrapEsError(err, 'Elasticsearch does not answer');
    }
  }

  async missingTemplates(signal: AbortSignal): Promise<string[]> {
    const installed = new Map<string, number>();
    try {
      const res = await this._c.indices.getIndexTemplate({ name: `${this._prefix}-*` }, { signal, ignore: [404] });
      for (const t of res.index_templates ?? []) {
        const meta: unknown = t.index_template._meta?.['rightsize_template_version'];
        installed.set(t.name, typeof meta === 'number' ? meta : (t.index_template.version ?? 0));
      }
    } catch (err) {
      throw wrapEsError(err, 'reading the index templates failed');
    }
    return (Object.keys(INDEX_KINDS) as IndexKind[]).map((k) => templateName(this._prefix, k)).filter((n) => (installed.get(n) ?? -1) < TEMPLATE_VERSION);
  }

  async builds(job: string, r: { fromMs: number; toMs: number }, limit: number, signal: AbortSignal) {
    freshReader();
    const res = await this._search(
      'reading the builds failed',
      {
        index: indexPattern(this._prefix, 'builds'),
        size: limit,
        sort: [{ 'build.end': { order: 'desc' } }],
        query: { bool: { filter: [{ term: { 'jenkins.job.name': job } }, range('build.end', r.fromMs, r.toMs)] } },
      },
      signal,
    );
    return hitsOf(res).flatMap((h) => {
      const d = h['_source'] as BuildDoc | undefined;
      if (!isRecord(d) || typeof d.jenkins?.build?.number !== 'number') return [];
      const u = d.usage;
      const row: Record<string, unknown> = {
        number: d.jenkins.build.number,
        result: d.jenkins.result,
        label: d.jenkins.label,
        node: d.jenkins.node?.name,
        start_ms: d.build?.start,
        end_ms: d.build?.end,
        duration_ms: d.build?.duration_ms,
        queue_wait_ms: d.queue?.wait_ms,
        request: { ...(d.request?.cpu_cores !== undefined ? { cpu_cores: d.request.cpu_cores } : {}), ...(d.request?.memory_bytes !== undefined ? { memory_bytes: d.request.memory_bytes } : {}) },
        cpu_p95_cores: u?.cpu?.p95_cores,
        cpu_max_cores: u?.cpu?.max_cores,
        cpu_avg_cores: u?.cpu?.avg_cores,
        memory_peak_bytes: u?.memory?.peak_bytes,
        memory_avg_bytes: u?.memory?.avg_bytes,
        throttled_ratio: u?.cpu?.throttled_ratio,
        oom_killed: d.outcome?.oom_killed,
        coverage: u?.coverage,
      };
      for (const k of Object.keys(row)) if (row[k] === undefined) delete row[k];
      return [row as { number: number; request: { cpu_cores?: number; memory_bytes?: number } }];
    });
  }

  async cluster(r: ApiRangeMs, signal: AbortSignal) {
    freshReader();
    const hist = { date_histogram: { field: '@timestamp', fixed_interval: `${r.intervalMs}ms`, min_doc_count: 1 } };
    const [master, containers] = await Promise.all([
      this._search(
        'reading the cluster documents failed',
        {
          index: indexPattern(this._prefix, 'cluster'),
          size: 1,
          sort: [{ '@timestamp': { order: 'desc' } }],
          query: { bool: { filter: [{ term: { 'event.dataset': 'mesos.master' } }, range('@timestamp', r.fromMs, r.toMs)] } },
          aggs: {
            t: {
              ...hist,
              aggs: {
                cpus_total: { avg: { field: 'mesos.cpus.total' } },
                cpus_allocated: { avg: { field: 'mesos.cpus.used' } },
                mem_total_bytes: { avg: { field: 'mesos.mem.total_bytes' } },
                mem_allocated_bytes: { avg: { field: 'mesos.mem.used_bytes' } },
                agents_active: { avg: { field: 'mesos.agents.active' } },
              },
            },
          },
        },
        signal,
      ),
      // Measured use: Σ core-seconds over the bucket's seconds = mean cores; working sets
      // summed over a bucket ≈ (bucket / poll interval) × the total working set. Per dataset,
      // since Docker and the Mesos agent may both read one container; the larger one is used.
      this._search(
        'reading the container documents failed',
        {
          index: indexPattern(this._prefix, 'containers'),
          size: 0,
          query: { bool: { filter: [range('@timestamp', r.fromMs, r.toMs)] } },
          aggs: {
            ds: {
              terms: { field: 'event.dataset', size: 4 },
              aggs: { t: { ...hist, aggs: { core_seconds: { sum: { field: 'cpu.core_seconds' } }, ws: { sum: { field: 'memory.working_set_bytes' } }, poll: { avg: { field: 'cpu.interval_ms' } } } } },
            },
          },
        },
        signal,
      ),
    ]);
    const series = new Map<number, Point>();
    const at = (t: number): Point => {
      let p = series.get(t);
      if (!p) series.set(t, (p = { t }));
      return p;
    };
    const aggs = child(master, 'aggregations');
    for (const b of buckets(aggs, 't')) {
      const t = fr.num(b, 'key');
      if (t === undefined) continue;
      const p = at(t);
      for (const k of ['cpus_total', 'cpus_allocated', 'mem_total_bytes', 'mem_allocated_bytes', 'agents_active']) setIf(p, k, value(b, k));
    }
    const datasets = buckets(child(containers, 'aggregations'), 'ds').sort((a, b) => (fr.num(b, 'doc_count') ?? 0) - (fr.num(a, 'doc_count') ?? 0));
    for (const b of datasets.length > 0 ? buckets(datasets[0], 't') : []) {
      const t = fr.num(b, 'key');
      if (t === undefined) continue;
      const covered = bucketCoveredMs(t, r.intervalMs, r.fromMs, r.toMs);
      if (covered <= 0) continue;
      const p = at(t);
      const cs = value(b, 'core_seconds');
      const poll = value(b, 'poll');
      // Per the part of the bucket inside the range (the first and last are partial).
      setIf(p, 'cpus_used', cs === undefined ? undefined : cs / (covered / 1000));
      const ws = value(b, 'ws');
      setIf(p, 'mem_used_bytes', ws === undefined || poll === undefined || poll <= 0 ? undefined : (ws * poll) / covered);
    }
    const sorted = [...series.values()].sort((a, b) => a.t - b.t);
    const last = hitsOf(master)[0]?.['_source'] as { '@timestamp'?: string; mesos?: { cpus?: { total?: number; used?: number }; mem?: { total_bytes?: number; used_bytes?: number }; agents?: { active?: number } } } | undefined;
    const lastUse = lastCompletePoint(sorted, 'cpus_used', r.intervalMs, r.toMs);
    const now: Record<string, unknown> = {
      at: last?.['@timestamp'],
      cpus_total: last?.mesos?.cpus?.total,
      cpus_allocated: last?.mesos?.cpus?.used,
      mem_total_bytes: last?.mesos?.mem?.total_bytes,
      mem_allocated_bytes: last?.mesos?.mem?.used_bytes,
      agents_active: last?.mesos?.agents?.active,
      cpus_used: lastUse?.['cpus_used'],
      mem_used_bytes: lastUse?.['mem_used_bytes'],
    };
    for (const k of Object.keys(now)) if (typeof now[k] !== 'number' && typeof now[k] !== 'string') delete now[k];
    return { now, series: sorted };
  }

  async queue(r: ApiRangeMs, signal: AbortSignal) {
    freshReader();
    const [builds, queue] = await Promise.all([
      this._search(
        'reading the builds failed',
        {
          index: indexPattern(this._prefix, 'builds'),
          size: 0,
          query: { bool: { filter: [range('build.start', r.fromMs, r.toMs)] } },
          aggs: { l: { terms: { field: 'jenkins.label', size: 500 }, aggs: { w: { percentiles: { field: 'queue.wait_ms', percents: [50, 95] } }, m: { max: { field: 'queue.wait_ms' } } } } },
        },
        signal,
      ),
      this._search(
        'reading the queue documents failed',
        {
          index: indexPattern(this._prefix, 'queue'),
          size: 0,
          query: { bool: { filter: [{ term: { 'event.dataset': 'jenkins.queue.label' } }, range('@timestamp', r.fromMs, r.toMs)] } },
          aggs: {
            l: {
              terms: { field: 'jenkins.label', size: 500 },
              aggs: { t: { date_histogram: { field: '@timestamp', fixed_interval: `${r.intervalMs}ms`, min_doc_count: 1 }, aggs: { len: { avg: { field: 'queue.length' } }, oldest: { max: { field: 'queue.oldest_wait_ms' } } } } },
            },
          },
        },
        signal,
      ),
    ]);
    const out = new Map<string, { label: string; builds: number; wait_p50_ms?: number; wait_p95_ms?: number; wait_max_ms?: number; series: Point[] }>();
    const entry = (label: string) => {
      let e = out.get(label);
      if (!e) out.set(label, (e = { label, builds: 0, series: [] }));
      return e;
    };
    for (const b of buckets(child(builds, 'aggregations'), 'l')) {
      const label = fr.str(b, 'key');
      if (label === undefined) continue;
      const e = entry(label);
      e.builds = fr.num(b, 'doc_count') ?? 0;
      const values = child(child(b, 'w'), 'values');
      const p50 = values === undefined ? undefined : fr.num(values, '50.0');
      const p95 = values === undefined ? undefined : fr.num(values, '95.0');
      const max = value(b, 'm');
      if (p50 !== undefined) e.wait_p50_ms = p50;
      if (p95 !== undefined) e.wait_p95_ms = p95;
      if (max !== undefined) e.wait_max_ms = max;
    }
    for (const b of buckets(child(queue, 'aggregations'), 'l')) {
      const label = fr.str(b, 'key');
      if (label === undefined) continue;
      entry(label).series = buckets(b, 't').flatMap((x) => {
        const t = fr.num(x, 'key');
        if (t === undefined) return [];
        const p: Point = { t };
        setIf(p, 'length', value(x, 'len'));
        setIf(p, 'oldest_wait_ms', value(x, 'oldest'));
        return [p];
      });
    }
    return [...out.values()].sort((a, b) => (b.wait_p95_ms ?? 0) - (a.wait_p95_ms ?? 0) || a.label.localeCompare(b.label));
  }

  async alerts(status: 'firing' | 'resolved' | undefined, signal: AbortSignal) {
    freshReader();
    const res = await this._search(
      'reading the alerts failed',
      {
        index: indexName(this._prefix, 'alerts', 0),
        size: 1000,
        sort: [{ '@timestamp': { order: 'desc' } }],
        query: status === undefined ? { match_all: {} } : { term: { 'alert.status': status } },
      },
      signal,
    );
    return hitsOf(res).flatMap((h) => {
      const s = h['_source'] as { rule?: { id?: unknown; name?: unknown; severity?: unknown }; alert?: Record<string, unknown> } | undefined;
      const id = h['_id'];
      if (!isRecord(s) || typeof id !== 'string' || typeof s.rule?.id !== 'string') return [];
      const a = s.alert ?? {};
      const row: Record<string, unknown> = {
        id,
        rule_id: s.rule.id,
        rule_name: typeof s.rule.name === 'string' ? s.rule.name : undefined,
        severity: oneOf(ALERT_SEVERITIES, s.rule.severity),
        group: typeof a['group'] === 'string' ? a['group'] : undefined,
        status: typeof a['status'] === 'string' ? a['status'] : 'unknown',
        since_ms: fr.num(a, 'since'),
        last_notified_ms: fr.num(a, 'last_notified'),
        value: fr.num(a, 'value'),
        threshold: fr.num(a, 'threshold'),
        notifications: fr.num(a, 'notifications'),
      };
      for (const k of Object.keys(row)) if (row[k] === undefined) delete row[k];
      return [row as { id: string; rule_id: string; status: string; group?: string }];
    });
  }

  async activeSilences(nowMs: number, signal: AbortSignal) {
    freshReader();
    const res = await this._search(
      'reading the silences failed',
      { index: indexName(this._prefix, 'silences', 0), size: 1000, sort: [{ until: { order: 'asc' } }], query: { range: { until: { gt: nowMs, format: 'epoch_millis' } } } },
      signal,
    );
    return hitsOf(res).flatMap((h) => {
      const row = silenceRow(h['_id'], h['_source']);
      return row === undefined ? [] : [row];
    });
  }

  async createSilence(s: { ruleId: string; group?: string; untilMs: number; createdBy: string; comment?: string; createdAtMs: number }, signal: AbortSignal) {
    const doc = {
      '@timestamp': new Date(s.createdAtMs).toISOString(),
      rule: { id: s.ruleId },
      ...(s.group !== undefined ? { alert: { group: s.group } } : {}),
      until: s.untilMs,
      created_by: s.createdBy,
      ...(s.comment !== undefined ? { comment: s.comment } : {}),
    };
    try {
      const res = await this._c.index({ index: indexName(this._prefix, 'silences', 0), document: doc, refresh: 'wait_for' }, { signal });
      const row = silenceRow(res._id, doc);
      if (row === undefined) throw new Error('the stored silence cannot be read back');
      return row;
    } catch (err) {
      throw wrapEsError(err, 'storing the silence failed');
    }
  }

  async expireSilence(id: string, nowMs: number, signal: AbortSignal): Promise<boolean> {
    try {
      await this._c.update({ index: indexName(this._prefix, 'silences', 0), id, doc: { until: nowMs }, refresh: 'wait_for' }, { signal });
      return true;
    } catch (err) {
      if ((err as { meta?: { statusCode?: number } }).meta?.statusCode === 404) return false;
      throw wrapEsError(err, 'expiring the silence failed');
    }
  }
}

function silenceRow(id: unknown, s: unknown) {
  if (typeof id !== 'string' || !isRecord(s)) return undefined;
  const rule = isRecord(s['rule']) ? s['rule'] : {};
  const alert = isRecord(s['alert']) ? s['alert'] : {};
  const ruleId = fr.str(rule, 'id');
  const until = fr.num(s, 'until');
  if (ruleId === undefined || until === undefined) return undefined;
  const group = fr.str(alert, 'group');
  const createdBy = fr.str(s, 'created_by');
  const comment = fr.str(s, 'comment');
  const at = fr.str(s, '@timestamp');
  return { id, rule_id: ruleId, until_ms: until, ...(group !== undefined ? { group } : {}), ...(createdBy !== undefined ? { created_by: createdBy } : {}), ...(comment !== undefined ? { comment } : {}), ...(at !== undefined ? { created_at: at } : {}) };
}
