import type { BuildSummarizerStats, SinkStats, TargetStats } from '../model/index.js';

/** The content type of the text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** One metric family of the Prometheus text exposition format (version 0.0.4). */
export interface MetricFamily {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly help: string;
  /** `suffix` (`_bucket`, `_sum`, `_count`) is appended to the family name: a histogram's series. */
  readonly samples: ReadonlyArray<{ readonly suffix?: string; readonly labels?: Readonly<Record<string, string>>; readonly value: number }>;
}

/** A family of one unlabelled sample. */
export function singleSample(name: string, type: 'counter' | 'gauge', help: string, value: number): MetricFamily {
  return { name, type, help, samples: [{ value }] };
}

/** A label value as the format wants it: backslash, double quote and line feed escaped. */
function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Renders metric families as Prometheus text (`# HELP`, `# TYPE`, one line per sample). */
export function renderPrometheus(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels ?? {});
      const l = labels.length === 0 ? '' : `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
      lines.push(`${f.name}${s.suffix ?? ''}${l} ${formatValue(s.value)}`);
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * The counters of a `rightsize collect` process (runner targets, the bulk sink, the build
 * summarizer) as metric families, for `collect --metrics-port`.
 */
export function collectorMetricFamilies(targets: readonly TargetStats[], sink: SinkStats, builds?: BuildSummarizerStats): MetricFamily[] {
  const perTarget = (name: string, type: MetricFamily['type'], help: string, value: (t: TargetStats) => number | undefined): MetricFamily => ({
    name,
    type,
    help,
    samples: targets.flatMap((t) => {
      const v = value(t);
      return v === undefined ? [] : [{ labels: { target: t.target }, value: v }];
    }),
  });
  const one = singleSample;
  const families: MetricFamily[] = [
    perTarget('rightsize_collector_polls_total', 'counter', 'Polls of the target, successful or not.', (t) => t.polls),
    perTarget('rightsize_collector_failed_polls_total', 'counter', 'Polls that failed as a whole (unreachable, timeout, bad answer).', (t) => t.failedPolls),
    perTarget('rightsize_collector_skipped_ticks_total', 'counter', 'Ticks skipped because the previous poll was still running.', (t) => t.skippedTicks),
    perTarget('rightsize_collector_documents_total', 'counter', 'Documents the target produced.', (t) => t.documents),
    perTarget('rightsize_collector_item_errors_total', 'counter', 'Items of a poll that failed while the rest was collected.', (t) => t.itemErrors),
    {
      name: 'rightsize_collector_skipped_items_total',
      type: 'counter',
      help: 'Items left out on purpose (first reading, counter reset, bad value ...), by reason.',
      samples: targets.flatMap((t) => Object.entries(t.skipped).map(([reason, value]) => ({ labels: { target: t.target, reason }, value }))),
    },
    perTarget('rightsize_collector_consecutive_failures', 'gauge', 'Failed polls in a row (0 while the target answers).', (t) => t.consecutiveFailures),
    perTarget('rightsize_collector_last_poll_timestamp_seconds', 'gauge', 'When the target was last polled (epoch seconds).', (t) => (t.lastPollMs === undefined ? undefined : t.lastPollMs / 1000)),
    one('rightsize_sink_received_documents_total', 'counter', 'Documents handed to the bulk sink.', sink.received),
    one('rightsize_sink_indexed_documents_total', 'counter', 'Documents Elasticsearch confirmed.', sink.indexed),
    one('rightsize_sink_dropped_documents_total', 'counter', 'Documents given up on (buffer overflow or permanent rejection).', sink.dropped),
    one('rightsize_sink_buffered_documents', 'gauge', 'Documents waiting in the buffer.', sink.buffered),
    one('rightsize_sink_failed_requests_total', 'counter', 'Failed bulk requests (retried or buffered).', sink.failedRequests),
  ];
  if (sink.removedFields !== undefined) {
    families.push(one('rightsize_sink_removed_fields_total', 'counter', 'Numeric fields removed from documents because Elasticsearch would refuse them (the rest was indexed).', sink.removedFields));
  }
  if (builds !== undefined)
    families.push(
      one('rightsize_builds_received_total', 'counter', 'Finished builds handed to the build summarizer.', builds.received),
      one('rightsize_builds_pending', 'gauge', 'Finished builds waiting for their grace period or a retry.', builds.pending),
      one('rightsize_builds_written_total', 'counter', 'builds documents written.', builds.written),
      one('rightsize_builds_without_samples_total', 'counter', 'Of those written: builds without any reading.', builds.withoutSamples),
      one('rightsize_builds_without_request_total', 'counter', 'Of those written: builds whose Mesos task request was unknown.', builds.withoutRequest),
      one('rightsize_builds_retries_total', 'counter', 'Usage searches that failed and were scheduled again.', builds.retries),
      one('rightsize_builds_resumed_total', 'counter', 'Pending builds read back from the state file at start (left by a stop or a crash).', builds.resumed),
      {
        name: 'rightsize_builds_dropped_total',
        type: 'counter',
        help: 'Finished builds given up on, by reason.',
        samples: [
          { labels: { reason: 'overflow' }, value: builds.droppedOverflow },
          { labels: { reason: 'expired' }, value: builds.droppedExpired },
          { labels: { reason: 'rejected' }, value: builds.droppedRejected },
        ],
      },
    );
  return families;
}

/** Upper bounds of the request-latency buckets, seconds. */
export const LATENCY_BUCKETS_S: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/** A Prometheus histogram with one series per label value (cumulative buckets, sum and count). */
export class Histogram {
  private readonly _series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(
    private readonly _name: string,
    private readonly _help: string,
    private readonly _label: string,
    private readonly _bounds: readonly number[] = LATENCY_BUCKETS_S,
  ) {}

  observe(labelValue: string, value: number): void {
    let s = this._series.get(labelValue);
    if (!s) this._series.set(labelValue, (s = { counts: this._bounds.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < this._bounds.length; i++) if (value <= (this._bounds[i] as number)) (s.counts[i] as number)++;
    s.sum += value;
    s.count++;
  }

  family(): MetricFamily {
    const samples: MetricFamily['samples'][number][] = [];
    for (const [v, s] of this._series) {
      this._bounds.forEach((b, i) => samples.push({ suffix: '_bucket', labels: { [this._label]: v, le: String(b) }, value: s.counts[i] ?? 0 }));
      samples.push({ suffix: '_bucket', labels: { [this._label]: v, le: '+Inf' }, value: s.count }, { suffix: '_sum', labels: { [this._label]: v }, value: s.sum }, { suffix: '_count', labels: { [this._label]: v }, value: s.count });
    }
    return { name: this._name, type: 'histogram', help: this._help, samples };
  }
}

/** What `alerts run --metrics-port` exposes of one receiver's outbox (structural: the notifiers' ReceiverStats). */
export interface DeliveryCounters {
  readonly receiver: string;
  readonly kind: string;
  readonly delivered: number;
  readonly failedAttempts: number;
  readonly dropped: number;
  readonly queued: number;
}

/** What it exposes of one scheduled job (structural: the scheduler's JobStats). */
export interface JobCounters {
  readonly name: string;
  readonly runs: number;
  readonly failedRuns: number;
  readonly skippedTicks: number;
}

/** The metric families of `rightsize alerts run`: deliveries per receiver and the evaluation rounds per job. */
export function alertMetricFamilies(receivers: readonly DeliveryCounters[], jobs: readonly JobCounters[]): MetricFamily[] {
  const perReceiver = (name: string, type: 'counter' | 'gauge', help: string, value: (r: DeliveryCounters) => number): MetricFamily => ({
    name,
    type,
    help,
    samples: receivers.map((r) => ({ labels: { receiver: r.receiver, kind: r.kind }, value: value(r) })),
  });
  const perJob = (name: string, help: string, value: (j: JobCounters) => number): MetricFamily => ({
    name,
    type: 'counter',
    help,
    samples: jobs.map((j) => ({ labels: { job: j.name }, value: value(j) })),
  });
  return [
    perReceiver('rightsize_notifications_delivered_total', 'counter', 'Messages delivered to the receiver.', (r) => r.delivered),
    perReceiver('rightsize_notifications_failed_attempts_total', 'counter', 'Delivery attempts that failed (each is retried until the max age).', (r) => r.failedAttempts),
    perReceiver('rightsize_notifications_dropped_total', 'counter', 'Messages given up on (max age passed or queue full); alert on any increase.', (r) => r.dropped),
    perReceiver('rightsize_notifications_queued', 'gauge', 'Messages waiting for delivery now.', (r) => r.queued),
    perJob('rightsize_scheduled_job_runs_total', 'Runs of each scheduled job (alert evaluation rounds, reports).', (j) => j.runs),
    perJob('rightsize_scheduled_job_failed_runs_total', 'Runs that failed or timed out.', (j) => j.failedRuns),
    perJob('rightsize_scheduled_job_skipped_ticks_total', 'Ticks skipped because the previous run was still going.', (j) => j.skippedTicks),
  ];
}
