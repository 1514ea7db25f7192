import type { Client } from '@elastic/elasticsearch';
import type { Logger } from '../util/index.js';
import { statusOf, wrapEsError } from './esErrors.js';
import { INDEX_KINDS, indexPattern, type IndexKind } from './routing.js';

/**
 * The composable index templates of rightsize, one per index kind of docs/data-model.md, as
 * plain data. They use only what the minimal `integ-test-zip` distribution has (probed on
 * 8.19.7): no ILM, no data streams, no ingest pipelines, no scripts; and no `scaled_float`,
 * `wildcard`, `constant_keyword`, `unsigned_long` or `match_only_text`, which live in modules
 * that distribution lacks (mapper-extras, x-pack plugins). So CPU cores are `double`.
 *
 * Bump {@link TEMPLATE_VERSION} whenever a mapping or setting changes: `installTemplates`
 * replaces only templates whose installed version is lower. Existing indices keep their mapping;
 * the next daily/monthly index picks up the new one.
 */
export const TEMPLATE_VERSION = 6;

/** Priority above Elasticsearch's built-in templates (100) so ours win on any overlap. */
export const TEMPLATE_PRIORITY = 200;

/** A mapping property, as Elasticsearch takes it. */
export type MappingProperty = { readonly [key: string]: unknown };
type Props = Readonly<Record<string, MappingProperty>>;

const keyword: MappingProperty = { type: 'keyword', ignore_above: 1024 };
const double: MappingProperty = { type: 'double' };
const long: MappingProperty = { type: 'long' };
const integer: MappingProperty = { type: 'integer' };
const bool: MappingProperty = { type: 'boolean' };
const isoDate: MappingProperty = { type: 'date' };
/**
 * An instant in epoch milliseconds (data-model.md: epoch ms everywhere but `@timestamp`).
 * `epoch_millis` comes first so stored numbers parse as ms; the ISO alternative lets readers
 * query with ISO strings too (with `epoch_millis` alone a range `gte: "2026-11-22T…"` fails).
 */
const epochMs: MappingProperty = { type: 'date', format: 'epoch_millis||strict_date_optional_time' };
const text: MappingProperty = { type: 'text' };

function obj(properties: Props): MappingProperty {
  return { properties };
}

/**
 * Shared by every kind: unknown strings become `keyword` (never analysed `text`), unknown
 * numbers become `double` (so a field first seen as `0` is not mapped `long` and then silently
 * truncates `0.5`), `container.labels.*` and ECS `labels.*` are keywords. Label keys keep their
 * dots as one field name (`subobjects: false` below), so labels `a` and `a.b` never conflict.
 */
const DYNAMIC_TEMPLATES: readonly Record<string, unknown>[] = [
  { container_labels: { path_match: 'container.labels.*', mapping: { type: 'keyword', ignore_above: 1024 } } },
  { ecs_labels: { path_match: 'labels.*', mapping: { type: 'keyword', ignore_above: 1024 } } },
  { strings_as_keyword: { match_mapping_type: 'string', mapping: { type: 'keyword', ignore_above: 1024 } } },
  { integers_as_double: { match_mapping_type: 'long', mapping: { type: 'double' } } },
  { floats_as_double: { match_mapping_type: 'double', mapping: { type: 'double' } } },
];

const labelsObject: MappingProperty = { type: 'object', subobjects: false };

const cpusMemDisk = obj({ cpus: double, mem_bytes: long, disk_bytes: long });

/** Explicit mappings of every field of docs/data-model.md, per index kind. */
export const MAPPINGS: Readonly<Record<IndexKind, Props>> = {
  containers: {
    '@timestamp': isoDate,
    event: obj({ dataset: keyword, module: keyword }),
    host: obj({ name: keyword }),
    // v5: the polled endpoint is ECS `service.address` (was `source.endpoint`; `source.*` is a network peer in ECS).
    service: obj({ address: keyword }),
    container: obj({
      id: keyword,
      name: keyword,
      runtime: keyword,
      image: obj({ name: keyword }),
      labels: labelsObject,
      // The final document of an exited container (Docker `oom`/`die` events).
      oom_killed: bool,
      exit_code: integer,
    }),
    labels: labelsObject,
    mesos: obj({
      agent: obj({ id: keyword }),
      framework: obj({ id: keyword }),
      executor: obj({ id: keyword }),
      task: obj({ id: keyword }),
      container: obj({ id: keyword }),
    }),
    jenkins: obj({ url: keyword, node: obj({ name: keyword }), label: keyword, job: obj({ name: keyword }), build: obj({ number: long }) }),
    // v4: the Marathon app of a Mesos task and what the task reserved (mesos.executor documents).
    marathon: obj({ app: obj({ id: keyword }) }),
    request: obj({ cpu_cores: double, memory_bytes: long }),
    cpu: obj({ cores: double, limit_cores: double, interval_ms: long, core_seconds: double, throttled: obj({ periods: long, time_ms: long }) }),
    memory: obj({ working_set_bytes: long, rss_bytes: long, usage_bytes: long, limit_bytes: long, peak_bytes: long }),
    process: obj({ count: long }),
  },
  cluster: {
    '@timestamp': isoDate,
    event: obj({ dataset: keyword }),
    mesos: obj({
      cluster: keyword,
      master: obj({ url: keyword, elected: bool, uptime_secs: double }),
      cpus: obj({ total: double, used: double, percent: double }),
      mem: obj({ total_bytes: long, used_bytes: long, percent: double }),
      disk: obj({ total_bytes: long, used_bytes: long, percent: double }),
      gpus: obj({ total: double, used: double }),
      agents: obj({ active: long, inactive: long, connected: long, disconnected: long, unreachable: long }),
      frameworks: obj({ active: long, inactive: long }),
      offers: obj({ outstanding: long }),
      tasks: obj({
        staging: long,
        starting: long,
        running: long,
        killing: long,
        finished: long,
        failed: long,
        killed: long,
        lost: long,
        error: long,
        unreachable: long,
      }),
      agent: obj({ id: keyword, hostname: keyword, active: bool, resources: cpusMemDisk, used: cpusMemDisk }),
      role: obj({ name: keyword, weight: double, allocated: obj({ cpus: double, mem_bytes: long }) }),
    }),
  },
  queue: {
    '@timestamp': isoDate,
    event: obj({ dataset: keyword }),
    jenkins: obj({ url: keyword, label: keyword }),
    queue: obj({
      length: long,
      buildable: long,
      blocked: long,
      stuck: long,
      oldest_wait_ms: long,
      wait_ms: obj({ p50: long, p95: long, max: long }),
    }),
    executors: obj({ total: long, busy: long, idle: long }),
  },
  builds: {
    '@timestamp': isoDate,
    jenkins: obj({
      url: keyword,
      job: obj({ name: keyword }),
      build: obj({ number: long, url: keyword }),
      result: keyword,
      label: keyword,
      node: obj({ name: keyword }),
    }),
    build: obj({ start: epochMs, end: epochMs, duration_ms: long }),
    queue: obj({ wait_ms: long, buildable_ms: long }),
    request: obj({ cpu_cores: double, memory_bytes: long }),
    usage: obj({
      cpu: obj({ avg_cores: double, p50_cores: double, p95_cores: double, max_cores: double, core_seconds: double, throttled_ratio: double }),
      memory: obj({ avg_bytes: long, peak_bytes: long }),
      sample_count: long,
      coverage: double,
      shared_agent: bool,
    }),
    outcome: obj({ oom_killed: bool }),
    // byte-seconds overflow nothing in a double and are never exact anyway.
    waste: obj({ cpu_core_seconds: double, memory_byte_seconds: double }),
  },
  recommendations: recommendationProps(),
  'recommendations-history': recommendationProps(),
  alerts: {
    '@timestamp': isoDate,
    rule: obj({ id: keyword, name: keyword, severity: keyword }),
    alert: obj({
      group: keyword,
      status: keyword,
      since: epochMs,
      last_notified: epochMs,
      value: double,
      threshold: double,
      notifications: long,
    }),
  },
  'alert-events': {
    '@timestamp': isoDate,
    rule: obj({ id: keyword }),
    alert: obj({ group: keyword }),
    event: obj({ action: keyword }),
    notifier: keyword,
    message: text,
  },
  silences: {
    '@timestamp': isoDate,
    rule: obj({ id: keyword }),
    alert: obj({ group: keyword }),
    until: epochMs,
    created_by: keyword,
    comment: text,
  },
  waste: {
    '@timestamp': isoDate,
    // `scope` is a sibling of the waste figures: `waste.scope` + `waste.{cpu_core_hours,memory_gib_hours}`.
    waste: obj({ scope: keyword, cpu_core_hours: double, memory_gib_hours: double }),
    workload: obj({ kind: keyword, key: keyword }),
    week: { type: 'date', format: 'strict_date' },
    builds: long,
    reserved: obj({ cpu_core_hours: double, memory_gib_hours: double }),
    used: obj({ cpu_core_hours: double, memory_gib_hours: double }),
    cost: obj({ cpu: double, memory: double, total: double, currency: keyword }),
  },
  reports: {
    '@timestamp': isoDate,
    report: obj({ id: keyword, kind: keyword, period: keyword, time_zone: keyword }),
    period: obj({ start: isoDate, end: isoDate }),
    generated_at: epochMs,
    totals: obj({
      builds: long,
      reserved: obj({ cpu_core_hours: double, memory_gib_hours: double }),
      used: obj({ cpu_core_hours: double, memory_gib_hours: double }),
      waste: obj({ cpu_core_hours: double, memory_gib_hours: double }),
      cost: obj({ total: double, currency: keyword }),
    }),
    // Kept whole in _source for the API and re-sending; not indexed (no field explosion).
    figures: { type: 'object', enabled: false },
    html: { type: 'text', index: false },
    markdown: { type: 'text', index: false },
    csv: { type: 'text', index: false },
  },
};

/**
 * ECS base fields on every kind (v5): `ecs.version` and `event.module` (`docker`, `mesos`,
 * `jenkins`, or `rightsize` for its own documents), merged into the kind's own `event` object.
 */
export function withEcsMappings(props: Props): Props {
  const event = props['event'] as { properties?: Props } | undefined;
  return { ...props, ecs: obj({ version: keyword }), event: obj({ ...(event?.properties ?? {}), module: keyword }) };
}

function recommendationProps(): Props {
  const resources = obj({ cpu_cores: double, memory_bytes: long });
  return {
    '@timestamp': isoDate,
    workload: obj({ kind: keyword, key: keyword }),
    jenkins: obj({ job: obj({ name: keyword }), label: keyword }),
    current: resources,
    recommended: obj({ cpu_cores: double, memory_bytes: long, lower: resources, upper: resources }),
    basis: obj({ builds: long, window_days: double, cpu_percentile: double, memory_percentile: double, headroom: double }),
    confidence: keyword,
    // An array of keywords is mapped like a single keyword.
    reasons: keyword,
    savings: obj({ cpu_core_hours_per_week: double, memory_gib_hours_per_week: double }),
    severity: keyword,
  };
}

/** Refresh interval per kind: time series are read in aggregate, state is read back soon after a write. */
const REFRESH_INTERVAL: Readonly<Record<IndexKind, string>> = {
  containers: '5s',
  cluster: '5s',
  queue: '5s',
  builds: '1s',
  recommendations: '1s',
  'recommendations-history': '5s',
  alerts: '1s',
  'alert-events': '1s',
  silences: '1s',
  waste: '5s',
  reports: '1s',
};

/** Options of the templates, from `elasticsearch.*` of the configuration. */
export interface TemplateOptions {
  /** Index prefix (`elasticsearch.indexPrefix`), e.g. `rightsize`. */
  readonly prefix: string;
  /** Primary shards of time-series indices; single indices (recommendations, alerts, silences) always get 1. */
  readonly shards: number;
  /** Replicas per index (0 on a single node, else the cluster stays yellow). */
  readonly replicas: number;
}

/** The body of `PUT _index_template/<name>`. */
export interface IndexTemplateBody {
  readonly index_patterns: readonly string[];
  readonly priority: number;
  readonly version: number;
  readonly _meta: { readonly rightsize_template_version: number; readonly managed_by: 'rightsize'; readonly kind: IndexKind };
  readonly template: {
    readonly settings: Readonly<Record<string, unknown>>;
    readonly mappings: Readonly<Record<string, unknown>>;
  };
}

/** The name of the template of a kind: `<prefix>-<kind>`. */
export function templateName(prefix: string, kind: IndexKind): string {
  return `${prefix}-${kind}`;
}

/** The template of one kind, as data. */
export function buildTemplate(kind: IndexKind, opts: TemplateOptions): IndexTemplateBody {
  const single = INDEX_KINDS[kind] === 'single';
  return {
    index_patterns: [indexPattern(opts.prefix, kind)],
    priority: TEMPLATE_PRIORITY,
    version: TEMPLATE_VERSION,
    _meta: { rightsize_template_version: TEMPLATE_VERSION, managed_by: 'rightsize', kind },
    template: {
      settings: {
        'index.number_of_shards': single ? 1 : opts.shards,
        'index.number_of_replicas': opts.replicas,
        'index.refresh_interval': REFRESH_INTERVAL[kind],
        // Labels add fields per distinct key; past the limit, new dynamic fields are left
        // unmapped (still in _source) instead of rejecting the whole document.
        'index.mapping.total_fields.limit': 2000,
        'index.mapping.total_fields.ignore_dynamic_beyond_limit': true,
      },
      mappings: {
        dynamic: true,
        date_detection: false,
        numeric_detection: false,
        dynamic_templates: DYNAMIC_TEMPLATES,
        properties: withEcsMappings(MAPPINGS[kind]),
      },
    },
  };
}

/** Every template of rightsize, by template name. */
export function buildTemplates(opts: TemplateOptions): ReadonlyMap<string, IndexTemplateBody> {
  const out = new Map<string, IndexTemplateBody>();
  for (const kind of Object.keys(INDEX_KINDS) as IndexKind[]) out.set(templateName(opts.prefix, kind), buildTemplate(kind, opts));
  return out;
}

/** What `installTemplates` did, by template name. */
export interface InstallResult {
  /** Templates that did not exist and were created. */
  readonly created: readonly string[];
  /** Templates with a lower version that were replaced. */
  readonly updated: readonly string[];
  /** Templates already at this version, left alone. */
  readonly unchanged: readonly string[];
  /** Templates with a higher version (a newer rightsize installed them), left alone. */
  readonly newer: readonly string[];
}

function installedVersion(entry: { index_template: { version?: number; _meta?: Record<string, unknown> } }): number | undefined {
  const meta = entry.index_template._meta?.['rightsize_template_version'];
  if (typeof meta === 'number') return meta;
  return entry.index_template.version;
}

/**
 * Installs the templates idempotently: one GET of the existing `<prefix>-*` templates, then a PUT
 * only for those missing or older than {@link TEMPLATE_VERSION}. Running it twice changes
 * nothing the second time.
 *
 * @throws StoreError `RS_ERR_STORE_UNAVAILABLE` when Elasticsearch cannot be reached,
 *   `RS_ERR_STORE_REJECTED` when it refuses a template.
 */
export async function installTemplates(client: Client, opts: TemplateOptions & { readonly logger?: Logger }): Promise<InstallResult> {
  const wanted = buildTemplates(opts);
  const existing = new Map<string, number | undefined>();
  try {
    const res = await client.indices.getIndexTemplate({ name: `${opts.prefix}-*` });
    for (const entry of res.index_templates) existing.set(entry.name, installedVersion(entry));
  } catch (err) {
    if (statusOf(err) !== 404) throw wrapEsError(err, 'cannot read the installed index templates');
  }
  const result = { created: [] as string[], updated: [] as string[], unchanged: [] as string[], newer: [] as string[] };
  for (const [name, body] of wanted) {
    const have = existing.has(name) ? (existing.get(name) ?? 0) : undefined;
    if (have !== undefined && have === TEMPLATE_VERSION) {
      result.unchanged.push(name);
      continue;
    }
    if (have !== undefined && have > TEMPLATE_VERSION) {
      opts.logger?.warn({ template: name, installed: have, ours: TEMPLATE_VERSION }, 'a newer index template is installed; leaving it');
      result.newer.push(name);
      continue;
    }
    try {
      await client.indices.putIndexTemplate({ name, ...(body as unknown as Record<string, unknown>) });
    } catch (err) {
      throw wrapEsError(err, `cannot install index template ${name}`);
    }
    (have === undefined ? result.created : result.updated).push(name);
    opts.logger?.info({ template: name, version: TEMPLATE_VERSION, previous: have }, have === undefined ? 'index template created' : 'index template updated');
  }
  return result;
}

/** Deletes every template of a prefix (tests, benchmarks, uninstall). Returns the names deleted. */
export async function deleteTemplates(client: Client, prefix: string): Promise<string[]> {
  const deleted: string[] = [];
  for (const kind of Object.keys(INDEX_KINDS) as IndexKind[]) {
    const name = templateName(prefix, kind);
    try {
      await client.indices.deleteIndexTemplate({ name });
      deleted.push(name);
    } catch (err) {
      if (statusOf(err) !== 404) throw wrapEsError(err, `cannot delete index template ${name}`);
    }
  }
  return deleted;
}
