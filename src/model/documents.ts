/**
 * The Elasticsearch documents of rightsize: a contract shared with the dashboards, the API, the
 * weekly report and outside tools (see docs/data-model.md). Units are fixed and in the names:
 * CPU in cores (1.0 = one full core), memory in bytes, durations in milliseconds (`_ms`),
 * `@timestamp` as ISO-8601 UTC, other instants as epoch milliseconds. A value that could not be
 * measured is absent, never 0 and never NaN.
 */

/** ISO-8601 UTC timestamp string, e.g. `2026-11-22T03:07:00.000Z`. */
export type IsoTimestamp = string;

/** The Elastic Common Schema version whose field names the documents follow (`ecs.version`). */
export const ECS_VERSION = '8.11.0';

/**
 * ECS fields every stored document carries: `ecs.version`, and `event.module` (the system it
 * came from: `docker`, `mesos`, `jenkins`, or `rightsize` for its own builds, recommendations,
 * waste rows). Producers may set them; the store adds them when they are missing.
 */
export interface EcsBase {
  readonly ecs?: { readonly version: string };
}

/** Identity of a container's workload, as far as it is known when the sample is taken. */
export interface MesosIdentity {
  readonly agent?: { readonly id?: string };
  readonly framework?: { readonly id?: string };
  readonly executor?: { readonly id?: string };
  readonly task?: { readonly id?: string };
  readonly container?: { readonly id?: string };
}

export interface JenkinsIdentity {
  readonly url?: string;
  readonly node?: { readonly name?: string };
  readonly label?: string;
  readonly job?: { readonly name?: string };
  readonly build?: { readonly number?: number };
}

/** `<prefix>-containers-*`: per-container usage, one document per container per poll. */
export interface ContainerDoc extends EcsBase {
  readonly '@timestamp': IsoTimestamp;
  readonly event: { readonly dataset: 'docker.container' | 'mesos.executor'; readonly module?: 'docker' | 'mesos' };
  readonly host?: { readonly name?: string };
  /**
   * ECS `service.address`: the Docker engine or Mesos agent endpoint that was polled, without
   * credentials (ECS `source.*` would be a network peer). Was `source.endpoint` before template v5.
   */
  readonly service?: { readonly address: string };
  readonly container: {
    readonly id: string;
    readonly name?: string;
    readonly image?: { readonly name?: string };
    readonly runtime?: string;
    readonly labels?: Readonly<Record<string, string>>;
    /** Only on the one final document of a container the collector saw exit (Docker `die`/`oom` events, inspect). */
    readonly exit_code?: number;
    /** The container's process was killed by the kernel OOM killer (Docker `oom` event or `State.OOMKilled`). */
    readonly oom_killed?: boolean;
  };
  readonly mesos?: MesosIdentity;
  readonly jenkins?: JenkinsIdentity;
  /** The Marathon app whose task runs in this executor (`mesos.executor` documents of the `marathon` framework). */
  readonly marathon?: { readonly app: { readonly id: string } };
  /** What the executor's task reserved (its Mesos `resources`; `mem` MB → bytes), when the collector knows the task. */
  readonly request?: { readonly cpu_cores?: number; readonly memory_bytes?: number };
  readonly cpu?: {
    /** Average cores used since the previous sample of this container. Absent on a first reading. */
    readonly cores?: number;
    readonly limit_cores?: number;
    readonly interval_ms?: number;
    /** `cores × interval_ms / 1000`: CPU time used in the window, so a build's total is a plain `sum`. */
    readonly core_seconds?: number;
    readonly throttled?: { readonly periods?: number; readonly time_ms?: number };
  };
  readonly memory?: {
    readonly working_set_bytes?: number;
    readonly rss_bytes?: number;
    readonly usage_bytes?: number;
    readonly limit_bytes?: number;
    readonly peak_bytes?: number;
  };
  readonly process?: { readonly count?: number };
}

/** `<prefix>-cluster-*` with `event.dataset: mesos.master`: cluster capacity from the leader. */
export interface ClusterDoc extends EcsBase {
  readonly '@timestamp': IsoTimestamp;
  readonly event: { readonly dataset: 'mesos.master'; readonly module?: 'mesos' };
  readonly mesos: {
    readonly cluster?: string;
    readonly master: { readonly url: string; readonly elected: boolean; readonly uptime_secs?: number };
    readonly cpus?: { readonly total?: number; readonly used?: number; readonly percent?: number };
    readonly mem?: { readonly total_bytes?: number; readonly used_bytes?: number; readonly percent?: number };
    readonly disk?: { readonly total_bytes?: number; readonly used_bytes?: number; readonly percent?: number };
    readonly gpus?: { readonly total?: number; readonly used?: number };
    readonly agents?: Readonly<Partial<Record<'active' | 'inactive' | 'connected' | 'disconnected' | 'unreachable', number>>>;
    readonly frameworks?: Readonly<Partial<Record<'active' | 'inactive', number>>>;
    readonly offers?: { readonly outstanding?: number };
    readonly tasks?: Readonly<
      Partial<Record<'staging' | 'starting' | 'running' | 'killing' | 'finished' | 'failed' | 'killed' | 'lost' | 'error' | 'unreachable', number>>
    >;
  };
}

/** `<prefix>-cluster-*` with `event.dataset: mesos.agent`: one per agent per poll. */
export interface AgentDoc extends EcsBase {
  readonly '@timestamp': IsoTimestamp;
  readonly event: { readonly dataset: 'mesos.agent'; readonly module?: 'mesos' };
  readonly mesos: {
    readonly cluster?: string;
    readonly agent: {
      readonly id: string;
      readonly hostname?: string;
      readonly active?: boolean;
      readonly resources?: { readonly cpus?: number; readonly mem_bytes?: number; readonly disk_bytes?: number };
      readonly used?: { readonly cpus?: number; readonly mem_bytes?: number; readonly disk_bytes?: number };
    };
  };
}

/** `<prefix>-cluster-*` with `event.dataset: mesos.role`. */
export interface RoleDoc extends EcsBase {
  readonly '@timestamp': IsoTimestamp;
  readonly event: { readonly dataset: 'mesos.role'; readonly module?: 'mesos' };
  readonly mesos: {
    readonly cluster?: string;
    readonly role: { readonly name: string; readonly weight?: number; readonly allocated?: { readonly cpus?: number; readonly mem_bytes?: number } };
  };
}

/** `<prefix>-builds-*`: one document per finished build. */
export interface BuildDoc extends EcsBase {
  readonly '@timestamp': IsoTimestamp;
  /** `event.module: rightsize` (the store adds it): a build document is rightsize's own summary. */
  readonly event?: { readonly module?: string };
  readonly jenkins: {
    readonly url?: string;
    readonly job: { readonly name: string };
    readonly build: { readonly number: number; readonly url?: string };
    readonly result?: string;
    readonly label?: string;
    readonly node?: { readonly name?: string };
  };
  readonly build: { readonly start: number; readonly end: number; readonly duration_ms: number };
  readonly queue?: { readonly wait_ms?: number; readonly buildable_ms?: number };
  readonly request?: { readonly cpu_cores?: number; readonly memory_bytes?: number };
  readonly usage?: {
    readonly cpu?: {
      readonly avg_cores?: number;
      readonly p50_cores?: number;
      readonly p95_cores?: number;
      readonly max_cores?: number;
      readonly core_seconds?: number;
      readonly throttled_ratio?: number;
    };
    readonly memory?: { readonly avg_bytes?: number; readonly peak_bytes?: number };
    readonly sample_count?: number;
    readonly coverage?: number;
    readonly shared_agent?: boolean;
  };
  readonly outcome?: { readonly oom_killed?: boolean };
  readonly waste?: { readonly cpu_core_seconds?: number; readonly memory_byte_seconds?: number };
}

/** `<prefix>-queue-*`: the Jenkins queue, one per poll (`jenkins.queue`) plus one per label. */
export interface QueueDoc extends EcsBase {
  readonly '@timestamp': IsoTimestamp;
  readonly event: { readonly dataset: 'jenkins.queue' | 'jenkins.queue.label'; readonly module?: 'jenkins' };
  readonly jenkins?: { readonly url?: string; readonly label?: string };
  readonly queue: {
    readonly length: number;
    readonly buildable?: number;
    readonly blocked?: number;
    readonly stuck?: number;
    readonly oldest_wait_ms?: number;
    readonly wait_ms?: { readonly p50?: number; readonly p95?: number; readonly max?: number };
  };
  readonly executors?: { readonly total?: number; readonly busy?: number; readonly idle?: number };
}

export type Confidence = 'low' | 'medium' | 'high';
export type Severity = 'ok' | 'warning' | 'critical';
/** The severities a firing alert can have (a rule's `severity`). */
export type AlertSeverity = Exclude<Severity, 'ok'>;
export const ALERT_SEVERITIES: readonly AlertSeverity[] = ['warning', 'critical'];
export type WorkloadKind = 'jenkins.job' | 'jenkins.label' | 'marathon.app';

export interface Resources {
  readonly cpu_cores?: number;
  readonly memory_bytes?: number;
}

/** `<prefix>-recommendations` (`_id` = workload key) and its monthly history. */
export interface RecommendationDoc extends EcsBase {
  readonly '@timestamp': IsoTimestamp;
  /** `event.module: rightsize` (the store adds it). */
  readonly event?: { readonly module?: string };
  readonly workload: { readonly kind: WorkloadKind; readonly key: string };
  readonly jenkins?: { readonly job?: { readonly name?: string }; readonly label?: string };
  readonly current: Resources;
  readonly recommended: Resources & { readonly lower?: Resources; readonly upper?: Resources };
  readonly basis: {
    readonly builds: number;
    readonly window_days: number;
    readonly cpu_percentile?: number;
    readonly memory_percentile?: number;
    readonly headroom?: number;
  };
  readonly confidence: Confidence;
  readonly reasons: readonly string[];
  readonly savings?: { readonly cpu_core_hours_per_week?: number; readonly memory_gib_hours_per_week?: number };
  readonly severity: Severity;
}

/** `<prefix>-alerts`: alert state (`_id` = rule id + group key). */
export interface AlertStateDoc {
  readonly '@timestamp': IsoTimestamp;
  readonly rule: { readonly id: string; readonly name?: string };
  readonly alert: {
    readonly group: string;
    readonly status: 'firing' | 'resolved';
    readonly since: number;
    readonly last_notified?: number;
    readonly value?: number;
    readonly threshold?: number;
    readonly notifications: number;
  };
}

/** `<prefix>-alert-events-YYYY.MM`. */
export interface AlertEventDoc {
  readonly '@timestamp': IsoTimestamp;
  readonly rule: { readonly id: string };
  readonly alert: { readonly group: string };
  readonly event: { readonly action: 'fired' | 'repeated' | 'resolved' | 'silenced' | 'notify_failed' };
  readonly notifier?: string;
  readonly message?: string;
}

/** `<prefix>-silences`. */
export interface SilenceDoc {
  readonly rule: { readonly id: string };
  readonly alert?: { readonly group?: string };
  readonly until: number;
  readonly created_by?: string;
  readonly comment?: string;
}
