import { Type, type Static } from '@sinclair/typebox';
import type { WorkloadKind } from '../model/index.js';
import { SORT_KEYS } from './cache.js';

/**
 * The API's request and response schemas (TypeBox: JSON Schema for Fastify's validation and
 * serialization, static types for the handlers, and the OpenAPI document).
 */

/** Jenkins caps nothing, but no real job name is this long; longer paths are refused (400). */
export const MAX_JOB_NAME = 1024;
export const KINDS: readonly WorkloadKind[] = ['jenkins.job', 'jenkins.label', 'marathon.app'];
/**
 * The largest page of `GET /api/v1/recommendations` (issue 14 item 5: 200 concurrent pages of
 * 10,000 took 22 s and 3.75 GB). A larger `limit` is a 400; page through with `offset`.
 */
export const MAX_PAGE = 500;

export const SEVERITIES = ['ok', 'warning', 'critical'] as const;

export const ErrorBody = Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String() }) });
export const Resources = Type.Object({ cpu_cores: Type.Optional(Type.Number()), memory_bytes: Type.Optional(Type.Number()) });

/** What `GET /api/v1/jobs/<job>` answers: the allocation a scheduler should give the job's next build. */
export const Allocation = Type.Object({
  job: Type.String({ description: 'The Jenkins job full name asked for.' }),
  workload: Type.Object({ kind: Type.String(), key: Type.String({ description: 'The workload the job is sized as (…/PR-* for pull requests when split by branch kind).' }) }),
  cpu_cores: Type.Optional(Type.Number({ description: 'Recommended CPU, cores.' })),
  memory_bytes: Type.Optional(Type.Number({ description: 'Recommended memory, bytes.' })),
  lower: Type.Optional(Resources),
  upper: Type.Optional(Resources),
  current: Resources,
  label: Type.Optional(Type.String({ description: 'The Jenkins label the builds ran on.' })),
  confidence: Type.String(),
  severity: Type.String(),
  reasons: Type.Array(Type.String()),
  builds: Type.Number({ description: 'Builds the recommendation rests on.' }),
  savings: Type.Optional(Type.Object({ cpu_core_hours_per_week: Type.Optional(Type.Number()), memory_gib_hours_per_week: Type.Optional(Type.Number()) })),
  recommended_at: Type.String({ description: 'When the recommendation was computed (ISO-8601).' }),
  data_age_ms: Type.Number({ description: 'How old the API\'s copy of the recommendations is.' }),
});
export type AllocationBody = Static<typeof Allocation>;

export const ListQuery = Type.Object(
  {
    kind: Type.Optional(Type.Union(KINDS.map((k) => Type.Literal(k)), { default: 'jenkins.job', description: 'Workload kind.' })),
    label: Type.Optional(Type.String({ maxLength: 1024, description: 'Only workloads whose builds ran on this Jenkins label.' })),
    severity: Type.Optional(Type.Union(SEVERITIES.map((k) => Type.Literal(k)), { description: 'Only this severity.' })),
    min_savings: Type.Optional(Type.Number({ minimum: 0, description: 'Only workloads saving at least this many core-hours per week.' })),
    q: Type.Optional(Type.String({ maxLength: 1024, description: 'Only workloads whose key or label contains this text (case-insensitive).' })),
    sort: Type.Optional(Type.Union(SORT_KEYS.map((k) => Type.Literal(k)), { default: 'savings', description: 'savings: core-hours then GiB-hours per week; memory_savings; name.' })),
    order: Type.Optional(Type.Union([Type.Literal('desc'), Type.Literal('asc')], { default: 'desc', description: 'desc: largest savings (or A→Z for name) first; asc reverses.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 100, description: `Page size, at most ${MAX_PAGE}.` })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 })),
  },
  { additionalProperties: false },
);
export type ListQueryT = Static<typeof ListQuery>;

export const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('stale'), Type.Literal('unavailable')]),
  version: Type.String(),
  recommendations: Type.Record(Type.String(), Type.Number()),
  data_age_ms: Type.Optional(Type.Number()),
  refreshes: Type.Number(),
  refresh_failures: Type.Number(),
  last_error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String(), at: Type.String() })),
});

/** `GET /api/v1/recommendations`: stored `recommendations` documents (docs/data-model.md), largest weekly savings first. */
export const RecommendationList = Type.Object({
  total: Type.Integer({ description: 'Workloads of the kind.' }),
  offset: Type.Integer(),
  data_age_ms: Type.Number(),
  items: Type.Array(Type.Object({}, { additionalProperties: true, description: 'A recommendations document as stored (docs/data-model.md).' })),
});

export const JobQuery = Type.Object(
  {
    format: Type.Optional(Type.Union([Type.Literal('rightsize'), Type.Literal('mesos-plugin')], { description: "mesos-plugin: the label to use and the plugin's cpus/mem (default: rightsize's own answer)." })),
    from: Type.Optional(Type.String({ description: 'For …/builds: range start (see /api/v1/builds).' })),
    to: Type.Optional(Type.String({ description: 'For …/builds: range end.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'For …/builds: at most this many builds.' })),
  },
  { additionalProperties: false },
);
export type JobQueryT = Static<typeof JobQuery>;

/** `?format=mesos-plugin`: what a Jenkins job should run on, in the mesos-plugin's terms. */
export const MesosPluginAllocation = Type.Object({
  job: Type.String(),
  workload: Type.Object({ kind: Type.String(), key: Type.String() }),
  label: Type.Optional(Type.String({ description: 'The smallest label the cluster has that covers the recommendation (absent when none does).' })),
  label_cpus: Type.Optional(Type.Number({ description: "That label's reserved CPU, cores." })),
  label_memory_bytes: Type.Optional(Type.Number({ description: "That label's reserved memory (what Mesos is asked for), bytes." })),
  cpus: Type.Number({ description: 'The CPU of one executor, cores (1.x: slaveCpus + executorCpus; 2.x: cpus).' }),
  mem: Type.Integer({
    description:
      "The template memory, MB, for plugin_version: 1.x slaveMem + executorMem (the plugin asks Mesos for 1.1 × this); 2.x mem (the plugin asks Mesos for this + 32 MB, the agent JVM's -Xmx).",
  }),
  plugin_version: Type.Union([Type.Literal('1'), Type.Literal('2')], { description: 'The mesos-plugin generation `mem` is for (config analysis.labels.pluginVersion).' }),
  fallback: Type.Boolean({ description: 'True when no label covers the recommendation (the label is the largest known, or absent).' }),
  confidence: Type.String(),
  data_age_ms: Type.Number(),
});

export const RangeQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ description: 'Start: ISO-8601, epoch ms, or now-<duration> (now-24h). Default: 24 h before `to`.' })),
    to: Type.Optional(Type.String({ description: 'End: ISO-8601, epoch ms or now. Default now.' })),
  },
  { additionalProperties: false },
);
export type RangeQueryT = Static<typeof RangeQuery>;

export const BuildsQuery = Type.Object(
  {
    from: RangeQuery.properties.from,
    to: RangeQuery.properties.to,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200, description: 'Newest builds first, at most 1,000.' })),
  },
  { additionalProperties: false },
);
export type BuildsQueryT = Static<typeof BuildsQuery>;

const Num = (description: string) => Type.Optional(Type.Number({ description }));
export const BuildRow = Type.Object({
  number: Type.Integer(),
  result: Type.Optional(Type.String()),
  label: Type.Optional(Type.String()),
  node: Type.Optional(Type.String()),
  start_ms: Type.Optional(Type.Number()),
  end_ms: Type.Optional(Type.Number()),
  duration_ms: Type.Optional(Type.Number()),
  queue_wait_ms: Num('From entering the queue to starting.'),
  request: Resources,
  cpu_p95_cores: Num('95th percentile of CPU use.'),
  cpu_max_cores: Num(''),
  cpu_avg_cores: Num(''),
  memory_peak_bytes: Num(''),
  memory_avg_bytes: Num(''),
  throttled_ratio: Num('CPU-throttled time over the measured time.'),
  oom_killed: Type.Optional(Type.Boolean()),
  coverage: Num('Fraction of the duration covered by readings.'),
});
export type BuildRowT = Static<typeof BuildRow>;
export const BuildList = Type.Object({
  job: Type.String(),
  from: Type.String(),
  to: Type.String(),
  recommendation: Type.Optional(Resources),
  builds: Type.Array(BuildRow),
});

const Point = Type.Object({ t: Type.Number({ description: 'Bucket start, epoch ms.' }) }, { additionalProperties: Type.Number() });
export const ClusterBody = Type.Object({
  from: Type.String(),
  to: Type.String(),
  interval_ms: Type.Number(),
  now: Type.Object({
    at: Type.Optional(Type.String()),
    cpus_total: Num('Cores the agents offer.'),
    cpus_allocated: Num('Cores reserved by tasks.'),
    mem_total_bytes: Num(''),
    mem_allocated_bytes: Num(''),
    cpus_used: Num('Cores measured in the containers: the mean over the last complete bucket (the current one is still filling).'),
    mem_used_bytes: Num('Working sets measured in the containers, same bucket as cpus_used.'),
    agents_active: Num(''),
  }),
  series: Type.Array(Point, { description: 'Per bucket: cpus_total, cpus_allocated, cpus_used, mem_total_bytes, mem_allocated_bytes, mem_used_bytes, agents_active (each when measured).' }),
});
export type ClusterBodyT = Static<typeof ClusterBody>;

export const QueueLabel = Type.Object({
  label: Type.String(),
  builds: Type.Integer({ description: 'Builds that started in the range.' }),
  wait_p50_ms: Num(''),
  wait_p95_ms: Num(''),
  wait_max_ms: Num(''),
  series: Type.Array(Point, { description: 'Per bucket: length (mean queue length), oldest_wait_ms (max).' }),
});
export const QueueBody = Type.Object({ from: Type.String(), to: Type.String(), interval_ms: Type.Number(), labels: Type.Array(QueueLabel) });
export type QueueBodyT = Static<typeof QueueBody>;

export const AlertsQuery = Type.Object(
  { status: Type.Optional(Type.Union([Type.Literal('firing'), Type.Literal('resolved')], { description: 'Only alerts in this state.' })) },
  { additionalProperties: false },
);
export const AlertRow = Type.Object({
  id: Type.String(),
  rule_id: Type.String(),
  rule_name: Type.Optional(Type.String()),
  severity: Type.Optional(Type.Union([Type.Literal('warning'), Type.Literal('critical')], { description: "The rule's severity when the alert state was last written (absent for states written before rightsize stored it)." })),
  group: Type.Optional(Type.String()),
  status: Type.String(),
  since_ms: Type.Optional(Type.Number()),
  last_notified_ms: Type.Optional(Type.Number()),
  value: Type.Optional(Type.Number()),
  threshold: Type.Optional(Type.Number()),
  notifications: Type.Optional(Type.Number()),
  silenced_by: Type.Optional(Type.String({ description: 'The id of an active silence that matches.' })),
});
export type AlertRowT = Static<typeof AlertRow>;
export const SilenceRow = Type.Object({
  id: Type.String(),
  rule_id: Type.String(),
  group: Type.Optional(Type.String()),
  until_ms: Type.Number(),
  created_by: Type.Optional(Type.String()),
  comment: Type.Optional(Type.String()),
  created_at: Type.Optional(Type.String()),
});
export type SilenceRowT = Static<typeof SilenceRow>;
export const AlertsBody = Type.Object({ alerts: Type.Array(AlertRow), silences: Type.Array(SilenceRow) });

export const SilenceInput = Type.Object(
  {
    rule_id: Type.String({ minLength: 1, maxLength: 256, pattern: '^[^\\u0000-\\u001f]+$', description: 'The rule to silence.' }),
    group: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'Only this group of the rule (all groups when absent).' })),
    duration_ms: Type.Optional(Type.Integer({ minimum: 60_000, maximum: 90 * 86_400_000, description: 'How long, ms (1 min to 90 days). Or give until_ms.' })),
    until_ms: Type.Optional(Type.Integer({ minimum: 0, description: 'Until when, epoch ms.' })),
    created_by: Type.String({ minLength: 1, maxLength: 256 }),
    comment: Type.Optional(Type.String({ maxLength: 4096 })),
  },
  { additionalProperties: false },
);
export type SilenceInputT = Static<typeof SilenceInput>;
export const SilenceParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 512, pattern: '^[A-Za-z0-9_-]+$' }) });

export const WeeklyQuery = Type.Object(
  {
    week: Type.Optional(Type.String({ pattern: '^[0-9]{4}-W(0[1-9]|[1-4][0-9]|5[0-3])$', description: 'ISO week (2026-W47); default the last complete week.' })),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('html'), Type.Literal('md'), Type.Literal('csv')], { default: 'json' })),
  },
  { additionalProperties: false },
);
export type WeeklyQueryT = Static<typeof WeeklyQuery>;
export const WeeklyBody = Type.Object({ id: Type.String(), period: Type.String(), generated_at: Type.String(), figures: Type.Unknown() });

export const LabelRow = Type.Object({
  label: Type.String(),
  cpu_cores: Type.Optional(Type.Number({ description: 'What the label reserves now, cores.' })),
  memory_bytes: Type.Optional(Type.Number({ description: 'What the label reserves now, bytes.' })),
  recommended: Type.Optional(Resources),
  jobs: Type.Integer({ description: 'Jobs with a recommendation whose builds ran on the label.' }),
  confidence: Type.Optional(Type.String()),
  severity: Type.Optional(Type.String()),
});
export const LabelList = Type.Object({ data_age_ms: Type.Number(), labels: Type.Array(LabelRow) });
export const PlanQuery = Type.Object({ k: Type.Optional(Type.Integer({ minimum: 1, maximum: 12, default: 4, description: 'At most this many label sizes.' })) }, { additionalProperties: false });
export const PlanBody = Type.Object({
  data_age_ms: Type.Number(),
  method: Type.String(),
  cost: Type.Number(),
  labels: Type.Array(Type.Object({ name: Type.String(), cpu_cores: Type.Number(), memory_bytes: Type.Number(), jobs: Type.Integer() })),
  moves: Type.Array(Type.Object({ job: Type.String(), from: Type.Optional(Type.String()), to: Type.String() })),
  jobs: Type.Integer(),
});

export const Ready = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  checks: Type.Object({
    elasticsearch: Type.Object({ ok: Type.Boolean(), message: Type.Optional(Type.String()) }),
    templates: Type.Object({ ok: Type.Boolean(), missing: Type.Array(Type.String()) }),
    data: Type.Object({ ok: Type.Boolean(), newest_ms: Type.Optional(Type.Number()), age_ms: Type.Optional(Type.Number()), message: Type.Optional(Type.String()) }),
  }),
});
